const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** PostgreSQL stores neither NUL nor unpaired surrogates in text or jsonb: such a string is not text. */
export const isStorableText = (s: string) => !s.includes('\u0000') && !LONE_SURROGATE.test(s);

/**
 * For text from outside that must be kept rather than refused (a provider's event, an inbound
 * mail): NULs dropped, unpaired surrogates replaced with U+FFFD, as a UTF-8 decoder would.
 */
export const toStorableText = (s: string) => s.replaceAll('\u0000', '').replace(LONE_SURROGATES, '\uFFFD');
