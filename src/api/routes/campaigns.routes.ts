import { createRoute } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { createCampaign, campaignView, getCampaign, listCampaigns } from '../../campaigns/campaign-service.js';
import { pauseCampaign, startCampaign, updateCampaign } from '../../campaigns/lifecycle.js';
import { previewCampaign } from '../../campaigns/preview.js';
import { campaignStats } from '../../campaigns/stats.js';
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
  UpdateCampaignSchema,
} from '../schemas/campaigns.js';
import { commonErrors, dataOf, errorResponse, jsonBody, jsonResponse, listOf } from '../schemas/common.js';

const tags = ['Campaigns'];
const security = [{ bearerAuth: [] }];

const create = createRoute({
  method: 'post',
  path: '/campaigns',
  tags,
  security,
  summary: 'Create a draft campaign',
  request: { body: jsonBody(CreateCampaignSchema) },
  responses: { 201: jsonResponse(dataOf(CreatedCampaignSchema), 'The new draft campaign'), ...commonErrors },
});

const get = createRoute({
  method: 'get',
  path: '/campaigns/{id}',
  tags,
  security,
  summary: 'Get a campaign with its steps and its health',
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(dataOf(CampaignSchema.extend({ health: HealthSchema })), 'The campaign'), ...commonErrors },
});

const healthRoute = createRoute({
  method: 'get',
  path: '/campaigns/{id}/health',
  tags,
  security,
  summary: 'Whether the campaign is sending, and if not, why and until when',
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(dataOf(HealthSchema), 'The health'), ...commonErrors },
});

const list = createRoute({
  method: 'get',
  path: '/campaigns',
  tags,
  security,
  summary: "List the workspace's campaigns, newest first",
  request: { query: ListCampaignsQuery },
  responses: { 200: jsonResponse(listOf(CampaignSchema), 'A page of campaigns'), ...commonErrors },
});

const update = createRoute({
  method: 'patch',
  path: '/campaigns/{id}',
  tags,
  security,
  summary: 'Rename, change settings, or (in draft only) replace the steps',
  request: { params: CampaignIdParam, body: jsonBody(UpdateCampaignSchema) },
  responses: { 200: jsonResponse(dataOf(CampaignSchema), 'The updated campaign'), ...commonErrors, 409: errorResponse('Steps can change only in draft (campaign_not_draft)') },
});

const StartedSchema = z.object({ id: z.string(), status: CampaignStatusSchema, startedAt: z.string().nullable() }).openapi('CampaignStarted');
const PausedSchema = z.object({ id: z.string(), status: CampaignStatusSchema, pausedAt: z.string().nullable() }).openapi('CampaignPaused');

const lifecycleRoute = (action: 'start' | 'resume' | 'pause', summary: string) =>
  createRoute({
    method: 'post',
    path: `/campaigns/{id}/${action}`,
    tags,
    security,
    summary,
    request: { params: CampaignIdParam },
    responses: {
      200: jsonResponse(dataOf(action === 'pause' ? PausedSchema : StartedSchema), 'The campaign after the call (no-ops answer the current state)'),
      ...commonErrors,
      ...(action === 'resume' ? { 409: errorResponse('A draft is started, not resumed (campaign_not_paused)') } : {}),
    },
  });

const start = lifecycleRoute('start', 'Start a draft campaign, or resume a paused one');
const resume = lifecycleRoute('resume', 'Resume a paused campaign (a no-op on a running one; a draft answers 409)');
const pause = lifecycleRoute('pause', 'Pause a running campaign: no message goes out after this returns');

const StatsSchema = z
  .object({
    campaignId: z.string(),
    status: CampaignStatusSchema,
    enrolledLeads: z.number().int(),
    metrics: z.object({
      sent: z.number().int().openapi({ description: 'Messages the mail provider accepted' }),
      delivered: z.number().int().openapi({ description: "Messages the recipient's server accepted (a later hard bounce moves one to bounced)" }),
      queued: z.number().int().openapi({ description: 'Enrolled leads with a step still to send (waiting on a delay, the window, capacity or a pause)' }),
      bounced: z.number().int().openapi({ description: 'Messages permanently rejected (hard bounces; soft bounces are not counted)' }),
      complained: z.number().int().openapi({ description: 'Messages the recipient reported as spam' }),
      replied: z.number().int().openapi({ description: 'Leads with at least one reply that counts (not out-of-office, not a bounce notice)' }),
      replyRate: z.number().openapi({ description: 'replied / delivered, 3 decimals' }),
    }),
    updatedAt: z.string(),
  })
  .openapi('CampaignStats');

const stats = createRoute({
  method: 'get',
  path: '/campaigns/{id}/stats',
  tags,
  security,
  summary: 'Delivery and reply metrics, from the database',
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(dataOf(StatsSchema), 'The stats'), ...commonErrors },
});

const PreviewSchema = z
  .object({
    campaignId: z.string(),
    leadId: z.string(),
    email: z.string(),
    steps: z.array(z.object({ stepNumber: z.number().int(), subject: z.string(), bodyHtml: z.string(), emptyTokens: z.array(z.string()) })),
    emptyTokens: z.array(z.string()),
  })
  .openapi('CampaignPreview');

const preview = createRoute({
  method: 'get',
  path: '/campaigns/{id}/preview',
  tags,
  security,
  summary: 'Render every step for one lead (by leadId or email) and list tokens that render empty',
  request: {
    params: CampaignIdParam,
    query: z
      .object({ leadId: z.string().min(1).optional(), email: z.string().min(1).optional() })
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
      return c.json({ data: { ...campaignView(campaign), health } }, 200);
    })
    .openapi(healthRoute, async (c) => c.json({ data: await campaignHealth(services, c.get('workspaceId'), c.req.valid('param').id) }, 200))
    .openapi(list, async (c) => c.json(await listCampaigns(services, c.get('workspaceId'), c.req.valid('query')), 200))
    .openapi(update, async (c) => {
      const campaign = await updateCampaign(services, c.get('workspaceId'), c.req.valid('param').id, c.req.valid('json'));
      return c.json({ data: campaignView(campaign) }, 200);
    })
    .openapi(start, async (c) => c.json({ data: await startCampaign(services, c.get('workspaceId'), c.req.valid('param').id) }, 200))
    .openapi(resume, async (c) => c.json({ data: await startCampaign(services, c.get('workspaceId'), c.req.valid('param').id, { resumeOnly: true }) }, 200))
    .openapi(stats, async (c) => c.json({ data: await campaignStats(services, c.get('workspaceId'), c.req.valid('param').id) }, 200))
    .openapi(preview, async (c) => {
      const data = await previewCampaign(services, c.get('workspaceId'), c.req.valid('param').id, c.req.valid('query'));
      return c.json({ data }, 200);
    })
    .openapi(pause, async (c) => c.json({ data: await pauseCampaign(services, c.get('workspaceId'), c.req.valid('param').id) }, 200));
}
