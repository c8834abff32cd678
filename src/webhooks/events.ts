import type { Db, Prisma, Tx } from '../db.js';
import { newId } from '../domain/ids.js';
import type { ServiceDeps } from '../services.js';
import { startWebhookDelivery } from '../workflows/client.js';

export const EVENT_TYPES = [
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
  'step.winner_selected',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
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

/** The body every webhook receives for an event (SPEC §7). */
export const eventBody = (e: StoredEvent) => ({ id: e.id, event: e.type, timestamp: e.createdAt.toISOString(), data: e.data });

/**
 * Starts one durable delivery workflow per subscribed webhook (ID `webhook-<wh>-<evt>`, so a
 * repeated dispatch never delivers twice). Call it after the event's transaction commits.
 */
export async function dispatchEvents({ db, orchestrator, now }: ServiceDeps, events: StoredEvent[]) {
  if (events.length === 0) return;
  const hooks = await db.webhook.findMany({
    where: { workspaceId: { in: [...new Set(events.map((e) => e.workspaceId))] }, deletedAt: null },
    select: { id: true, workspaceId: true, events: true },
  });
  const starts = events.flatMap((event) =>
    hooks.filter((h) => h.workspaceId === event.workspaceId && h.events.includes(event.type)).map((h) => startWebhookDelivery(orchestrator, h.id, event.id)),
  );
  await Promise.all(starts);
  await db.event.updateMany({ where: { id: { in: events.map((e) => e.id) }, dispatchedAt: null }, data: { dispatchedAt: now() } });
}

/**
 * Dispatches events whose dispatch a crash interrupted (committed, never handed to Temporal).
 * Safe to run any time: delivery workflow IDs make a second dispatch a no-op.
 */
export async function relayUndispatched(deps: ServiceDeps, options: { olderThanMs?: number; batch?: number; workspaceId?: string } = {}) {
  const { olderThanMs = 30_000, batch = 500, workspaceId } = options;
  const events = await deps.db.event.findMany({
    where: { dispatchedAt: null, createdAt: { lt: new Date(deps.now().getTime() - olderThanMs) }, ...(workspaceId ? { workspaceId } : {}) },
    orderBy: { createdAt: 'asc' },
    take: batch,
  });
  await dispatchEvents(deps, events);
  return events.length;
}

export const messageEventData = (m: { id: string; campaignId: string; leadId: string; toEmail: string; stepNumber: number; variantId: string | null }) => ({
  messageId: m.id,
  campaignId: m.campaignId,
  leadId: m.leadId,
  email: m.toEmail,
  sequenceStep: m.stepNumber,
  variantId: m.variantId,
});
