import { randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { newId } from '../../domain/ids.js';
import { paginate } from '../../domain/paginate.js';
import { EVENT_TYPES, eventBody } from '../../webhooks/events.js';
import { checkWebhookUrl } from '../../webhooks/url-policy.js';
import { createRouter, type AppDeps } from '../context.js';
import { ApiError, notFound } from '../errors.js';
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

type Hook = { id: string; url: string; events: string[]; createdAt: Date };
const view = (h: Hook) => ({ id: h.id, url: h.url, events: h.events as (typeof EVENT_TYPES)[number][], status: 'active' as const, createdAt: h.createdAt.toISOString() });

export function webhookRoutes({ db, config, resolveHost }: AppDeps) {
  const findHook = async (workspaceId: string, id: string) => {
    const hook = await db.webhook.findFirst({ where: { id, workspaceId, deletedAt: null } });
    if (!hook) throw notFound('webhook_not_found', 'Webhook');
    return hook;
  };
  return createRouter()
    .openapi(create, async (c) => {
      const { url, events: subscribed } = c.req.valid('json');
      const check = await checkWebhookUrl(url, config.WEBHOOK_ALLOW_PRIVATE_URLS, resolveHost);
      if (!check.ok) {
        throw new ApiError(422, 'validation_failed', `The webhook url ${check.reason}.`, [{ index: null, field: 'url', message: check.reason }]);
      }
      const hook = await db.webhook.create({
        data: {
          id: newId('wh'),
          workspaceId: c.get('workspaceId'),
          url,
          events: [...new Set(subscribed)],
          secret: `whsec_${randomBytes(32).toString('base64')}`,
        },
      });
      return c.json({ data: { ...view(hook), secret: hook.secret } }, 201);
    })
    .openapi(list, async (c) => {
      const hooks = await db.webhook.findMany({ where: { workspaceId: c.get('workspaceId'), deletedAt: null }, orderBy: { id: 'asc' } });
      return c.json({ data: hooks.map(view), nextCursor: null }, 200);
    })
    .openapi(remove, async (c) => {
      const hook = await findHook(c.get('workspaceId'), c.req.valid('param').id);
      await db.webhook.update({ where: { id: hook.id }, data: { deletedAt: new Date() } });
      return c.json({ data: { id: hook.id, deleted: true } }, 200);
    })
    .openapi(deliveries, async (c) => {
      const hook = await findHook(c.get('workspaceId'), c.req.valid('param').id);
      const { limit, cursor } = c.req.valid('query');
      const rows = await db.webhookDelivery.findMany({
        where: { webhookId: hook.id, ...(cursor ? { id: { lt: cursor } } : {}) },
        orderBy: { id: 'desc' },
        take: limit + 1,
      });
      const { page, nextCursor } = paginate(rows, limit, (d) => d.id);
      return c.json(
        {
          data: page.map((d) => ({
            id: d.id,
            eventId: d.eventId,
            event: d.eventType,
            attempt: d.attempt,
            succeeded: d.succeeded,
            responseStatus: d.responseStatus,
            error: d.error,
            durationMs: d.durationMs,
            attemptedAt: d.attemptedAt.toISOString(),
          })),
          nextCursor,
        },
        200,
      );
    })
    .openapi(events, async (c) => {
      const { limit, cursor, type } = c.req.valid('query');
      const rows = await db.event.findMany({
        where: { workspaceId: c.get('workspaceId'), ...(type ? { type } : {}), ...(cursor ? { id: { lt: cursor } } : {}) },
        orderBy: { id: 'desc' },
        take: limit + 1,
      });
      const { page, nextCursor } = paginate(rows, limit, (e) => e.id);
      return c.json({ data: page.map(eventBody), nextCursor }, 200);
    });
}
