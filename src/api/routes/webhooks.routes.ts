import { createRoute, z } from '@hono/zod-openapi';
import { EVENT_TYPES } from '../../webhooks/events.js';
import { createWebhook, deleteWebhook, listDeliveries, listEvents, listWebhooks } from '../../webhooks/webhook-service.js';
import { createRouter, servicesOf, type AppDeps } from '../context.js';
import { commonErrors, dataOf, jsonBody, jsonResponse, listOf, PaginationQuery } from '../schemas/common.js';

const tags = ['Webhooks'];
const security = [{ bearerAuth: [] }];
const EventType = z.enum(EVENT_TYPES);

const WebhookSchema = z
  .object({ id: z.string(), url: z.string(), events: z.array(EventType), status: z.literal('active'), createdAt: z.string() })
  .openapi('Webhook');
const CreatedWebhookSchema = WebhookSchema.extend({ secret: z.string().openapi({ description: 'whsec_… — shown once' }) }).openapi('CreatedWebhook');
const DeliverySchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    event: z.string(),
    attempt: z.number().int(),
    succeeded: z.boolean(),
    responseStatus: z.number().int().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int(),
    attemptedAt: z.string(),
  })
  .openapi('WebhookDelivery');
const EventSchema = z.object({ id: z.string(), event: z.string(), timestamp: z.string(), data: z.unknown() }).openapi('Event');

const create = createRoute({
  method: 'post',
  path: '/webhooks',
  tags,
  security,
  summary: 'Register an https endpoint for events; the signing secret is shown once',
  request: {
    body: jsonBody(z.strictObject({ url: z.string().max(2_000), events: z.array(EventType).min(1).max(EVENT_TYPES.length) }).openapi('WebhookInput')),
  },
  responses: { 201: jsonResponse(dataOf(CreatedWebhookSchema), 'The webhook and its secret'), ...commonErrors },
});
const list = createRoute({
  method: 'get',
  path: '/webhooks',
  tags,
  security,
  summary: "The workspace's webhooks",
  responses: { 200: jsonResponse(listOf(WebhookSchema), 'Webhooks'), ...commonErrors },
});
const remove = createRoute({
  method: 'delete',
  path: '/webhooks/{id}',
  tags,
  security,
  summary: 'Delete a webhook (pending retries stop)',
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: jsonResponse(dataOf(z.object({ id: z.string(), deleted: z.boolean() })), 'Deleted'), ...commonErrors },
});
const deliveries = createRoute({
  method: 'get',
  path: '/webhooks/{id}/deliveries',
  tags,
  security,
  summary: 'Every delivery attempt, newest first',
  request: { params: z.object({ id: z.string() }), query: PaginationQuery },
  responses: { 200: jsonResponse(listOf(DeliverySchema), 'Attempts'), ...commonErrors },
});
const events = createRoute({
  method: 'get',
  path: '/events',
  tags,
  security,
  summary: "The workspace's events, newest first",
  request: { query: PaginationQuery.extend({ type: EventType.optional() }) },
  responses: { 200: jsonResponse(listOf(EventSchema), 'Events'), ...commonErrors },
});

export function webhookRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  const policy = { allowPrivateUrls: deps.config.WEBHOOK_ALLOW_PRIVATE_URLS, resolveHost: deps.resolveHost };
  return createRouter()
    .openapi(create, async (c) => c.json({ data: await createWebhook(services, policy, c.get('workspaceId'), c.req.valid('json')) }, 201))
    .openapi(list, async (c) => c.json({ data: await listWebhooks(services, c.get('workspaceId')), nextCursor: null }, 200))
    .openapi(remove, async (c) => c.json({ data: await deleteWebhook(services, c.get('workspaceId'), c.req.valid('param').id) }, 200))
    .openapi(deliveries, async (c) => c.json(await listDeliveries(services, c.get('workspaceId'), c.req.valid('param').id, c.req.valid('query')), 200))
    .openapi(events, async (c) => c.json(await listEvents(services, c.get('workspaceId'), c.req.valid('query')), 200));
}
