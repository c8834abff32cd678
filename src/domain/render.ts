/** Lead data a template can reference: the standard fields, then custom fields. */
export type LeadFields = {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  jobTitle?: string | null;
  customFields?: Record<string, unknown> | null;
};

const TOKEN = /\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*?))?\s*\}\}/g;
const STANDARD = ['email', 'firstName', 'lastName', 'company', 'jobTitle'] as const;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);

function lookup(lead: LeadFields, name: string): string {
  const standard = (STANDARD as readonly string[]).includes(name)
    ? (lead as Record<string, unknown>)[name]
    : undefined;
  const value = standard ?? lead.customFields?.[name];
  // Custom fields are scalars (validated at upsert), so String() is their natural text.
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** Long lead fields can make a subject outgrow the template's own limit; it is cut, never refused. */
export const MAX_RENDERED_SUBJECT = 998;

// Cuts between code points, so a surrogate pair (an emoji) is never split into invalid text.
function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  if (/[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
  return text.slice(0, end).trimEnd();
}

export type Rendered = { text: string; emptyTokens: string[] };

/**
 * Replaces `{{name}}` and `{{name|fallback}}` from the lead. Values are inserted once and never
 * re-scanned, so a lead whose field contains `{{…}}` cannot inject tokens.
 */
export function renderTemplate(template: string, lead: LeadFields, mode: 'html' | 'subject'): Rendered {
  const emptyTokens = new Set<string>();
  let text = template.replace(TOKEN, (_match, rawName: string, fallback: string | undefined) => {
    const name = rawName.trim();
    const value = lookup(lead, name);
    if (value.trim() !== '') return mode === 'html' ? escapeHtml(value) : value;
    if (fallback === undefined) emptyTokens.add(name);
    // The fallback is the template author's own text, so it is markup like the rest of the template.
    return fallback ?? '';
  });
  if (mode === 'subject') text = cutAt(text.replace(/[\r\n]+/g, ' ').trim(), MAX_RENDERED_SUBJECT);
  return { text, emptyTokens: [...emptyTokens] };
}

/** A follow-up with an empty subject continues the first message's thread. */
export const continuedSubject = (first: string) => `Re: ${first.replace(/^Re:\s*/i, '')}`;
