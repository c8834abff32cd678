import { createRoute, z } from '@hono/zod-openapi';
import { EVENT_TYPES, eventTypesMatching, type EventType as EventTypeName } from '../../webhooks/events.js';
import { eventsAfter } from '../../webhooks/event-feed.js';
import { createWebhook, deleteWebhook, listDeliveries, listEvents, listWebhooks, MASKED_WEBHOOK_SECRET } from '../../webhooks/webhook-service.js';
import { requireSetting } from '../../config.js';
import { showOnce } from '../idempotency.js';
import { streamEvents } from '../event-stream.js';
import { createRouter, servicesOf, type AppDeps } from '../context.js';
import { commonErrors, Count, dataOf, exampleId, Id, IdempotencyHeaders, jsonBody, jsonResponse, listOf, paginationQuery, SecretMasked, Timestamp, unpagedListOf } from '../schemas/common.js';

const tags = ['Webhooks'];
const security = [{ bearerAuth: [] }];

const MESSAGE_DATA = '`{messageId, campaignId, leadId, email, sequenceStep, variantId}` (variantId null for a step without variants)';
const ENDED_DATA = '`{campaignId, leadId, email, enrollmentId, status, reason, at}`';

/** Every event type, what it means and the data it carries: a new type does not compile without both. */
const ENROLLMENT_DATA = '`{campaignId, leadId, email, enrollmentId}`';
const EVENTS: Record<EventTypeName, { means: string; data: string }> = {
  'campaign.created': { means: 'a campaign was created (a draft)', data: '`{campaignId, name, status, sequenceSteps}` (sequenceSteps: how many)' },
  'campaign.updated': { means: 'its name, settings or steps changed', data: '`{campaignId, name, status, version, changed}` (changed: `name`, each setting given as `settings.<name>` such as settings.sendingWindow, `sequenceSteps`; version also moves with starts, pauses and variants)' },
  'campaign.started': { means: 'started or resumed', data: '`{campaignId, name, status, startedAt, resumed}`' },
  'campaign.paused': { means: 'paused by hand', data: '`{campaignId, name, status, pausedAt}`' },
  'campaign.auto_paused': { means: 'a deliverability guard paused it', data: '`{campaignId, name, status, pausedAt, pauseReason, scope, rate, threshold, sent, bounced, complained}`' },
  'message.sent': { means: 'the provider accepted a message', data: MESSAGE_DATA },
  'message.delivered': { means: "the recipient's server accepted it", data: MESSAGE_DATA },
  'message.bounced': { means: 'it bounced, hard or soft', data: `${MESSAGE_DATA} plus \`bounceType\` (hard|soft) and \`bounceReason\`` },
  'message.complained': { means: 'reported as spam', data: MESSAGE_DATA },
  'reply.received': { means: 'a reply, classified', data: '`{reply}` (a Reply)' },
  'lead.completed': { means: 'a lead got every step', data: '`{campaignId, leadId, email}`' },
  'lead.replied': { means: "a lead's sequence ended because it replied", data: ENDED_DATA },
  'step.winner_selected': { means: 'settings.autoOptimize chose a step\'s winning variant', data: '`{campaignId, stepNumber, variantId, minDeliveredPerVariant, variants: [{id, delivered, replied, replyRate, z}]}`' },
  'lead.enrolled': { means: 'a lead joined a campaign (added by a bulk call)', data: `${ENROLLMENT_DATA} plus \`status\` (active into a running campaign, pending until it starts)` },
  'lead.held': { means: 'a lead waits by itself: an out-of-office reply holds it, or it was paused alone', data: `${ENROLLMENT_DATA} plus \`reason\` (out_of_office with \`until\`, the hold's end, after which the mail goes at the window's next opening, \`returnDate\` and the reply's \`classification\`; lead_paused with until null)` },
  'lead.resumed': { means: 'a lead paused alone was resumed', data: ENROLLMENT_DATA },
  'variant.added': { means: 'a step got another variant (an A/B test starts or grows)', data: '`{campaignId, stepNumber, variantId, variants, version}` (variants: how many the step has now)' },
  'suppression.added': { means: 'an address joined the suppression list: by hand, an unsubscribe, a hard bounce or a complaint', data: '`{email, reason}`' },
  'lead.stopped': { means: "a lead's sequence ended early: stopped, unsubscribed, bounced or failed (status and reason say which)", data: ENDED_DATA },
};
const EVENT_MEANINGS = Object.entries(EVENTS)
  .map(([type, { means }]) => `\`${type}\` (${means})`)
  .join(', ');
