import { createRoute } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { createCampaign, campaignView, getCampaign, listCampaigns } from '../../campaigns/campaign-service.js';
import { pauseCampaign, startCampaign, updateCampaign } from '../../campaigns/lifecycle.js';
import { previewCampaign } from '../../campaigns/preview.js';
import { campaignHealth } from '../../campaigns/health.js';
import { createRouter, type AppDeps, servicesOf } from '../context.js';
import {
  CampaignIdParam,
  CampaignSchema,
  CreateCampaignSchema,
  CreatedCampaignSchema,
  CampaignStatusSchema,
  HealthSchema,
  ListCampaignsQuery,
  IfMatchHeaders,
  UpdateCampaignSchema,
  versionOf,
} from '../schemas/campaigns.js';
import {
  commonErrors,
  Count,
  dataOf,
  errorResponse,
  exampleId,
  Id,
  IdempotencyHeaders,
  jsonBody,
  jsonResponse,
  listOf,
  NullableTimestamp,
} from '../schemas/common.js';

const tags = ['Campaigns'];
const security = [{ bearerAuth: [] }];

const create = createRoute({
  method: 'post',
  path: '/campaigns',
  tags,
  security,
  summary: 'Create a draft campaign',
  description:
    'Creates a campaign in `draft` with its steps and settings (both optional; steps can be set later with PATCH while it is a draft). Nothing is sent until POST /v1/campaigns/{id}/start. ' +
    'Next: enroll leads with POST /v1/campaigns/{id}/leads/bulk, check the rendering with GET /v1/campaigns/{id}/preview, then start.',
  request: { headers: IdempotencyHeaders, body: jsonBody(CreateCampaignSchema) },
  responses: { 201: jsonResponse(dataOf(CreatedCampaignSchema), 'The new draft campaign'), ...commonErrors },
});

const get = createRoute({
  method: 'get',
  path: '/campaigns/{id}',
  tags,
  security,
  summary: 'Get a campaign with its steps and its health',
  description: 'The campaign with its steps, the settings in force (defaults filled in), its lifecycle times and `health`: whether it is sending, and if not, why and until when.',
  request: { params: CampaignIdParam },
  responses: {
    200: jsonResponse(dataOf(CampaignSchema.extend({ health: HealthSchema }).openapi({ description: 'The campaign and its health' })), 'The campaign'),
    ...commonErrors,
  },
});

const healthRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/health',
  tags,
  security,
  summary: 'Whether the campaign is sending, and if not, why and until when',
  description:
    'Sums up what the campaign\'s live leads wait for and the state of the workspace\'s sender accounts: `status` says whether someone must act (`blocked`, `auto_paused`) or it passes by itself (`waiting`); each reason gives how many leads it holds and, where known, until when. Read from the database; cheap to poll.',
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(dataOf(HealthSchema), 'The health'), ...commonErrors },
});

const list = createRoute({
  method: 'get',
  path: '/campaigns',
  tags,
  security,
  summary: "List the workspace's campaigns, newest first",
  description: 'Every campaign of the API key\'s workspace with its steps and settings, newest first, a page at a time (`limit`, `cursor`); filter with `status`.',
  request: { query: ListCampaignsQuery },
  responses: { 200: jsonResponse(listOf(CampaignSchema, 'Campaigns, newest first', exampleId('camp')), 'A page of campaigns'), ...commonErrors },
});

const update = createRoute({
  method: 'patch',
  path: '/campaigns/{id}',
  tags,
  security,
  summary: 'Rename, change settings, or (in draft only) replace the steps',
  description:
    'Changes only what the body names. `name` and `settings` may change in any status (settings merge: a setting left out keeps its value; inside autoPause, a threshold left out keeps its value). ' +
    '`sequenceSteps` replaces all steps and is allowed only while the campaign is a draft (409 `campaign_not_draft` otherwise).',
  request: { params: CampaignIdParam, headers: IfMatchHeaders, body: jsonBody(UpdateCampaignSchema) },
  responses: {
    200: jsonResponse(dataOf(CampaignSchema), 'The updated campaign (header ETag: its new version)'),
    ...commonErrors,
    409: errorResponse('`campaign_not_draft`: steps can change only while the campaign is a draft'),
    412: errorResponse('`version_mismatch`: the campaign changed since the version If-Match names; nothing was changed'),
  },
});

