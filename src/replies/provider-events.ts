import { retryOnConflict, MAY_WAIT_FOR_LOCKS, type Db, type Tx } from '../db.js';
import type { Message } from '../generated/prisma/client.js';
import { normalizeEmail } from '../domain/email.js';
import { NotFoundError } from '../domain/errors.js';
import type { ServiceDeps } from '../services.js';
import { checkAutoPause } from '../campaigns/auto-pause.js';
import { considerWinners } from '../campaigns/auto-optimize.js';
import { endEnrollments, lockEnrollments, notifyEnded } from '../leads/endings.js';
import { dispatchEvents, emitEvent, emitMessageSent, messageEventData, type StoredEvent } from '../webhooks/events.js';
import { recordReply, ReplyAlreadyRecorded } from './intake.js';
import { suppressAddress } from './suppression.js';
import { movesFrom } from '../domain/message-states.js';

export type ResendEvent = {
  type: string;
  created_at?: string | undefined;
  data: {
    email_id?: string | undefined;
    from?: string | undefined;
    to?: string[] | string | undefined;
    subject?: string | undefined;
    text?: string | undefined;
    headers?: Record<string, string> | { name: string; value: string }[] | undefined;
    tags?: Record<string, string> | { name: string; value: string }[] | undefined;
    bounce?: { type?: string | undefined; subType?: string | undefined; message?: string | undefined } | undefined;
  };
};

export type EventResult = 'processed' | 'duplicate' | 'ignored' | 'pending';

/** Inbound mail's full content, fetched from the provider (Resend's receiving API). */
export type InboundFetcher = (emailId: string) => Promise<{ from: string; subject?: string; text: string; headers: Record<string, string> } | null>;

/** A message in these states has no send on record, though a provider event proves one. */
const NOT_RECORDED_SENT = new Set<string>(movesFrom('provenSent'));

/** Events about a message Sequent sent; the others (opens, clicks, delays) change nothing. */
const MESSAGE_EVENTS = new Set(['email.sent', 'email.delivered', 'email.bounced', 'email.complained']);

const asRecord = (v: ResendEvent['data']['headers']): Record<string, string> =>
  Array.isArray(v) ? Object.fromEntries(v.map((h) => [h.name, h.value])) : (v ?? {});

const markSeen = (tx: Tx | Db, svixId: string, type: string) =>
  tx.$executeRaw`INSERT INTO "ProviderEvent" ("svixId", type) VALUES (${svixId}, ${type}) ON CONFLICT DO NOTHING`;

/** By the provider's id, else by the message tag Sequent sends with every mail (its answer may have been lost). */
async function findMessage(db: Db, event: ResendEvent): Promise<Message | null> {
  const byProviderId = event.data.email_id ? await db.message.findFirst({ where: { providerId: event.data.email_id } }) : null;
  if (byProviderId) return byProviderId;
  const tags = asRecord(event.data.tags);
  if (!tags.message_id) return null;
  const byTag = await db.message.findUnique({ where: { id: tags.message_id } });
  return byTag && (!tags.workspace_id || tags.workspace_id === byTag.workspaceId) ? byTag : null;
}

/** `judge`: the campaign a hard bounce or complaint landed on, for the deliverability guard. */
type Applied = { ended: string[]; endedAs: 'bounced' | 'stopped' | null; events: StoredEvent[]; judge?: string };

/**
 * Applies one verified Resend event, exactly once per Svix message id: the dedupe row is written in
 * the same transaction as the event's effects. An event for a message not recorded yet is kept and
 * applied when a message records its provider id (SPEC §9: provider events are never lost).
 */
export async function handleResendEvent(deps: ServiceDeps, fetchInbound: InboundFetcher | null, svixId: string, event: ResendEvent): Promise<EventResult> {
  const { db } = deps;
  if (await db.providerEvent.findUnique({ where: { svixId } })) return 'duplicate';
  if (event.type === 'email.received') return handleInbound(deps, fetchInbound, svixId, event);
  if (!MESSAGE_EVENTS.has(event.type)) {
    await markSeen(db, svixId, event.type);
    return 'ignored';
  }
  const message = await findMessage(db, event);
  if (!message) return keepPending(deps, svixId, event);
  const applied = await retryOnConflict(() =>
    db.$transaction(async (tx) => ((await markSeen(tx, svixId, event.type)) === 0 ? null : applyMessageEvent(tx, message.id, event, deps.now())), MAY_WAIT_FOR_LOCKS),
  );
  if (!applied) return 'duplicate';
  await afterApplied(deps, applied);
  return 'processed';
}

