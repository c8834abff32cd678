import type { Db, Prisma } from '../db.js';
import type { Orchestrator } from '../campaigns/orchestration.js';
import { normalizeEmail } from '../domain/email.js';
import { dispatchEvents, emitEvent, messageEventData, type StoredEvent } from '../webhooks/events.js';
import { recordReply, ReplyAlreadyRecorded } from './intake.js';
import { endEnrollments, notifyEnded } from './suppression.js';

export type ResendEvent = {
  type: string;
  created_at?: string;
  data: {
    email_id?: string;
    from?: string;
    to?: string[] | string;
    subject?: string;
    text?: string;
    headers?: Record<string, string> | { name: string; value: string }[];
    tags?: Record<string, string> | { name: string; value: string }[];
    bounce?: { type?: string; subType?: string; message?: string };
  };
};

/** Inbound mail's full content, fetched from the provider (Resend's receiving API). */
export type InboundFetcher = (emailId: string) => Promise<{ from: string; subject?: string; text: string; headers: Record<string, string> } | null>;

const asRecord = (v: ResendEvent['data']['headers']): Record<string, string> =>
  Array.isArray(v) ? Object.fromEntries(v.map((h) => [h.name, h.value])) : (v ?? {});

/**
 * Applies one verified Resend event, exactly once per Svix message id: the dedupe row is written in
 * the same transaction as the event's effects.
 */
export async function handleResendEvent(
  db: Db,
  orchestrator: Orchestrator,
  fetchInbound: InboundFetcher | null,
  svixId: string,
  event: ResendEvent,
): Promise<'processed' | 'duplicate' | 'ignored'> {
  if (await db.providerEvent.findUnique({ where: { svixId } })) return 'duplicate';
  if (event.type === 'email.received') return handleInbound(db, orchestrator, fetchInbound, svixId, event);

  const tags = asRecord(event.data.tags);
  const message = await db.message.findFirst({
    where: event.data.email_id ? { providerId: event.data.email_id } : { id: tags.message_id ?? '' },
  });
  const at = event.created_at ? new Date(event.created_at) : new Date();
  const outcome = await db.$transaction(async (tx) => {
    const inserted = await tx.$executeRaw`INSERT INTO "ProviderEvent" ("svixId", type) VALUES (${svixId}, ${event.type}) ON CONFLICT DO NOTHING`;
    if (inserted === 0 || !message) return null;
    const none = { ended: [] as string[], events: [] as StoredEvent[] };
    if (event.type === 'email.delivered') {
      const { count } = await tx.message.updateMany({
        where: { id: message.id, deliveredAt: null, status: { in: ['sending', 'sent'] } },
        data: { status: 'delivered', deliveredAt: at },
      });
      return count ? { ended: [], events: [await emitEvent(tx, message.workspaceId, 'message.delivered', messageEventData(message))] } : none;
    }
    const hardBounce = event.type === 'email.bounced' && (event.data.bounce?.type ?? 'Permanent').toLowerCase() !== 'transient';
    if (!hardBounce && event.type !== 'email.complained') return none;
    const reason = event.data.bounce?.message ?? (hardBounce ? 'bounced' : 'spam complaint');
    await tx.message.update({
      where: { id: message.id },
      data: { status: 'bounced', bouncedAt: at, failureReason: reason },
    });
    const bounced = await emitEvent(tx, message.workspaceId, 'message.bounced', { ...messageEventData(message), bounceType: 'hard', bounceReason: reason });
    await tx.suppression.upsert({
      where: { workspaceId_email: { workspaceId: message.workspaceId, email: message.toEmail } },
      create: { workspaceId: message.workspaceId, email: message.toEmail, reason: hardBounce ? 'bounced' : 'complained' },
      update: {},
    });
    const ended = await endEnrollments(tx, { leadIds: [message.leadId] }, hardBounce ? 'bounced' : 'stopped', hardBounce ? 'hard bounce' : 'spam complaint');
    return { ended, events: [bounced] };
  });
  if (outcome === null) return message ? 'duplicate' : 'ignored';
  await notifyEnded(orchestrator, outcome.ended, 'stop', event.type === 'email.bounced' ? 'bounced' : 'stopped');
  await dispatchEvents(db, orchestrator, outcome.events);
  return 'processed';
}

/** Inbound mail is matched to a lead through the thread it answers (In-Reply-To / References). */
async function handleInbound(db: Db, orchestrator: Orchestrator, fetchInbound: InboundFetcher | null, svixId: string, event: ResendEvent) {
  const fetched = event.data.email_id && fetchInbound ? await fetchInbound(event.data.email_id) : null;
  const headers = fetched?.headers ?? asRecord(event.data.headers);
  const header = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
  const referenced = `${header('in-reply-to')} ${header('references')}`.match(/<[^<>\s]+>/g) ?? [];
  const original = referenced.length
    ? await db.message.findFirst({ where: { rfcMessageId: { in: referenced } }, orderBy: { stepNumber: 'desc' } })
    : null;
  if (!original) {
    await db.$executeRaw`INSERT INTO "ProviderEvent" ("svixId", type) VALUES (${svixId}, ${event.type}) ON CONFLICT DO NOTHING`;
    return 'ignored';
  }
  const from = fetched?.from ?? event.data.from ?? original.toEmail;
  // The event is marked done in the reply's own transaction, first: the same event delivered
  // twice at once is recorded once (the second insert waits for the first and finds the row), and
  // a failed attempt leaves no mark, so Resend's redelivery applies it again.
  const claim = async (tx: Prisma.TransactionClient) =>
    (await tx.$executeRaw`INSERT INTO "ProviderEvent" ("svixId", type) VALUES (${svixId}, ${event.type}) ON CONFLICT DO NOTHING`) === 1;
  try {
    await recordReply(
      db,
      orchestrator,
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
    const code = (err as { code?: string }).code;
    if (code !== 'lead_not_found' && code !== 'campaign_not_found') throw err;
    await db.$executeRaw`INSERT INTO "ProviderEvent" ("svixId", type) VALUES (${svixId}, ${event.type}) ON CONFLICT DO NOTHING`;
    return 'ignored';
  }
  return 'processed';
}