const StartedSchema = z
  .object({
    id: Id('camp', 'The campaign\'s id'),
    status: CampaignStatusSchema,
    startedAt: NullableTimestamp('When the campaign was first started (a resume keeps the first start)'),
  })
  .openapi('CampaignStarted', { description: 'The campaign\'s state after a start or resume' });
const PausedSchema = z
  .object({
    id: Id('camp', 'The campaign\'s id'),
    status: CampaignStatusSchema,
    pausedAt: NullableTimestamp('When it was paused; null when the call found it not running (a draft stays a draft)'),
  })
  .openapi('CampaignPaused', { description: 'The campaign\'s state after a pause' });

/** Lifecycle calls and their errors beyond the common ones. */
const LIFECYCLE = {
  start: {
    summary: 'Start a draft campaign, or resume a paused one',
    description:
      'From `draft`: runs the campaign; every enrolled lead starts at step 1 (its delayDays counted from now, or from its enrollment if later). From `paused`: resumes where each lead was, no step is repeated. ' +
      'On a running campaign: a no-op answering the current state. A draft without steps or leads answers 400 `no_sequence_steps` / `no_leads_enrolled`. No request body.',
    errors: { 400: errorResponse('`no_sequence_steps` or `no_leads_enrolled` (a draft with nothing to send), or `invalid_request`') },
  },
  resume: {
    summary: 'Resume a paused campaign (a no-op on a running one; a draft answers 409)',
    description:
      'Resumes a paused campaign where each lead was; no step is repeated. After an auto-pause, the guard judges again only autoPause.minSent sends later. A running campaign answers its state; a draft answers 409 `campaign_not_paused` (start it instead). No request body.',
    errors: { 409: errorResponse('`campaign_not_paused`: a draft is started, not resumed') },
  },
  pause: {
    summary: 'Pause a running campaign: no message goes out after this returns',
    description:
      'Pauses a running campaign (pauseReason `manual`): once this answers, no provider request for the campaign begins, neither a first attempt nor a retry. Leads keep their place; POST …/resume continues. A draft or paused campaign answers its state unchanged. No request body.',
    errors: {},
  },
} as const;

const lifecycleRoute = (action: keyof typeof LIFECYCLE) =>
  createRoute({
    method: 'post',
    path: `/campaigns/{id}/${action}`,
    tags,
    security,
    summary: LIFECYCLE[action].summary,
    description: LIFECYCLE[action].description,
    request: { params: CampaignIdParam, headers: IdempotencyHeaders },
    responses: {
      200: jsonResponse(dataOf(action === 'pause' ? PausedSchema : StartedSchema), 'The campaign after the call (no-ops answer the current state)'),
      ...commonErrors,
      ...LIFECYCLE[action].errors,
    },
  });

const start = lifecycleRoute('start');
const resume = lifecycleRoute('resume');
const pause = lifecycleRoute('pause');

const EmptyTokens = (where: string) =>
  z.array(z.string()).openapi({ description: `Tokens ${where} that render empty for this lead (no value and no fallback), by field name`, example: ['company'] });

