import { z } from '@hono/zod-openapi';
import { SCOPES } from '../../domain/scopes.js';
import { exampleId, Id, NullableTimestamp, SecretMasked, Timestamp } from './common.js';

export const ScopesSchema = z
  .array(z.enum(SCOPES).openapi({ description: '`read`: reading anything; `write`: every change except launching; `send`: starting and resuming campaigns, the calls that make mail go out', example: 'read' }))
  .min(1)
  .max(SCOPES.length)
  .refine((s) => new Set(s).size === s.length, 'each scope once')
  .openapi({ description: 'What the key may do: any of `read`, `write`, `send`. A call outside them is refused with `insufficient_scope`', example: ['read', 'write'] });

const KeyName = z.string().trim().min(1).max(200).openapi({ description: 'A label to tell it apart later, such as what uses it ("reporting agent"); 1 to 200 characters', example: 'reporting agent' });

export const NewKeySchema = z
  .strictObject({
    scopes: ScopesSchema.optional().openapi({ description: 'Its scopes; all three when left out (a workspace key may give only scopes it holds itself)', example: ['read'] }),
    name: KeyName.optional(),
  })
  .openapi('NewApiKey', { description: 'The key to create' });

export const ApiKeyValue = z.string().openapi({
  description: 'The API key, shown only in this answer (it is stored hashed): the bearer token of every call. A repeat of the call with the same idempotency key shows only its first 12 characters, then `********` (see secretMasked)',
  example: 'sk_live_4f9c2a7e1b8d3f6a0c5e9b2d7a4f1c8e3b6d9a2f5c8e1b4d',
});

export const CreatedKeySchema = z
  .object({ id: Id('key', "The key's id (for revoking it)"), apiKey: ApiKeyValue, scopes: ScopesSchema, name: KeyName.nullable(), secretMasked: SecretMasked('the key') })
  .openapi('CreatedApiKey', { description: 'The new key' });

export const ApiKeySchema = z
  .object({
    id: Id('key', "The key's id"),
    name: KeyName.nullable(),
    prefix: z.string().openapi({ description: 'The first characters of the key, to tell keys apart', example: 'sk_live_4f9c' }),
    scopes: ScopesSchema,
    createdAt: Timestamp('When it was created'),
    lastUsedAt: NullableTimestamp('When it last authenticated a call (null: never)'),
    revokedAt: NullableTimestamp('When it was revoked (null: it works)'),
  })
  .openapi('ApiKey', { description: 'A key of the workspace (never the key itself)' });

export const KeyIdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: "The key's id (not the key itself)", example: exampleId('key') }) });
