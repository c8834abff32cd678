import type { Db, Prisma, Tx } from '../db.js';
import { newId } from '../domain/ids.js';
import type { ServiceDeps } from '../services.js';

export const EVENT_TYPES = [
  'campaign.created',
  'campaign.updated',
  'campaign.started',
  'campaign.paused',
  'campaign.auto_paused',
  'message.sent',
  'message.delivered',
  'message.bounced',
  'message.complained',
  'reply.received',
  'lead.completed',
  'lead.replied',
  'lead.stopped',
  'lead.enrolled',
  'lead.held',
  'lead.resumed',
  'variant.added',
  'step.winner_selected',
  'suppression.added',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * A `type` filter as callers write it: types and family prefixes (`lead.*`), comma-separated, as
 * the types they stand for; null when one names no type at all.
 */
export function eventTypesMatching(filter: string): EventType[] | null {
  const wanted = filter.split(',').map((t) => t.trim()).filter(Boolean);
  const matches = wanted.map((w) => (w.endsWith('.*') ? EVENT_TYPES.filter((t) => t.startsWith(w.slice(0, -1))) : EVENT_TYPES.filter((t) => t === w)));
  if (wanted.length === 0 || matches.some((m) => m.length === 0)) return null;
  return [...new Set(matches.flat())];
}
export type StoredEvent = { id: string; workspaceId: string; type: string; data: unknown; createdAt: Date };

/** Records an event in the transaction that makes it true, so it exists exactly when its cause does. */
export async function emitEvent(tx: Tx | Db, workspaceId: string, type: EventType, data: Record<string, unknown>): Promise<StoredEvent> {
  return tx.event.create({ data: { id: newId('evt'), workspaceId, type, data: data as Prisma.InputJsonValue } });
}

/** Several events in one statement, for endings that touch many enrollments at once. */
export async function emitEvents(tx: Tx, events: { workspaceId: string; type: EventType; data: Record<string, unknown> }[]): Promise<void> {
  if (events.length === 0) return;
  await tx.event.createMany({ data: events.map((e) => ({ id: newId('evt'), workspaceId: e.workspaceId, type: e.type, data: e.data as Prisma.InputJsonValue })) });
}

/**
 * One event per enrollment, set-based (a bulk call enrolls 10,000 in one statement): data is
 * `{campaignId, leadId, email, enrollmentId}` from the rows, plus `extra`, the same for each.
 */
export async function emitEnrollmentEvents(tx: Tx, workspaceId: string, type: EventType, enrollmentIds: string[], extra: Record<string, unknown> = {}): Promise<void> {
  if (enrollmentIds.length === 0) return;
  const eventIds = enrollmentIds.map(() => newId('evt'));
  await tx.$executeRaw`
    INSERT INTO "Event" (id, "workspaceId", type, data, "createdAt")
    SELECT ev.id, ${workspaceId}, ${type},
           jsonb_build_object('campaignId', e."campaignId", 'leadId', e."leadId", 'email', l.email, 'enrollmentId', e.id) || ${JSON.stringify(extra)}::jsonb,
           -- The statement's time, not the transaction's start: events written before it in the
           -- same transaction carry this process's clock, and timestamps should read in feed order.
           clock_timestamp()
      FROM unnest(${eventIds}::text[], ${enrollmentIds}::text[]) WITH ORDINALITY AS ev(id, "enrollmentId", n)
      JOIN "Enrollment" e ON e.id = ev."enrollmentId"
      JOIN "Lead" l ON l.id = e."leadId"
     ORDER BY ev.n`;
}

/** The body every webhook receives for an event (SPEC §7). */
export const eventBody = (e: StoredEvent) => ({ id: e.id, event: e.type, timestamp: e.createdAt.toISOString(), data: e.data });

/**
 * Starts one durable delivery workflow per subscribed webhook (ID `webhook-<wh>-<evt>`, so a
 * repeated dispatch never delivers twice). Call it after the event's transaction commits.
 */
export async function dispatchEvents({ db, orchestrator, now }: ServiceDeps, events: StoredEvent[]) {
  if (events.length === 0) return;
  const ids = events.map((e) => e.id);
  // One statement finds the subscriptions and marks the events nobody subscribes to (most of
  // them): nothing is started for those, so they are dispatched as soon as they are looked at.
  const pairs = await db.$queryRaw<{ webhookId: string; eventId: string }[]>`
    WITH pairs AS (
      SELECT w.id AS "webhookId", e.id AS "eventId" FROM "Event" e
        JOIN "Webhook" w ON w."workspaceId" = e."workspaceId" AND w."deletedAt" IS NULL AND e.type = ANY(w.events)
       WHERE e.id = ANY(${ids}::text[])),
    quiet AS (
      UPDATE "Event" SET "dispatchedAt" = ${now()}
       WHERE id = ANY(${ids}::text[]) AND "dispatchedAt" IS NULL AND id NOT IN (SELECT "eventId" FROM pairs))
    SELECT "webhookId", "eventId" FROM pairs`;
  if (pairs.length === 0) return;
  await Promise.all(pairs.map((p) => orchestrator.startWebhookDelivery(p.webhookId, p.eventId)));
  const subscribed = [...new Set(pairs.map((p) => p.eventId))];
  await db.event.updateMany({ where: { id: { in: subscribed }, dispatchedAt: null }, data: { dispatchedAt: now() } });
}

/**
 * Dispatches events whose dispatch a crash interrupted (committed, never handed to Temporal).
 * Safe to run any time: delivery workflow IDs make a second dispatch a no-op.
 */
export async function relayUndispatched(deps: ServiceDeps, options: { olderThanMs?: number; batch?: number; workspaceId?: string } = {}) {
  const { olderThanMs = 30_000, batch = 500, workspaceId } = options;
  const events = await deps.db.event.findMany({
    // 0 is every event: the database's clock rounds createdAt to the millisecond, up as often as
    // down, so an event just written can read as newer than this process's now.
    where: { dispatchedAt: null, ...(olderThanMs > 0 ? { createdAt: { lt: new Date(deps.now().getTime() - olderThanMs) } } : {}), ...(workspaceId ? { workspaceId } : {}) },
    orderBy: { createdAt: 'asc' },
    take: batch,
  });
  await dispatchEvents(deps, events);
  return events.length;
}

/**
 * The events recorded for a message (sent, delivered, bounced, complained), by the column the
 * database keeps from data.messageId: an index lookup, not a JSON path over every event.
 */
export function messageEvents(db: Db | Tx, m: { id: string; workspaceId: string }): Promise<StoredEvent[]> {
  return db.event.findMany({ where: { workspaceId: m.workspaceId, messageId: m.id } });
}

type MessageRef = { id: string; workspaceId: string; campaignId: string; leadId: string; toEmail: string; stepNumber: number; variantId: string | null };

export const messageEventData = (m: Omit<MessageRef, 'workspaceId'>) => ({
  messageId: m.id,
  campaignId: m.campaignId,
  leadId: m.leadId,
  email: m.toEmail,
  sequenceStep: m.stepNumber,
  variantId: m.variantId,
});

/**
 * A message's `message.sent`, the one place a send is told: by the send path when the provider
 * answers (src/delivery/deliver.ts), or by a provider event that proves a send the row did not
 * record (src/replies/provider-events.ts). Call it once per message, in the transaction that
 * records it sent.
 */
export function emitMessageSent(tx: Tx, m: MessageRef): Promise<StoredEvent> {
  return emitEvent(tx, m.workspaceId, 'message.sent', messageEventData(m));
}
