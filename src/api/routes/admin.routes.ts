import { createRoute, z } from '@hono/zod-openapi';
import { createApiKeyFor, createWorkspace, revokeApiKey } from '../../tenancy.js';
import { createRouter, servicesOf, type AppDeps } from '../context.js';
import type { Scope } from '../../domain/scopes.js';
import { CreatedKeySchema, NewKeySchema } from '../schemas/api-keys.js';
import { commonErrors, dataOf, exampleId, Id, jsonBody, jsonResponse } from '../schemas/common.js';

const tags = ['Admin'];
const security = [{ adminToken: [] }];

const WorkspaceSchema = z
  .object({ id: Id('ws', 'The workspace\'s id'), name: z.string().openapi({ description: 'Its name', example: 'Acme' }) })
  .openapi({ description: 'The new workspace' });
const ApiKey = z.string().openapi({
  description: 'The API key, shown only in this answer (it is stored hashed): send it as `Authorization: Bearer <key>` to /v1',
  example: 'sk_live_4f9c2a7e1b8d3f6a0c5e9b2d7a4f1c8e3b6d9a2f5c8e1b4d',
});

const createWs = createRoute({
  method: 'post',
  path: '/workspaces',
  tags,
  security,
  summary: 'Create a workspace and its first API key (shown once)',
  description: 'Operator call (the ADMIN_TOKEN, not an API key): creates a tenant and its first API key. Everything a key creates lives in its workspace; other workspaces\' ids answer 404.',
  request: {
    body: jsonBody(
      z
        .strictObject({ name: z.string().trim().min(1).max(200).openapi({ description: 'The workspace\'s name, 1 to 200 characters', example: 'Acme' }) })
        .openapi({ description: 'The workspace to create' }),
    ),
  },
  responses: {
    201: jsonResponse(dataOf(z.object({ workspace: WorkspaceSchema, apiKey: ApiKey }).openapi({ description: 'The workspace and its first key' })), 'The workspace and its key'),
    ...commonErrors,
  },
});

const createKey = createRoute({
  method: 'post',
  path: '/workspaces/{id}/api-keys',
  tags,
  security,
  summary: 'Create another API key for a workspace (shown once)',
  description:
    'Operator call: adds a key to an existing workspace (404 `workspace_not_found` otherwise), e.g. to rotate keys: create the new one, switch, then revoke the old one. The body is optional: `{"scopes": ["read"]}` limits the key; without it the key holds all three scopes.',
  request: {
    params: z.object({ id: z.string().openapi({ description: 'The workspace\'s id', example: exampleId('ws') }) }),
    body: { ...jsonBody(NewKeySchema), required: false },
  },
  responses: {
    201: jsonResponse(dataOf(CreatedKeySchema), 'The new key'),
    ...commonErrors,
  },
});

const revokeKey = createRoute({
  method: 'delete',
  path: '/api-keys/{id}',
  tags,
  security,
  summary: 'Revoke an API key',
  description: 'Operator call: the key stops working at once (401 from then on). Revoking twice is fine; an unknown id is 404 `api_key_not_found`.',
  request: { params: z.object({ id: z.string().openapi({ description: 'The key\'s id (not the key itself)', example: exampleId('key') }) }) },
  responses: {
    200: jsonResponse(
      dataOf(z.object({ id: Id('key', 'The revoked key\'s id'), revoked: z.boolean().openapi({ description: 'Always true', example: true }) }).openapi({ description: 'The revoked key' })),
      'Revoked',
    ),
    ...commonErrors,
  },
});

export function adminRoutes(deps: AppDeps) {
  const { db, now } = servicesOf(deps);
  return createRouter()
    .openapi(createWs, async (c) => {
      const { workspace, apiKey } = await createWorkspace(db, c.req.valid('json').name);
      return c.json({ data: { workspace: { id: workspace.id, name: workspace.name }, apiKey } }, 201);
    })
    .openapi(createKey, async (c) => {
      const body = c.req.valid('json') as { scopes?: Scope[]; name?: string } | undefined;
      return c.json({ data: await createApiKeyFor(db, c.req.valid('param').id, body?.scopes, body?.name ?? null) }, 201);
    })
    .openapi(revokeKey, async (c) => {
      const { id } = c.req.valid('param');
      await revokeApiKey(db, id, now());
      return c.json({ data: { id, revoked: true } }, 200);
    });
}