const EVENT_DATA = `What happened; by type: ${Object.entries(EVENTS)
  .map(([type, { data }]) => `${type}: ${data}`)
  .join('; ')}.`;
const EventType = z.enum(EVENT_TYPES).openapi({ description: `An event type: ${EVENT_MEANINGS}`, example: 'message.sent' });
const EventTypeField = z.string().openapi({ description: `The event type: ${EVENT_MEANINGS}`, example: 'message.sent' });

const WEBHOOK_URL = 'The https endpoint events are delivered to (up to 2,000 characters); it must resolve only to public addresses (checked at registration and before every attempt) unless the operator allows private URLs.';
const WEBHOOK_EVENTS = 'The event types it receives, at least one: types, or families such as `lead.*` (every lead event, stored as the types it stands for)';

const WebhookSchema = z
  .object({
    id: Id('wh', 'The webhook\'s id'),
    url: z.string().openapi({ description: WEBHOOK_URL, example: 'https://hooks.example.com/sequent' }),
    events: z.array(EventType).openapi({ description: 'The event types it receives', example: ['message.sent', 'reply.received'] }),
    status: z.literal('active').openapi({ description: 'Always `active`: a deleted webhook is no longer listed', example: 'active' }),
    createdAt: Timestamp('When it was registered'),
  })
  .openapi('Webhook', { description: 'An endpoint that receives the workspace\'s events' });
const CreatedWebhookSchema = WebhookSchema.extend({
  secret: z.string().openapi({
    description: 'The signing secret, shown only in this answer (stored encrypted): verify each delivery\'s webhook-id, webhook-timestamp and webhook-signature headers with it (Standard Webhooks; the standardwebhooks or svix libraries). A repeat of the call with the same idempotency key shows `whsec_********` (see secretMasked)',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  }),
  secretMasked: SecretMasked('the secret'),
}).openapi('CreatedWebhook', { description: 'The new webhook and its signing secret' });
const DeliverySchema = z
  .object({
    id: Id('whd', 'The attempt\'s id'),
    eventId: Id('evt', 'The event delivered (also its webhook-id header)'),
    event: EventTypeField,
    attempt: Count('1 for the first try; retries follow at +1 m, +5 m, +30 m, +2 h and +8 h until one succeeds (6 at most)', 1),
    succeeded: z.boolean().openapi({ description: 'Whether the endpoint answered 2xx within 10 s', example: true }),
    responseStatus: z.number().int().nullable().openapi({ description: 'The HTTP status the endpoint answered; null when it did not answer (timeout, network error, a refused URL)', example: 200 }),
    error: z.string().nullable().openapi({ description: 'Why the attempt failed (the endpoint answered an error code, a network error, `refused: the URL …`); null when it succeeded', example: null }),
    durationMs: Count('How long the attempt took, in milliseconds', 142),
    attemptedAt: Timestamp('When the attempt was made'),
  })
  .openapi('WebhookDelivery', { description: 'One attempt to deliver an event to a webhook' });
const EventSchema = z
  .object({
    id: Id('evt', 'The event\'s id: the same in every delivery of it (use it to ignore a redelivery)'),
    event: EventTypeField,
    timestamp: Timestamp('When it happened'),
    data: z.unknown().openapi({ description: EVENT_DATA, example: { messageId: exampleId('msg'), campaignId: exampleId('camp'), leadId: exampleId('lead'), email: 'jane@acme.com', sequenceStep: 1, variantId: 'B' } }),
  })
  .openapi('Event', { description: 'Something that happened in the workspace, in the shape webhooks receive it' });

const WebhookIdParam = z.object({ id: z.string().openapi({ description: 'The webhook\'s id', example: exampleId('wh') }) });