const PreviewSchema = z
  .object({
    campaignId: Id('camp', 'The campaign\'s id'),
    leadId: Id('lead', 'The lead rendered for'),
    email: z.string().openapi({ description: 'The lead\'s email address', example: 'raj@globex.com' }),
    steps: z
      .array(
        z.object({
          stepNumber: Count('The step\'s position', 1),
          subject: z.string().openapi({ description: 'The subject as it would be sent now', example: 'Quick question, ' }),
          bodyHtml: z.string().openapi({ description: 'The body as it would be sent now', example: '<p>Hi there,</p><p>I noticed Globex is expanding its sales team.</p>' }),
          emptyTokens: EmptyTokens('in this step'),
          variantId: z.string().nullable().openapi({ description: 'The variant this lead gets (fixed by lead and step, or the chosen winner), shown above; null for a step without variants or a lead not in the campaign', example: 'B' }),
          variants: z
            .array(
              z.object({
                id: z.string().openapi({ description: 'The variant', example: 'B' }),
                subject: z.string().openapi({ description: 'Its subject for this lead', example: 'Quick one, Raj' }),
                bodyHtml: z.string().openapi({ description: 'Its body for this lead', example: '<p>Hi Raj</p>' }),
                emptyTokens: EmptyTokens('in this variant'),
              }),
            )
            .openapi({ description: 'With an A/B test, every variant rendered for this lead (whichever it gets); empty for a step without variants' }),
        }),
      )
      .openapi({ description: 'Every step, rendered for the lead' }),
    emptyTokens: EmptyTokens('in any step'),
    enrollmentStatus: z.string().nullable().openapi({ description: "The lead's status in this campaign (pending, active, paused, completed, replied, stopped, …); null when it is not enrolled in it: then none of this is sent to it", example: 'pending' }),
    suppressed: z.boolean().openapi({ description: 'The address is on the suppression list: it is never mailed, whatever this shows', example: false }),
  })
  .openapi('CampaignPreview', { description: 'The campaign\'s steps rendered for one lead' });

const preview = createRoute({
  method: 'get',
  path: '/campaigns/{id}/preview',
  tags,
  security,
  summary: 'Render every step for one lead (by leadId or email) and list tokens that render empty',
  description:
    'Renders each step\'s subject and body for one lead of the workspace (give exactly one of `leadId` or `email`) from its current fields, as they would go out now, and lists the tokens that would render empty, so data can be fixed before starting. Nothing is sent or stored.',
  request: {
    params: CampaignIdParam,
    query: z
      .object({
        leadId: z.string().min(1).optional().openapi({ description: 'The lead to render for, by id (or give email)', example: exampleId('lead') }),
        email: z.string().min(1).optional().openapi({ description: 'The lead to render for, by email address (or give leadId)', example: 'raj@globex.com' }),
      })
      .refine((q) => (q.leadId === undefined) !== (q.email === undefined), 'give exactly one of leadId or email'),
  },
  responses: { 200: jsonResponse(dataOf(PreviewSchema), 'The rendered steps'), ...commonErrors },
});

export function campaignRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  return createRouter()
    .openapi(create, async (c) => {
      const data = await createCampaign(services, c.get('workspaceId'), c.req.valid('json'));
      return c.json({ data }, 201);
    })
    .openapi(get, async (c) => {
      const [campaign, health] = await Promise.all([
        getCampaign(services, c.get('workspaceId'), c.req.valid('param').id),
        campaignHealth(services, c.get('workspaceId'), c.req.valid('param').id),
      ]);
      c.header('ETag', `"${campaign.version}"`);
      return c.json({ data: { ...campaignView(campaign), health } }, 200);
    })
    .openapi(healthRoute, async (c) => c.json({ data: await campaignHealth(services, c.get('workspaceId'), c.req.valid('param').id) }, 200))
    .openapi(list, async (c) => c.json(await listCampaigns(services, c.get('workspaceId'), c.req.valid('query')), 200))
    .openapi(update, async (c) => {
      const campaign = await updateCampaign(services, c.get('workspaceId'), c.req.valid('param').id, c.req.valid('json'), versionOf(c.req.valid('header')['if-match']));
      c.header('ETag', `"${campaign.version}"`);
      return c.json({ data: campaignView(campaign) }, 200);
    })
    .openapi(start, async (c) => c.json({ data: await startCampaign(services, c.get('workspaceId'), c.req.valid('param').id) }, 200))
    .openapi(resume, async (c) => c.json({ data: await startCampaign(services, c.get('workspaceId'), c.req.valid('param').id, { resumeOnly: true }) }, 200))
    .openapi(preview, async (c) => {
      const data = await previewCampaign(services, c.get('workspaceId'), c.req.valid('param').id, c.req.valid('query'));
      return c.json({ data }, 200);
    })
    .openapi(pause, async (c) => c.json({ data: await pauseCampaign(services, c.get('workspaceId'), c.req.valid('param').id) }, 200));
}
