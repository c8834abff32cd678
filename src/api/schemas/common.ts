import { z } from '@hono/zod-openapi';

/**
 * /openapi.json is the manual an agent reads: every field says what it means and shows a value
 * (test/api/openapi-self-describing.test.ts holds every schema to that).
 */

const ULID_EXAMPLE = '01hx4mrqpbcn7wh2gfk9yz6e3s';
/** An id as the API mints it: `<prefix>_` + a lowercase ULID (SPEC §1). */
export const exampleId = (prefix: string) => `${prefix}_${ULID_EXAMPLE}`;
export const EXAMPLE_TIME = '2026-03-02T09:14:07.000Z';

export const Id = (prefix: string, description: string) => z.string().openapi({ description, example: exampleId(prefix) });
/** ISO 8601 in UTC with `Z`, as every time the API answers. */
export const Timestamp = (description: string) => z.string().openapi({ description, example: EXAMPLE_TIME, format: 'date-time' });
export const NullableTimestamp = (description: string) =>
  z.string().nullable().openapi({ description, example: EXAMPLE_TIME, format: 'date-time' });
export const Count = (description: string, example: number) => z.number().int().openapi({ description, example });

export const ErrorSchema = z
  .object({
    error: z
      .object({
        code: z.string().openapi({
          description:
            'Stable snake_case code to branch on: `invalid_request` (400), `no_sequence_steps` / `no_leads_enrolled` (400, start), ' +
            '`authentication_failed` (401), `<thing>_not_found` or `not_found` (404), `campaign_not_draft` / `campaign_not_paused` / ' +
            '`sender_exists` / `idempotency_in_progress` (409), `payload_too_large` (413), `unsupported_media_type` (415), ' +
            '`validation_failed` / `idempotency_key_reused` (422), `rate_limited` (429), `internal_error` (500), `unavailable` (503).',
          example: 'validation_failed',
        }),
        message: z.string().openapi({ description: 'A human sentence saying what was wrong and, where it helps, what to do; never a stack trace', example: 'The request failed validation ([1] delayDays: Too big: expected number to be <=365).' }),
      })
      .openapi({ description: 'What went wrong' }),
    errors: z
      .array(
        z.object({
          index: z.number().int().nullable().openapi({ description: 'The position of the bad item in a bulk array (a lead in `leads`, a step in `sequenceSteps`); null when the field is not inside one', example: 1 }),
          field: z.string().openapi({ description: 'The field, as a dot path inside the item (or inside the body, query or path when index is null)', example: 'delayDays' }),
          message: z.string().openapi({ description: 'What is wrong with it', example: 'Too big: expected number to be <=365' }),
        }),
      )
      .optional()
      .openapi({ description: 'One entry per bad field, on validation failures (422) and malformed requests (400) that have them' }),
  })
  .openapi('Error', {
    description: 'Every error has this one shape, whatever the route and status.',
    example: {
      error: { code: 'validation_failed', message: 'The request failed validation ([1] delayDays: Too big: expected number to be <=365).' },
      errors: [{ index: 1, field: 'delayDays', message: 'Too big: expected number to be <=365' }],
    },
  });

export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

/** The error answers every authenticated route can give. */
export const commonErrors = {
  400: errorResponse('`invalid_request`: malformed JSON, wrong types, missing fields, an unknown query parameter or an unknown query value; `errors[]` names the field where there is one'),
  401: errorResponse('`authentication_failed`: missing, malformed, unknown or revoked API key (send `Authorization: Bearer sk_live_…`)'),
  404: errorResponse('No such resource in this workspace: `<thing>_not_found` (campaign, lead, webhook, sender_account, suppressed_address; workspace and api_key under /admin); `not_found` for a path no route matches'),
  413: errorResponse('`payload_too_large`: the request body is over the limit (12 MB under /v1, 64 KB under /admin)'),
  415: errorResponse('`unsupported_media_type`: a non-empty body that is not JSON (send `Content-Type: application/json`)'),
  422: errorResponse('`validation_failed`: well-formed values that break a rule; `errors[]` names each bad field (and its index in a bulk array). `idempotency_key_reused`: the Idempotency-Key was used with another body'),
  429: errorResponse('`rate_limited`: too many requests for this API key; wait the seconds in Retry-After'),
  503: errorResponse('`unavailable`: PostgreSQL or Temporal is unreachable; retry after the seconds in Retry-After (the call is safe to retry with the same Idempotency-Key)'),
} as const;

export const dataOf = <T extends z.ZodType>(schema: T) => z.object({ data: schema });

/**
 * A page of a list: `description` says what `data` holds and in which order; the cursor is the last
 * item's key (an id, or an address for the suppression list), shown by `cursorExample`.
 */
export const listOf = <T extends z.ZodType>(schema: T, description: string, cursorExample: string) =>
  z.object({
    data: z.array(schema).openapi({ description }),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `?cursor=` to get the next page; null on the last page (the event feed read with `after` answers the cursor to pass as the next `after`)', example: cursorExample }),
  });

/** A list answered whole, in the same envelope as a page. */
export const unpagedListOf = <T extends z.ZodType>(schema: T, description: string) =>
  z.object({
    data: z.array(schema).openapi({ description }),
    nextCursor: z.null().openapi({ description: 'Always null: the whole list is in data', example: null }),
  });

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** `?limit=&cursor=`; the cursor is the key of the last item of the previous page (`cursorExample`). */
export const paginationQuery = (cursorExample: string) =>
  z.object({
    limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: 'Items per page, 1 to 200 (default 50)', example: 50 }),
    cursor: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "The previous page's `nextCursor`, as it was answered; omit it for the first page", example: cursorExample }),
  });

/**
 * Documents the header the idempotency middleware reads (src/api/idempotency.ts), which also checks
 * it; the schema only shows it to clients.
 */
/**
 * `secretMasked`, on an answer that shows a secret once (SPEC §9): a replay for an Idempotency-Key
 * shows the stored copy, and only a masked secret is ever stored.
 */
export const SecretMasked = (secret: string) =>
  z
    .literal(true)
    .optional()
    .openapi({
      description: `Absent from the first answer. \`true\` when this answer repeats an earlier one for the same idempotency key: ${secret} was shown only in the first answer and is masked here (\`********\`), because Sequent never stores it in plaintext. Lost it? Create another and delete this one`,
      example: true,
    });

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .openapi({
      description:
        'Any string of 1 to 255 characters unique to this action. A retry with the same key and the same body gets the first answer again (header Idempotent-Replayed: true) for 24 h instead of acting twice, except that a secret shown once (a new API key, a webhook secret) comes back masked with `secretMasked: true`; the same key with another body is 422 `idempotency_key_reused`; a retry while the first is still running is 409 `idempotency_in_progress`.',
      example: 'start-camp-q1-2026-03-02',
    }),
});
