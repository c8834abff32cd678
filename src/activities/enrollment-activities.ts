import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { Message } from '../generated/prisma/client.js';
import { newId } from '../domain/ids.js';
import { renderTemplate } from '../domain/render.js';
import { parseMailbox } from '../domain/email.js';
import { TERMINAL_STATUSES } from '../domain/enrollment-status.js';
import { checkWindow } from '../domain/schedule.js';
import { readSettings } from '../campaigns/campaign-service.js';
import { formatFrom, reserveSender } from '../delivery/capacity.js';
import { PermanentMailError, RetryableMailError, type OutgoingMail } from '../mail/mailer.js';
import { dispatchEvents, emitEvent, messageEventData } from '../webhooks/events.js';
import type { ActivityDeps } from './index.js';
import type { EnrollmentPlan, SendStepResult } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const TERMINAL = new Set<string>(TERMINAL_STATUSES);
type EndStatus = Extract<SendStepResult, { kind: 'ended' }>['status'];

type Prepared =
  | { kind: 'send'; message: Message }
  | { kind: 'already'; message: Message }
  | Exclude<SendStepResult, { kind: 'sent' }>;

/**
 * Where an enrollment stands: what its next delay counts from is the last send or, before any, when
 * the sequence began for this lead (its enrollment into a running campaign, or the campaign's start).
 */
export function planOf(
  enrollment: { enrolledAt: Date; currentStep: number; status: string },
  campaign: { startedAt: Date | null; steps: { delayDays: number }[] },
  lastSentAt: Date | null,
): EnrollmentPlan {
  const began = Math.max(enrollment.enrolledAt.getTime(), campaign.startedAt?.getTime() ?? 0);
  return {
    delaysDays: campaign.steps.map((s) => s.delayDays),
    sentSteps: enrollment.currentStep,
    anchorAt: new Date(lastSentAt?.getTime() ?? began).toISOString(),
    finished: TERMINAL.has(enrollment.status),
  };
}