async function keepPending(deps: ServiceDeps, svixId: string, event: ResendEvent): Promise<EventResult> {
  const { db } = deps;
  const emailId = event.data.email_id;
  if (!emailId) {
    await markSeen(db, svixId, event.type);
    return 'ignored';
  }
  await db.$executeRaw`
    INSERT INTO "ProviderEvent" ("svixId", type, "pendingEmailId", payload)
    VALUES (${svixId}, ${event.type}, ${emailId}, ${JSON.stringify(event)}::jsonb) ON CONFLICT DO NOTHING`;
  // The message may have recorded this id between the lookup and the insert, too late to see it.
  await applyPendingProviderEvents(deps, emailId);
  return 'pending';
}

/**
 * Applies the events kept for a provider id, once each (the pending mark is cleared in the same
 * transaction as the effects). Called when a send records its provider id.
 */
export async function applyPendingProviderEvents(deps: ServiceDeps, providerId: string): Promise<number> {
  const { db } = deps;
  const pending = await db.providerEvent.findMany({ where: { pendingEmailId: providerId }, orderBy: { receivedAt: 'asc' } });
  if (pending.length === 0) return 0;
  const message = await db.message.findFirst({ where: { providerId }, select: { id: true } });
  if (!message) return 0;
  let applied = 0;
  for (const row of pending) {
    const result = await retryOnConflict(() =>
      db.$transaction(async (tx) => {
        const taken = await tx.$executeRaw`UPDATE "ProviderEvent" SET "pendingEmailId" = NULL WHERE "svixId" = ${row.svixId} AND "pendingEmailId" IS NOT NULL`;
        return taken === 0 ? null : applyMessageEvent(tx, message.id, row.payload as unknown as ResendEvent, deps.now());
      }, MAY_WAIT_FOR_LOCKS),
    );
    if (result) {
      applied++;
      await afterApplied(deps, result);
    }
  }
  return applied;
}

async function afterApplied(deps: ServiceDeps, applied: Applied) {
  if (applied.endedAs) await notifyEnded(deps.orchestrator, applied.ended, applied.endedAs);
  await dispatchEvents(deps, applied.events);
  if (applied.judge) await checkAutoPause(deps, applied.judge);
  // A delivery of a variant moves its numbers: the step may have a winner now.
  const delivered = applied.events.find((e) => e.type === 'message.delivered' && (e.data as { variantId?: string | null }).variantId);
  if (delivered) await considerWinners(deps, (delivered.data as { campaignId: string }).campaignId);
}

/**
 * An event's effects on its message, in the caller's transaction. The message's enrollment is
 * locked first (the order every writer uses), so an event never interleaves with a send of that
 * message. Any event proves the mail went out: a message whose answer was lost (still `sending`,
 * settled `unknown`, `cancelled` by an ending that did not know an earlier call may have gone, or
 * even `failed`: the move `provenSent`)
 * is recorded as sent first, so the counters count the send before what happened to it.
 */
