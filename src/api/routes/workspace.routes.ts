import { createRoute, z } from '@hono/zod-openapi';
import { updateWorkspace } from '../../campaigns/workspace-day.js';
import { getWorkspace, workspaceView } from '../../tenancy.js';
import { createRouter, type AppDeps } from '../context.js';
import { isTimeZone } from '../schemas/campaigns.js';
import { commonErrors, dataOf, Id, jsonBody, jsonResponse, Timestamp } from '../schemas/common.js';

const tags = ['Workspace'];
const security = [{ bearerAuth: [] }];

const WorkspaceSchema = z
  .object({
    id: Id('ws', 'The workspace\'s id'),
    name: z.string().openapi({ description: 'Its name', example: 'Acme Outbound' }),
    timezone: z.string().openapi({ description: 'The IANA zone of the workspace day: its midnight resets daily sending capacity and dailyNewLeads (default UTC)', example: 'Europe/Berlin' }),
    createdAt: Timestamp('When it was created'),
  })
  .openapi('Workspace', { description: 'The tenant an API key belongs to: every resource lives in one' });

const get = createRoute({
  method: 'get',
  path: '/workspace',
  tags,
  security,
  summary: 'The workspace this API key belongs to',
  description: 'The workspace of the calling key: its name and the time zone its sending day is counted in.',
  responses: { 200: jsonResponse(dataOf(WorkspaceSchema), 'The workspace'), ...commonErrors },
});

const update = createRoute({
  method: 'patch',
  path: '/workspace',
  tags,
  security,
  summary: "Rename the workspace or change its time zone (the day capacity counts against)",
  description: 'Changes only what the body names. The time zone decides when daily capacity and the dailyNewLeads cap reset (its midnight); sending windows have their own zones.',
  request: {
    body: jsonBody(
      z
        .strictObject({
          name: z.string().trim().min(1).max(200).optional().openapi({ description: 'A new name, 1 to 200 characters', example: 'Acme Outbound' }),
          timezone: z
            .string()
            .refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin')
            .optional()
            .openapi({ description: 'A new IANA time zone for the workspace day', example: 'Europe/Berlin' }),
        })
        .openapi({ description: 'What to change' }),
    ),
  },
  responses: { 200: jsonResponse(dataOf(WorkspaceSchema), 'The workspace'), ...commonErrors },
});

export function workspaceRoutes({ db }: AppDeps) {
  return createRouter()
    .openapi(get, async (c) => c.json({ data: await getWorkspace(db, c.get('workspaceId')) }, 200))
    .openapi(update, async (c) => c.json({ data: workspaceView(await updateWorkspace(db, c.get('workspaceId'), c.req.valid('json'))) }, 200));
}
