import { createRoute } from '@hono/zod-openapi';
import { bulkUpsertLeads } from '../../leads/bulk-upsert.js';
import { controlEnrollment, getEnrollment, listEnrollments } from '../../leads/enrollments.js';
import { createRouter, type AppDeps, servicesOf } from '../context.js';
import { CampaignIdParam } from '../schemas/campaigns.js';
import { commonErrors, dataOf, jsonBody, jsonResponse, listOf } from '../schemas/common.js';
import {
  BulkLeadsSchema,
  BulkResultSchema,
  CampaignLeadParams,
  EnrollmentDetailSchema,
  EnrollmentSchema,
  ListEnrollmentsQuery,
} from '../schemas/leads.js';

const tags = ['Leads'];
const security = [{ bearerAuth: [] }];

const bulk = createRoute({
  method: 'post',
  path: '/campaigns/{id}/leads/bulk',
  tags,
  security,
  summary: 'Upsert up to 10,000 leads and enroll them in the campaign',
  description:
    'New emails are created and enrolled; existing leads get only the fields present overwritten and are enrolled at step 1 if not yet in the campaign; suppressed addresses are skipped. Any invalid lead fails the whole call with 422.',
  request: { params: CampaignIdParam, body: jsonBody(BulkLeadsSchema) },
  responses: { 200: jsonResponse(dataOf(BulkResultSchema), 'Counts'), ...commonErrors },
});

const list = createRoute({
  method: 'get',
  path: '/campaigns/{id}/leads',
  tags,
  security,
  summary: "List the campaign's enrollments",
  request: { params: CampaignIdParam, query: ListEnrollmentsQuery },
  responses: { 200: jsonResponse(listOf(EnrollmentSchema), 'A page of enrollments'), ...commonErrors },
});

const detail = createRoute({
  method: 'get',
  path: '/campaigns/{id}/leads/{leadId}',
  tags,
  security,
  summary: "One lead's enrollment with its fields and message timeline",
  request: { params: CampaignLeadParams },
  responses: { 200: jsonResponse(dataOf(EnrollmentDetailSchema), 'The enrollment'), ...commonErrors },
});

const control = (action: 'pause' | 'resume' | 'stop', summary: string) =>
  createRoute({
    method: 'post',
    path: `/campaigns/{id}/leads/{leadId}/${action}`,
    tags,
    security,
    summary,
    request: { params: CampaignLeadParams },
    responses: { 200: jsonResponse(dataOf(EnrollmentDetailSchema), 'The enrollment after the call'), ...commonErrors },
  });

export function leadRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  const router = createRouter()
    .openapi(bulk, async (c) => {
      const data = await bulkUpsertLeads(services, c.get('workspaceId'), c.req.valid('param').id, c.req.valid('json').leads);
      return c.json({ data }, 200);
    })
    .openapi(list, async (c) => c.json(await listEnrollments(services, c.get('workspaceId'), c.req.valid('param').id, c.req.valid('query')), 200))
    .openapi(detail, async (c) => {
      const { id, leadId } = c.req.valid('param');
      return c.json({ data: await getEnrollment(services, c.get('workspaceId'), id, leadId) }, 200);
    });
  for (const [action, summary] of [
    ['pause', 'Pause one lead'],
    ['resume', 'Resume one lead'],
    ['stop', "Stop one lead's sequence for good"],
  ] as const) {
    router.openapi(control(action, summary), async (c) => {
      const { id, leadId } = c.req.valid('param');
      return c.json({ data: await controlEnrollment(services, c.get('workspaceId'), id, leadId, action) }, 200);
    });
  }
  return router;
}