const create = createRoute({
  method: 'post',
  path: '/webhooks',
  tags,
  security,
  summary: 'Register an https endpoint for events; the signing secret is shown once',
  description:
    'From now on each event of the chosen types is POSTed to `url` as `{id, event, timestamp, data}`, signed per Standard Webhooks with the secret in this answer (shown only here, stored encrypted; a retry with the same Idempotency-Key replays this answer with the secret masked and `secretMasked: true`). ' +
    'A 2xx within 10 s acknowledges; otherwise it is retried at +1 m, +5 m, +30 m, +2 h and +8 h, every attempt logged (GET /v1/webhooks/{id}/deliveries). Redirects are not followed. A URL that is not https or resolves to a private address is 422.',
  request: {
    headers: IdempotencyHeaders,
    body: jsonBody(
      z
        .strictObject({
          url: z.string().max(2_000).openapi({ description: WEBHOOK_URL, example: 'https://hooks.example.com/sequent' }),
          events: z
            .array(z.string().max(100).openapi({ description: `An event type or a family of them (\`lead.*\`): ${EVENT_MEANINGS}`, example: 'lead.*' }))
            .min(1)
            .max(EVENT_TYPES.length)
            .transform((items, ctx) => {
              const types = items.map((item) => eventTypesMatching(item));
              const unknown = items.filter((_item, i) => types[i] === null);
              if (unknown.length === 0) return [...new Set(types.flat() as EventTypeName[])];
              ctx.addIssue({ code: 'custom', message: `names no event type: ${unknown.join(', ')} (give types or families such as lead.*)` });
              return z.NEVER;
            })
            .openapi({ description: WEBHOOK_EVENTS, example: ['lead.*', 'reply.received'] }),
        })
        .openapi('WebhookInput', { description: 'An endpoint to register' }),
    ),
  },
  responses: { 201: jsonResponse(dataOf(CreatedWebhookSchema), 'The webhook and its secret'), ...commonErrors },
});
const list = createRoute({
  method: 'get',
  path: '/webhooks',
  tags,
  security,
  summary: "The workspace's webhooks",
  description: 'Every registered webhook of the workspace, oldest first, without secrets, all in one answer.',
  responses: { 200: jsonResponse(unpagedListOf(WebhookSchema, 'Webhooks, oldest first'), 'Webhooks'), ...commonErrors },
});
const remove = createRoute({
  method: 'delete',
  path: '/webhooks/{id}',
  tags,
  security,
  summary: 'Delete a webhook (pending retries stop)',
  description: 'Stops deliveries to the webhook: no new event is sent to it and pending retries are dropped. From then on it answers 404 `webhook_not_found`, its delivery log included.',
  request: { params: WebhookIdParam },
  responses: {
    200: jsonResponse(
      dataOf(
        z
          .object({ id: Id('wh', 'The deleted webhook\'s id'), deleted: z.boolean().openapi({ description: 'Always true', example: true }) })
          .openapi({ description: 'The deleted webhook' }),
      ),
      'Deleted',
    ),
    ...commonErrors,
  },
});
const deliveries = createRoute({
  method: 'get',
  path: '/webhooks/{id}/deliveries',
  tags,
  security,
  summary: 'Every delivery attempt, newest first',
  description: 'The webhook\'s delivery log, newest attempt first, a page at a time: each attempt with its event, outcome, HTTP status and duration.',
  request: { params: WebhookIdParam, query: paginationQuery(exampleId('whd')) },
  responses: { 200: jsonResponse(listOf(DeliverySchema, 'Attempts, newest first', exampleId('whd')), 'Attempts'), ...commonErrors },
});
const TypeFilter = z
  .string()
  .max(1_000)
  .transform((filter, ctx) => eventTypesMatching(filter) ?? (ctx.addIssue({ code: 'custom', message: `names no event type: give types or families such as lead.* (${EVENT_TYPES.join(', ')})` }), z.NEVER))
  .optional()
  .openapi({ description: `Only events of these types, comma-separated; a family ends in \`.*\` (\`lead.*\`, \`message.*\`). The types: ${EVENT_MEANINGS}`, example: 'reply.received,lead.*' });
