import { createRoute, z } from '@hono/zod-openapi';
import { createApiKeyFor, createWorkspace, revokeApiKey } from '../../tenancy.js';
import { createRouter, servicesOf, type AppDeps } from '../context.js';
import { commonErrors, dataOf, jsonBody, jsonResponse } from '../schemas/common.js';

const tags = ['Admin'];
const security = [{ adminToken: [] }];

const WorkspaceSchema = z.object({ id: z.string(), name: z.string() });

const createWs = createRoute({
  method: 'post',
  path: '/workspaces',
  tags,
  security,
  summary: 'Create a workspace and its first API key (shown once)',
  request: { body: jsonBody(z.strictObject({ name: z.string().trim().min(1).max(200) })) },
  responses: {
    201: jsonResponse(dataOf(z.object({ workspace: WorkspaceSchema, apiKey: z.string() })), 'The workspace and its key'),
    ...commonErrors,
  },
});

const createKey = createRoute({
  method: 'post',
  path: '/workspaces/{id}/api-keys',
  tags,
  security,
  summary: 'Create another API key for a workspace (shown once)',
  request: { params: z.object({ id: z.string() }) },
  responses: { 201: jsonResponse(dataOf(z.object({ id: z.string(), apiKey: z.string() })), 'The new key'), ...commonErrors },
});

const revokeKey = createRoute({
  method: 'delete',
  path: '/api-keys/{id}',
  tags,
  security,
  summary: 'Revoke an API key',
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: jsonResponse(dataOf(z.object({ id: z.string(), revoked: z.boolean() })), 'Revoked'), ...commonErrors },
});

export function adminRoutes(deps: AppDeps) {
  const { db, now } = servicesOf(deps);
  return createRouter()
    .openapi(createWs, async (c) => {
      const { workspace, apiKey } = await createWorkspace(db, c.req.valid('json').name);
      return c.json({ data: { workspace: { id: workspace.id, name: workspace.name }, apiKey } }, 201);
    })
    .openapi(createKey, async (c) => c.json({ data: await createApiKeyFor(db, c.req.valid('param').id) }, 201))
    .openapi(revokeKey, async (c) => {
      const { id } = c.req.valid('param');
      await revokeApiKey(db, id, now());
      return c.json({ data: { id, revoked: true } }, 200);
    });
}
