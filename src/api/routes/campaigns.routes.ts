import { createRoute } from '@hono/zod-openapi';
import { createCampaign, campaignView, getCampaign, listCampaigns } from '../../campaigns/campaign-service.js';
import { createRouter, type AppDeps } from '../context.js';
import {
  CampaignIdParam,
  CampaignSchema,
  CreateCampaignSchema,
  CreatedCampaignSchema,
  ListCampaignsQuery,
} from '../schemas/campaigns.js';
import { commonErrors, dataOf, jsonBody, jsonResponse, listOf } from '../schemas/common.js';

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
  summary: 'Get a campaign with its steps',
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(dataOf(CampaignSchema), 'The campaign'), ...commonErrors },
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

export function campaignRoutes({ db }: AppDeps) {
  return createRouter()
    .openapi(create, async (c) => {
      const data = await createCampaign(db, c.get('workspaceId'), c.req.valid('json'));
      return c.json({ data }, 201);
    })
    .openapi(get, async (c) => {
      const campaign = await getCampaign(db, c.get('workspaceId'), c.req.valid('param').id);
      return c.json({ data: campaignView(campaign) }, 200);
    })
    .openapi(list, async (c) => c.json(await listCampaigns(db, c.get('workspaceId'), c.req.valid('query')), 200));
}