const CampaignFilter = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .openapi({ description: "Only this campaign's events: those whose data names it (campaign, lead, message, reply and variant events; suppressions belong to the workspace)", example: exampleId('camp') });
const After = z
  .string()
  .max(200)
  .openapi({
    description:
      'Read the feed oldest first, from just after this event id (empty: from the oldest event kept). Answers `nextCursor` = the last id answered (or the same cursor when nothing is new): pass it as the next `after` and every event comes exactly once, whatever commits meanwhile',
    example: exampleId('evt'),
  });

const events = createRoute({
  method: 'get',
  path: '/events',
  tags,
  security,
  summary: "The workspace's events: newest first, or oldest first from a cursor (after)",
  description:
    'Every event of the workspace in the shape webhooks receive them, kept at least 30 days (EVENT_RETENTION_DAYS) and then deleted; for agents that cannot host a webhook. Without `after`: newest first, paged to older ones with `cursor`. With `after`: a feed, oldest first from that event, to poll (`GET /v1/events/stream` pushes the same feed). `after` and `cursor` do not go together. Filter with `type` and `campaignId`.',
  request: {
    query: paginationQuery(exampleId('evt'))
      .extend({ type: TypeFilter, campaignId: CampaignFilter, after: After.optional() })
      .refine((q) => q.after === undefined || q.cursor === undefined, { message: 'after (the feed) and cursor (pages of the newest-first list) do not go together', path: ['after'] }),
  },
  responses: { 200: jsonResponse(listOf(EventSchema, 'Events, newest first; oldest first with after', exampleId('evt')), 'Events'), ...commonErrors },
});

const stream = createRoute({
  method: 'get',
  path: '/events/stream',
  tags,
  security,
  summary: 'The event feed as Server-Sent Events',
  description:
    'The feed of `GET /v1/events?after=`, pushed as it happens: each event as `id: <event id>`, `event: <type>`, `data: <the event as JSON>`; a `: heartbeat` comment every 15 s keeps proxies from closing it. Reconnect with `Last-Event-ID` (or `?after=`) to continue exactly after the last event received. Without either it starts with events from now on.',
  request: { query: z.object({ after: After.optional(), type: TypeFilter }), headers: z.object({ 'last-event-id': z.string().max(200).optional().openapi({ description: 'The id of the last event received; the stream continues after it (takes precedence over after)', example: exampleId('evt') }) }) },
  responses: { 200: { description: 'An endless text/event-stream', content: { 'text/event-stream': { schema: z.string().openapi({ description: 'Server-Sent Events', example: 'id: evt_…\nevent: message.sent\ndata: {…}\n\n' }) } } }, ...commonErrors },
});

export function webhookRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  const policy = { allowPrivateUrls: deps.config.WEBHOOK_ALLOW_PRIVATE_URLS, resolveHost: deps.resolveHost };
  return createRouter()
    .openapi(create, async (c) => {
      const created = await createWebhook(services, policy, requireSetting(deps.config, 'SECRET_ENCRYPTION_KEY'), c.get('workspaceId'), c.req.valid('json'));
      showOnce(c, { secret: MASKED_WEBHOOK_SECRET });
      return c.json({ data: created }, 201);
    })
    .openapi(list, async (c) => c.json({ data: await listWebhooks(services, c.get('workspaceId')), nextCursor: null }, 200))
    .openapi(remove, async (c) => c.json({ data: await deleteWebhook(services, c.get('workspaceId'), c.req.valid('param').id) }, 200))
    .openapi(deliveries, async (c) => c.json(await listDeliveries(services, c.get('workspaceId'), c.req.valid('param').id, c.req.valid('query')), 200))
    .openapi(events, async (c) => {
      const { after, ...query } = c.req.valid('query');
      if (after === undefined) return c.json(await listEvents(services, c.get('workspaceId'), query), 200);
      return c.json(await eventsAfter(services.db, c.get('workspaceId'), { after, limit: query.limit, type: query.type, campaignId: query.campaignId }), 200);
    })
    .openapi(stream, async (c) => {
      const from = c.req.valid('header')['last-event-id'] ?? c.req.valid('query').after;
      return streamEvents(c, services.db, c.get('workspaceId'), { after: from, type: c.req.valid('query').type });
    });
}
