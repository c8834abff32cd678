import { createRoute, z } from '@hono/zod-openapi';
import { SCOPES } from '../../domain/scopes.js';
import { createApiKey, listApiKeys, revokeOwnApiKey } from '../../tenancy.js';
import { createRouter, servicesOf, type AppDeps } from '../context.js';
import { ApiKeySchema, CreatedKeySchema, KeyIdParam, NewKeySchema } from '../schemas/api-keys.js';
import { commonErrors, dataOf, errorResponse, Id, IdempotencyHeaders, jsonBody, jsonResponse, unpagedListOf } from '../schemas/common.js';
import { ApiError } from '../errors.js';
import { showOnce } from '../idempotency.js';
import { maskApiKey } from '../../domain/api-keys.js';

const tags = ['API keys'];
const security = [{ bearerAuth: [] }];

const list = createRoute({
  method: 'get',
  path: '/api-keys',
  tags,
  security,
  summary: "The workspace's API keys",
  description: 'Every key of the workspace, newest first, revoked ones included: its id, prefix, scopes and when it was last used. The keys themselves are never shown again.',
  responses: { 200: jsonResponse(unpagedListOf(ApiKeySchema, 'The keys, newest first'), 'The keys'), ...commonErrors },
});

const create = createRoute({
  method: 'post',
  path: '/api-keys',
  tags,
  security,
  summary: 'Create a key for this workspace (shown once), with chosen scopes',
  description:
    'A key with `scopes` (all three when left out). A key may give only scopes it holds itself: a `read`+`write` key cannot make a `send` key (403 `insufficient_scope`). Give an agent a key without `send` and a person decides every launch. The key is shown only in this answer: a retry with the same Idempotency-Key replays it masked, with `secretMasked: true`.',
  request: { headers: IdempotencyHeaders, body: jsonBody(NewKeySchema) },
  responses: { 201: jsonResponse(dataOf(CreatedKeySchema), 'The new key'), ...commonErrors, 403: errorResponse('`insufficient_scope`: the calling key lacks `write`, or a scope it asked to give') },
});

const revoke = createRoute({
  method: 'delete',
  path: '/api-keys/{id}',
  tags,
  security,
  summary: 'Revoke one of the workspace\'s keys',
  description: 'The key stops working at once (401 from then on); revoking twice is fine. A key may revoke itself. Another workspace\'s key id is 404 `api_key_not_found`.',
  request: { params: KeyIdParam },
  responses: {
    200: jsonResponse(dataOf(z.object({ id: Id('key', "The revoked key's id"), revoked: z.boolean().openapi({ description: 'Always true', example: true }) }).openapi({ description: 'The revoked key' })), 'Revoked'),
    ...commonErrors,
  },
});

export function apiKeyRoutes(deps: AppDeps) {
  const { db, now } = servicesOf(deps);
  return createRouter()
    .openapi(list, async (c) => c.json({ data: await listApiKeys(db, c.get('workspaceId')), nextCursor: null }, 200))
    .openapi(create, async (c) => {
      const { scopes = [...SCOPES], name } = c.req.valid('json');
      const beyond = scopes.filter((s) => !c.get('scopes').includes(s));
      if (beyond.length > 0) throw new ApiError(403, 'insufficient_scope', `This API key cannot give scopes it does not hold: ${beyond.join(', ')}.`);
      const key = await createApiKey(db, c.get('workspaceId'), undefined, scopes, name ?? null);
      showOnce(c, { apiKey: maskApiKey(key.apiKey) });
      return c.json({ data: key }, 201);
    })
    .openapi(revoke, async (c) => {
      const { id } = c.req.valid('param');
      await revokeOwnApiKey(db, c.get('workspaceId'), id, now());
      return c.json({ data: { id, revoked: true } }, 200);
    });
}
