import { createRoute } from '@hono/zod-openapi';
import { bulkUpsertLeads } from '../../leads/bulk-upsert.js';
import { controlEnrollment, getEnrollment, listEnrollments } from '../../leads/enrollments.js';
import { findWorkspaceLead } from '../../leads/workspace-lead.js';
import type { Context } from 'hono';
import type { LeadInput } from '../../leads/bulk-upsert.js';
import { createRouter, refuseInvalid, type AppDeps, type AppEnv, servicesOf } from '../context.js';
import { splitRows, type SplitRows } from '../skip-invalid-rows.js';
import { CampaignIdParam } from '../schemas/campaigns.js';
import { commonErrors, dataOf, exampleId, IdempotencyHeaders, jsonBody, jsonResponse, listOf } from '../schemas/common.js';
import {
  BulkLeadsSchema,
  BulkQuery,
  BulkResultSchema,
  CampaignLeadParams,
  EnrollmentDetailSchema,
  LeadRefParam,
  WorkspaceLeadSchema,
  EnrollmentSchema,
  LeadInputSchema,
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
    'New emails are created and enrolled; existing leads get only the fields present overwritten and are enrolled at step 1 if not yet in the campaign (a lead already in it keeps its position and never gets a step twice); suppressed addresses are skipped. ' +
    'Any invalid lead fails the whole call with 422 and nothing is written, unless onInvalid is `skip`: then the valid ones are written and each invalid one is reported by index. The same email twice merges field by field. In a running campaign new leads start at once (step 1 after its delayDays); in a draft or paused one they wait for the start.',
  request: { params: CampaignIdParam, query: BulkQuery, headers: IdempotencyHeaders, body: jsonBody(BulkLeadsSchema) },
  responses: { 200: jsonResponse(dataOf(BulkResultSchema), 'Counts, and each lead when return is leads'), ...commonErrors },
});

const list = createRoute({
  method: 'get',
  path: '/campaigns/{id}/leads',
  tags,
  security,
  summary: "List the campaign's enrollments",
  description:
    'The campaign\'s leads in enrollment order, a page at a time: each with its status, how many steps it got, what it waits for (`waitingFor`) and when its next step is planned (`nextSendAt`). Filter with `status`.',
  request: { params: CampaignIdParam, query: ListEnrollmentsQuery },
  responses: { 200: jsonResponse(listOf(EnrollmentSchema, 'Enrollments, in enrollment order', exampleId('enr')), 'A page of enrollments'), ...commonErrors },
});

const detail = createRoute({
  method: 'get',
  path: '/campaigns/{id}/leads/{leadId}',
  tags,
  security,
  summary: "One lead's enrollment with its fields and message timeline",
  description: 'The enrollment of one lead in the campaign, the lead\'s fields as templates see them, and every message with its rendered subject and body, sender and delivery times.',
  request: { params: CampaignLeadParams },
  responses: { 200: jsonResponse(dataOf(EnrollmentDetailSchema), 'The enrollment'), ...commonErrors },
});

const workspaceLead = createRoute({
  method: 'get',
  path: '/leads/{lead}',
  tags,
  security,
  summary: 'A lead across the workspace, by id or email: suppressed or not, and every campaign it is in',
  description: "The lead's fields, whether its address is suppressed (and why), and its enrollment in every campaign it is in (status, what it waits for, when its next step is planned). For finding a lead without knowing its campaign.",
  request: { params: LeadRefParam },
  responses: { 200: jsonResponse(dataOf(WorkspaceLeadSchema), 'The lead'), ...commonErrors },
});

/** Per-lead control: what each call does, for the route's summary and description. */
const CONTROL = {
  pause: {
    summary: 'Pause one lead',
    description: 'Pauses one live lead (status `paused`, waitingFor `lead_paused`): nothing more is sent to it until it is resumed; the rest of the campaign goes on. A finished lead is left as it is. No request body.',
  },
  resume: {
    summary: 'Resume one lead',
    description: 'Resumes a lead paused with POST …/pause where it was; a step that fell due meanwhile goes out now (within the window, capacity and pacing). Other leads are left as they are. No request body.',
  },
  stop: {
    summary: "Stop one lead's sequence for good",
    description: 'Ends one live lead\'s sequence (status `stopped`, stopReason `stopped by API`): nothing more is sent to it in this campaign, and it cannot be resumed. A finished lead is left as it is. No request body.',
  },
} as const;

const control = (action: keyof typeof CONTROL) =>
  createRoute({
    method: 'post',
    path: `/campaigns/{id}/leads/{leadId}/${action}`,
    tags,
    security,
    summary: CONTROL[action].summary,
    description: CONTROL[action].description,
    request: { params: CampaignLeadParams, headers: IdempotencyHeaders },
    responses: { 200: jsonResponse(dataOf(EnrollmentDetailSchema), 'The enrollment after the call'), ...commonErrors },
  });

export function leadRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  /** Writes the leads and answers counts, with each row not written as given. */
  async function enrollRows(c: Context<AppEnv>, leads: LeadInput[], split: Omit<SplitRows<LeadInput>, 'kept'>) {
    const returnLeads = new URL(c.req.url).searchParams.get('return') === 'leads';
    const indexes = split.indexes.length ? split.indexes : undefined;
    const { merged, ...counts } = await bulkUpsertLeads(services, c.get('workspaceId'), c.req.param('id')!, leads, { returnLeads, ...(indexes ? { indexes } : {}) });
    const rows = [
      ...merged.map((m) => ({ index: m.index, email: m.email, outcome: 'merged_duplicate' as const, mergedInto: m.into })),
      ...split.refused.map((r) => ({ index: r.index, email: r.email, outcome: 'invalid' as const, errors: r.errors })),
    ].sort((a, b) => a.index - b.index);
    return rows.length ? { ...counts, rows } : counts;
  }
  const router = createRouter()
    .openapi(
      bulk,
      async (c) => c.json({ data: await enrollRows(c, c.req.valid('json').leads, { indexes: [], refused: [] }) }, 200),
      // onInvalid "skip": the rows that pass alone are written, the rest answered by index.
      (result, c) => {
        // The validator hands its hook the raw body too, also when it failed.
        const body = (result as unknown as { data: unknown }).data;
        const split = result.target === 'json' && (body as { onInvalid?: unknown } | null)?.onInvalid === 'skip' ? splitRows(body, result.success ? null : result.error, 'leads', LeadInputSchema) : null;
        if (split) return enrollRows(c, split.kept, split).then((data) => c.json({ data }, 200));
        refuseInvalid(result);
        return undefined;
      },
    )
    .openapi(workspaceLead, async (c) => c.json({ data: await findWorkspaceLead(services, c.get('workspaceId'), c.req.valid('param').lead) }, 200))
    .openapi(list, async (c) => c.json(await listEnrollments(services, c.get('workspaceId'), c.req.valid('param').id, c.req.valid('query')), 200))
    .openapi(detail, async (c) => {
      const { id, leadId } = c.req.valid('param');
      return c.json({ data: await getEnrollment(services, c.get('workspaceId'), id, leadId) }, 200);
    });
  for (const action of ['pause', 'resume', 'stop'] as const) {
    router.openapi(control(action), async (c) => {
      const { id, leadId } = c.req.valid('param');
      return c.json({ data: await controlEnrollment(services, c.get('workspaceId'), id, leadId, action) }, 200);
    });
  }
  return router;
}

