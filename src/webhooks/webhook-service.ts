import { randomBytes } from 'node:crypto';
import { InvalidValueError, NotFoundError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { paginate } from '../domain/paginate.js';
import type { ServiceDeps } from '../services.js';
import { eventBody, type EventType } from './events.js';
import { checkWebhookUrl, type HostResolver } from './url-policy.js';
import { sealWebhookSecret } from './webhook-secrets.js';

type Hook = { id: string; url: string; events: string[]; createdAt: Date };
const view = (h: Hook) => ({ id: h.id, url: h.url, events: h.events as EventType[], status: 'active' as const, createdAt: h.createdAt.toISOString() });

export type WebhookPolicy = { allowPrivateUrls: boolean; resolveHost?: HostResolver | undefined };

/**
 * Registers an endpoint after checking its URL (SPEC §7); the secret is in this answer only, and
 * stored sealed with `secretKey` (SECRET_ENCRYPTION_KEY).
 */
export async function createWebhook({ db }: ServiceDeps, policy: WebhookPolicy, secretKey: Buffer, workspaceId: string, input: { url: string; events: EventType[] }) {
  const check = await checkWebhookUrl(input.url, policy.allowPrivateUrls, policy.resolveHost);
  if (!check.ok) throw new InvalidValueError('url', check.reason, `The webhook url ${check.reason}.`);
  const id = newId('wh');
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const hook = await db.webhook.create({
    data: { id, workspaceId, url: input.url, events: [...new Set(input.events)], secret: sealWebhookSecret(secretKey, id, secret) },
  });
  return { ...view(hook), secret };
}

/** The secret as a replayed answer shows it (SPEC §9): its type prefix only. */
export const MASKED_WEBHOOK_SECRET = 'whsec_********';

export async function listWebhooks({ db }: ServiceDeps, workspaceId: string) {
  return (await db.webhook.findMany({ where: { workspaceId, deletedAt: null }, orderBy: { id: 'asc' } })).map(view);
}

async function requireWebhook({ db }: ServiceDeps, workspaceId: string, id: string) {
  const hook = await db.webhook.findFirst({ where: { id, workspaceId, deletedAt: null } });
  if (!hook) throw new NotFoundError('webhook');
  return hook;
}

export async function deleteWebhook(deps: ServiceDeps, workspaceId: string, id: string) {
  const hook = await requireWebhook(deps, workspaceId, id);
  await deps.db.webhook.update({ where: { id: hook.id }, data: { deletedAt: deps.now() } });
  return { id: hook.id, deleted: true };
}

export async function listDeliveries(deps: ServiceDeps, workspaceId: string, id: string, query: { limit: number; cursor?: string | undefined }) {
  const hook = await requireWebhook(deps, workspaceId, id);
  const rows = await deps.db.webhookDelivery.findMany({
    where: { webhookId: hook.id, ...(query.cursor ? { id: { lt: query.cursor } } : {}) },
    orderBy: { id: 'desc' },
    take: query.limit + 1,
  });
  const { page, nextCursor } = paginate(rows, query.limit, (d) => d.id);
  const data = page.map((d) => ({
    id: d.id,
    eventId: d.eventId,
    event: d.eventType,
    attempt: d.attempt,
    succeeded: d.succeeded,
    responseStatus: d.responseStatus,
    error: d.error,
    durationMs: d.durationMs,
    attemptedAt: d.attemptedAt.toISOString(),
  }));
  return { data, nextCursor };
}

/** The workspace's events, newest first, in the shape webhooks deliver. */
export async function listEvents(
  { db }: ServiceDeps,
  workspaceId: string,
  query: { limit: number; cursor?: string | undefined; type?: readonly string[] | undefined; campaignId?: string | undefined },
) {
  const rows = await db.event.findMany({
    where: {
      workspaceId,
      ...(query.type ? { type: { in: [...query.type] } } : {}),
      // A reply's event carries the campaign inside the reply.
      ...(query.campaignId ? { OR: [{ data: { path: ['campaignId'], equals: query.campaignId } }, { data: { path: ['reply', 'campaignId'], equals: query.campaignId } }] } : {}),
      ...(query.cursor ? { id: { lt: query.cursor } } : {}),
    },
    orderBy: { id: 'desc' },
    take: query.limit + 1,
  });
  const { page, nextCursor } = paginate(rows, query.limit, (e) => e.id);
  return { data: page.map(eventBody), nextCursor };
}
