import { createRoute, z } from '@hono/zod-openapi';
import { getWorkspace, updateWorkspace } from '../../tenancy.js';
import { createRouter, type AppDeps } from '../context.js';
import { isTimeZone } from '../schemas/campaigns.js';
import { commonErrors, dataOf, jsonBody, jsonResponse } from '../schemas/common.js';

const tags = ['Workspace'];
const security = [{ bearerAuth: [] }];

const WorkspaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    timezone: z.string().openapi({ description: 'IANA zone whose midnight resets daily sending capacity' }),
    createdAt: z.string(),
  })
  .openapi('Workspace');

const get = createRoute({
  method: 'get',
  path: '/workspace',
  tags,
  security,
  summary: 'The workspace this API key belongs to',
  responses: { 200: jsonResponse(dataOf(WorkspaceSchema), 'The workspace'), ...commonErrors },
});

const update = createRoute({
  method: 'patch',
  path: '/workspace',
  tags,
  security,
  summary: "Rename the workspace or change its time zone (the day capacity counts against)",
  request: {
    body: jsonBody(
      z.strictObject({
        name: z.string().trim().min(1).max(200).optional(),
        timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').optional(),
      }),
    ),
  },
  responses: { 200: jsonResponse(dataOf(WorkspaceSchema), 'The workspace'), ...commonErrors },
});

export function workspaceRoutes({ db }: AppDeps) {
  return createRouter()
    .openapi(get, async (c) => c.json({ data: await getWorkspace(db, c.get('workspaceId')) }, 200))
    .openapi(update, async (c) => c.json({ data: await updateWorkspace(db, c.get('workspaceId'), c.req.valid('json')) }, 200));
}