export function createEnrollmentActivities({ db, mailer, logger, now, mailFrom, publicUrl, orchestrator }: ActivityDeps) {
  const fallback = { id: null, ...parseMailbox(mailFrom) };
  async function loadEnrollmentPlan({ enrollmentId }: { enrollmentId: string }): Promise<EnrollmentPlan> {
    const enrollment = await db.enrollment.findUnique({
      where: { id: enrollmentId },
      include: {
        campaign: { include: { steps: { orderBy: { stepNumber: 'asc' } } } },
        messages: { orderBy: { stepNumber: 'desc' }, take: 1, select: { sentAt: true, createdAt: true } },
      },
    });
    if (!enrollment) throw ApplicationFailure.nonRetryable(`enrollment ${enrollmentId} does not exist`, 'NotFound');
    const last = enrollment.messages[0];
    return planOf(enrollment, enrollment.campaign, last ? (last.sentAt ?? last.createdAt) : null);
  }

  /**
   * Everything that decides whether a step may go out happens in one transaction, and the message
   * row (unique per enrollment and step) is committed before the provider is called. The campaign
   * row is read FOR SHARE, so a pause that commits first is seen here, and a pause that commits
   * after this transaction finds the send already begun.
   */
  async function prepare(enrollmentId: string, stepNumber: number): Promise<Prepared> {
    return db.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Enrollment" WHERE id = ${enrollmentId} FOR UPDATE`;
      if (locked.length === 0) return { kind: 'ended', status: 'stopped', reason: 'enrollment deleted' };
      const enrollment = await tx.enrollment.findUniqueOrThrow({ where: { id: enrollmentId }, include: { lead: true } });

      const existing = await tx.message.findUnique({ where: { enrollmentId_stepNumber: { enrollmentId, stepNumber } } });
      if (existing) return existing.status === 'sending' ? { kind: 'send', message: existing } : { kind: 'already', message: existing };

      if (TERMINAL.has(enrollment.status)) {
        return { kind: 'ended', status: enrollment.status as EndStatus, reason: `enrollment is ${enrollment.status}` };
      }
      if (enrollment.status === 'paused') return { kind: 'deferred', reason: 'enrollment_paused', until: null };

      const [campaign] = await tx.$queryRaw<{ status: string; settings: unknown; timezone: string }[]>`
        SELECT c.status::text AS status, c.settings, w.timezone FROM "Campaign" c JOIN "Workspace" w ON w.id = c."workspaceId"
         WHERE c.id = ${enrollment.campaignId} FOR SHARE OF c`;
      if (campaign?.status !== 'running') return { kind: 'deferred', reason: 'campaign_paused', until: null };

      const at = now();
      const window = readSettings(campaign.settings).sendingWindow;
      if (window) {
        const check = checkWindow(at, window);
        if (!check.open) return { kind: 'deferred', reason: 'window', until: check.opensAt.toISOString() };
      }

      // Checked again here, not only at enrollment: an address suppressed since then gets nothing.
      const suppression = await tx.suppression.findUnique({
        where: { workspaceId_email: { workspaceId: enrollment.workspaceId, email: enrollment.lead.email } },
      });
      if (suppression) {
        const reason = `suppressed (${suppression.reason})`;
        await tx.enrollment.update({ where: { id: enrollmentId }, data: { status: 'stopped', stopReason: reason, finishedAt: now(), nextSendAt: null } });
        return { kind: 'ended', status: 'stopped', reason };
      }

      const step = await tx.sequenceStep.findUnique({
        where: { campaignId_stepNumber: { campaignId: enrollment.campaignId, stepNumber } },
      });
      if (!step) return { kind: 'ended', status: 'completed', reason: 'no more steps' };

      const reservation = await reserveSender(tx, {
        workspaceId: enrollment.workspaceId,
        timezone: campaign.timezone,
        threadSenderId: enrollment.senderAccountId,
        now: at,
        fallback,
      });
      if (reservation.kind === 'none') return { kind: 'deferred', reason: 'capacity', until: reservation.until.toISOString() };

      const lead = { ...enrollment.lead, customFields: enrollment.lead.customFields as Record<string, unknown> };
      let subject = renderTemplate(step.subject, lead, 'subject').text;
      if (subject === '' && stepNumber > 1) {
        // An empty subject continues the thread of the lead's first message.
        const first = await tx.message.findUnique({ where: { enrollmentId_stepNumber: { enrollmentId, stepNumber: 1 } }, select: { subject: true } });
        subject = first ? `Re: ${first.subject.replace(/^Re:\s*/i, '')}` : subject;
      }
      const id = newId('msg');
      const message = await tx.message.create({
        data: {
          id,
          workspaceId: enrollment.workspaceId,
          campaignId: enrollment.campaignId,
          enrollmentId,
          leadId: enrollment.leadId,
          stepNumber,
          idempotencyKey: `${enrollmentId}/${stepNumber}`,
          toEmail: enrollment.lead.email,
          fromEmail: formatFrom(reservation.sender),
          subject,
          bodyHtml: renderTemplate(step.bodyHtml, lead, 'html').text,
          rfcMessageId: `<${id}@${reservation.sender.email.split('@')[1] ?? 'sequent.local'}>`,
          unsubscribeToken: randomBytes(24).toString('base64url'),
        },
      });
      await tx.enrollment.update({
        where: { id: enrollmentId },
        data: {
          ...(enrollment.status === 'pending' ? { status: 'active' } : {}),
          ...(!enrollment.senderAccountId && reservation.sender.id ? { senderAccountId: reservation.sender.id } : {}),
        },
      });
      return { kind: 'send', message };
    });
  }

  /** Headers every message carries: its own Message-ID, the thread it continues, one-click unsubscribe. */
  async function outgoingMail(message: Message): Promise<OutgoingMail> {
    const headers: Record<string, string> = {};
    if (message.rfcMessageId) headers['Message-ID'] = message.rfcMessageId;
    if (message.stepNumber > 1) {
      const first = await db.message.findUnique({
        where: { enrollmentId_stepNumber: { enrollmentId: message.enrollmentId, stepNumber: 1 } },
        select: { rfcMessageId: true },
      });
      if (first?.rfcMessageId) {
        headers['In-Reply-To'] = first.rfcMessageId;
        headers.References = first.rfcMessageId;
      }
    }
    if (message.unsubscribeToken) {
      headers['List-Unsubscribe'] = `<${publicUrl}/u/${message.unsubscribeToken}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    return {
      from: message.fromEmail,
      to: message.toEmail,
      subject: message.subject,
      html: message.bodyHtml,
      idempotencyKey: message.idempotencyKey,
      headers,
      tags: {
        workspace_id: message.workspaceId,
        campaign_id: message.campaignId,
        enrollment_id: message.enrollmentId,
        message_id: message.id,
      },
    };
  }

  async function sendStep({ enrollmentId, stepNumber }: { enrollmentId: string; stepNumber: number }): Promise<SendStepResult> {
    const prepared = await prepare(enrollmentId, stepNumber);
    if (prepared.kind === 'already') {
      const m = prepared.message;
      // An earlier attempt recorded the send but may have died before telling webhooks: tell them
      // again (deliveries are keyed by webhook and event, so none is sent twice).
      const events = await db.event.findMany({ where: { workspaceId: m.workspaceId, data: { path: ['messageId'], equals: m.id } } });
      await dispatchEvents(db, orchestrator, events);
      return { kind: 'sent', messageId: m.id, sentAt: (m.sentAt ?? m.createdAt).toISOString() };
    }
    if (prepared.kind !== 'send') return prepared;

    const { message } = prepared;
    let outcome;
    try {
      outcome = await mailer.send(await outgoingMail(message));
    } catch (err) {
      if (err instanceof RetryableMailError) {
        // Temporal retries the activity; the provider's Retry-After sets the pause before it.
        throw ApplicationFailure.create({
          message: err.message,
          type: 'MailTransient',
          ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
        });
      }
      if (!(err instanceof PermanentMailError)) throw err;
      await db.$transaction([
        db.message.update({ where: { id: message.id }, data: { status: 'failed', failureReason: err.message } }),
        db.enrollment.update({ where: { id: enrollmentId }, data: { status: 'failed', finishedAt: now(), stopReason: err.message, nextSendAt: null } }),
      ]);
      logger.warn({ messageId: message.id, reason: err.message }, 'message failed permanently');
      return { kind: 'ended', status: 'failed', reason: err.message };
    }

    const sentAt = now();
    const next = await db.sequenceStep.findUnique({
      where: { campaignId_stepNumber: { campaignId: message.campaignId, stepNumber: stepNumber + 1 } },
      select: { delayDays: true },
    });
    const events = await db.$transaction(async (tx) => {
      const { count } = await tx.message.updateMany({
        where: { id: message.id, status: 'sending' },
        data: {
          status: outcome.delivered ? 'delivered' : 'sent',
          providerId: outcome.providerId,
          sentAt,
          ...(outcome.delivered ? { deliveredAt: sentAt } : {}),
        },
      });
      await tx.enrollment.update({
        where: { id: enrollmentId },
        data: {
          currentStep: stepNumber,
          nextSendAt: next ? new Date(sentAt.getTime() + next.delayDays * DAY_MS) : null,
        },
      });
      if (count === 0) return [];
      const data = messageEventData(message);
      const sent = await emitEvent(tx, message.workspaceId, 'message.sent', data);
      return outcome.delivered ? [sent, await emitEvent(tx, message.workspaceId, 'message.delivered', data)] : [sent];
    });
    await dispatchEvents(db, orchestrator, events);
    return { kind: 'sent', messageId: message.id, sentAt: sentAt.toISOString() };
  }

  async function finishEnrollment({ enrollmentId, status }: { enrollmentId: string; status: string }) {
    const final = TERMINAL.has(status) ? status : 'completed';
    const events = await db.$transaction(async (tx) => {
      // A status the API already wrote (replied, stopped, …) wins over the workflow's view.
      const { count } = await tx.enrollment.updateMany({
        where: { id: enrollmentId, status: { notIn: [...TERMINAL] as never } },
        data: { status: final as never, finishedAt: now(), nextSendAt: null },
      });
      if (count === 0 || final !== 'completed') return [];
      const e = await tx.enrollment.findUniqueOrThrow({ where: { id: enrollmentId }, include: { lead: { select: { email: true } } } });
      return [await emitEvent(tx, e.workspaceId, 'lead.completed', { campaignId: e.campaignId, leadId: e.leadId, email: e.lead.email })];
    });
    await dispatchEvents(db, orchestrator, events);
  }

  return { loadEnrollmentPlan, sendStep, finishEnrollment };
}
