import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string() }),
    errors: z
      .array(z.object({ index: z.number().int().nullable(), field: z.string(), message: z.string() }))
      .optional(),
  })
  .openapi('Error');

export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});

/** The error answers every authenticated route can give. */
export const commonErrors = {
  400: errorResponse('Malformed request (invalid JSON, wrong types, missing fields, unknown query values)'),
  401: errorResponse('Missing, malformed, unknown or revoked API key'),
  404: errorResponse('No such resource in this workspace: `<thing>_not_found` (campaign, lead, webhook, sender_account, suppressed_address; workspace and api_key under /admin); `not_found` for a path no route matches'),
  413: errorResponse('Request body too large'),
  415: errorResponse('Request body is not JSON'),
  422: errorResponse('Validation failed; `errors[]` names each bad field'),
  429: errorResponse('Too many requests; see Retry-After'),
  503: errorResponse('A dependency is unavailable'),
} as const;

export const dataOf = <T extends z.ZodType>(schema: T) => z.object({ data: schema });

export const listOf = <T extends z.ZodType>(schema: T) =>
  z.object({ data: z.array(schema), nextCursor: z.string().nullable() });

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const PaginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  cursor: z.string().min(1).max(200).optional(),
});