async function applyMessageEvent(tx: Tx, messageId: string, event: ResendEvent, receivedAt: Date): Promise<Applied> {
  const ref = await tx.message.findUniqueOrThrow({ where: { id: messageId }, select: { enrollmentId: true } });
  await lockEnrollments(tx, [ref.enrollmentId]);
  const message = await tx.message.findUniqueOrThrow({ where: { id: messageId } });
  const at = event.created_at ? new Date(event.created_at) : receivedAt;
  const data = messageEventData(message);
  const events: StoredEvent[] = [];
  const none: Applied = { ended: [], endedAs: null, events };

  if (NOT_RECORDED_SENT.has(message.status)) {
    await tx.message.update({
      where: { id: message.id },
      data: { status: 'sent', sentAt: message.unconfirmedSince ?? at, providerId: event.data.email_id ?? message.providerId, unconfirmedSince: null },
    });
    events.push(await emitMessageSent(tx, message));
  }
  if (event.type === 'email.delivered') {
    const { count } = await tx.message.updateMany({
      where: { id: message.id, deliveredAt: null, status: { in: movesFrom('delivered') } },
      data: { status: 'delivered', deliveredAt: at },
    });
    if (count) events.push(await emitEvent(tx, message.workspaceId, 'message.delivered', data));
    return none;
  }
  if (event.type === 'email.bounced') {
    const reason = event.data.bounce?.message ?? 'bounced';
    if ((event.data.bounce?.type ?? 'Permanent').toLowerCase() === 'transient') {
      // A soft bounce (mailbox full, server busy): on the timeline, not counted, nothing stops.
      await tx.message.update({ where: { id: message.id }, data: { softBouncedAt: at, failureReason: reason } });
      events.push(await emitEvent(tx, message.workspaceId, 'message.bounced', { ...data, bounceType: 'soft', bounceReason: reason }));
      return none;
    }
    if (message.status === 'bounced') return none;
    await tx.message.update({ where: { id: message.id }, data: { status: 'bounced', bouncedAt: at, failureReason: reason } });
    events.push(await emitEvent(tx, message.workspaceId, 'message.bounced', { ...data, bounceType: 'hard', bounceReason: reason }));
    await suppressAddress(tx, message.workspaceId, message.toEmail, 'bounced');
    return { ended: await endEnrollments(tx, { leadIds: [message.leadId] }, 'bounced', 'hard bounce', at), endedAs: 'bounced', events, judge: message.campaignId };
  }
  if (event.type === 'email.complained') {
    if (message.complainedAt) return none;
    await tx.message.update({ where: { id: message.id }, data: { complainedAt: at } });
    events.push(await emitEvent(tx, message.workspaceId, 'message.complained', data));
    await suppressAddress(tx, message.workspaceId, message.toEmail, 'complained');
    return { ended: await endEnrollments(tx, { leadIds: [message.leadId] }, 'stopped', 'spam complaint', at), endedAs: 'stopped', events, judge: message.campaignId };
  }
  return none;
}

/** Inbound mail is matched to a lead through the thread it answers (In-Reply-To / References). */
async function handleInbound(deps: ServiceDeps, fetchInbound: InboundFetcher | null, svixId: string, event: ResendEvent): Promise<EventResult> {
  const { db } = deps;
  const fetched = event.data.email_id && fetchInbound ? await fetchInbound(event.data.email_id) : null;
  const headers = fetched?.headers ?? asRecord(event.data.headers);
  const header = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
  const referenced = `${header('in-reply-to')} ${header('references')}`.match(/<[^<>\s]+>/g) ?? [];
  const original = referenced.length
    ? await db.message.findFirst({ where: { rfcMessageId: { in: referenced } }, orderBy: { stepNumber: 'desc' } })
    : null;
  if (!original) {
    await markSeen(db, svixId, event.type);
    return 'ignored';
  }
  const from = fetched?.from ?? event.data.from ?? original.toEmail;
  // The event is marked done in the reply's own transaction, first: the same event delivered
  // twice at once is recorded once (the second insert waits for the first and finds the row), and
  // a failed attempt leaves no mark, so Resend's redelivery applies it again.
  const claim = async (tx: Tx) => (await markSeen(tx, svixId, event.type)) === 1;
  try {
    await recordReply(
      deps,
      original.workspaceId,
      {
        email: normalizeEmail(/<([^<>]+)>/.exec(from)?.[1] ?? from),
        campaignId: original.campaignId,
        subject: fetched?.subject ?? event.data.subject,
        text: fetched?.text ?? event.data.text ?? '',
        headers,
        from,
        receivedAt: event.created_at ? new Date(event.created_at) : undefined,
      },
      { claim },
    );
  } catch (err) {
    if (err instanceof ReplyAlreadyRecorded) return 'duplicate';
    // The sender is not the lead we mailed (a forward, a colleague — even one who is a lead of
    // another campaign): nothing to apply.
    if (!(err instanceof NotFoundError)) throw err;
    await markSeen(db, svixId, event.type);
    return 'ignored';
  }
  return 'processed';
}
