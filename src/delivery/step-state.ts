import type { Tx } from '../db.js';
import type { Message } from '../generated/prisma/client.js';
import type { Sent, SendStepResult } from '../domain/step-result.js';
import { isTerminal, LIVE_STATUSES } from '../domain/enrollment-status.js';
import type { Blocked, SendTarget } from './send-guard.js';
import { recordWait } from './waiting.js';
import { endLocked } from '../leads/endings.js';
import { emitEvent, type StoredEvent } from '../webhooks/events.js';
import { DAY_MS } from '../domain/time.js';

/**
 * What a step's message row says about the step: done (sent, or sent-or-not and never to be
 * retried), failed for good, or still open (null: claimed, not sent yet).
 */
export function settledResult(message: Message, enrollmentStatus: string): SendStepResult | null {
  switch (message.status) {
    case 'sending':
      return null;
    case 'failed':
      return { kind: 'ended', status: 'failed', reason: message.failureReason ?? 'the provider refused the message' };
    case 'cancelled':
      // Only an ending cancels a step: the enrollment says which.
      return { kind: 'ended', status: isTerminal(enrollmentStatus) ? enrollmentStatus : 'stopped', reason: 'the step was withdrawn' };
    case 'unknown':
      return { kind: 'sent', messageId: message.id, sentAt: (message.unconfirmedSince ?? message.createdAt).toISOString(), unknown: true };
    default:
      return { kind: 'sent', messageId: message.id, sentAt: (message.sentAt ?? message.createdAt).toISOString() };
  }
}

/** A guard's "not now" is written on the enrollment (waitingFor, nextSendAt) for readers. */
export async function answerBlocked(tx: Tx, target: SendTarget, blocked: Blocked, at: Date): Promise<SendStepResult> {
  if (blocked.kind === 'ended') {
    if ('end' in blocked) await endLocked(tx, [target.enrollment.id], blocked.status, blocked.reason, at);
    return { kind: 'ended', status: blocked.status, reason: blocked.reason };
  }
  await recordWait(tx, target.enrollment.id, blocked.reason, blocked.until, at);
  return { kind: 'deferred', reason: blocked.reason, until: blocked.until?.toISOString() ?? null };
}

/**
 * Moves the enrollment past a step that is done; a live one then waits for the next step's delay.
 * Past the last step a live one is completed here, with its `lead.completed` event, in the
 * transaction that records the step: the workflow is left with nothing to write but its own end
 * (an activity, a workflow task and a transaction fewer per lead). An ended one only records the step.
 */
export async function advance(tx: Tx, target: SendTarget, stepNumber: number, sentAt: Date): Promise<{ completed: StoredEvent | null }> {
  const { enrollment } = target;
  const next = await tx.sequenceStep.findUnique({
    where: { campaignId_stepNumber: { campaignId: enrollment.campaignId, stepNumber: stepNumber + 1 } },
    select: { delayDays: true },
  });
  // The lock this transaction holds (lockForSend) keeps the status read with it true until commit.
  if (!next && !isTerminal(enrollment.status)) {
    await tx.$executeRaw`
      UPDATE "Enrollment" SET "currentStep" = GREATEST("currentStep", ${stepNumber}), status = 'completed', "finishedAt" = ${sentAt},
             "nextSendAt" = NULL, "waitingFor" = NULL, "waitingSince" = NULL
       WHERE id = ${enrollment.id}`;
    const data = { campaignId: enrollment.campaignId, leadId: enrollment.leadId, email: enrollment.email };
    return { completed: await emitEvent(tx, enrollment.workspaceId, 'lead.completed', data) };
  }
  const nextSendAt = next ? new Date(sentAt.getTime() + next.delayDays * DAY_MS) : null;
  await tx.$executeRaw`
    UPDATE "Enrollment" SET "currentStep" = GREATEST("currentStep", ${stepNumber}),
           "nextSendAt" = CASE WHEN status = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[]) THEN ${nextSendAt}::timestamptz END,
           "waitingFor" = CASE WHEN status = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[]) THEN ${next ? 'delay' : null}::"WaitReason" END,
           "waitingSince" = CASE WHEN status = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[]) THEN ${next ? sentAt : null}::timestamptz END,
           status = CASE WHEN status = 'pending' THEN 'active'::"EnrollmentStatus" ELSE status END
     WHERE id = ${enrollment.id}`;
  return { completed: null };
}

/** A step found done (sent, or sent-or-not): the enrollment moves past it; says whether that completed it. */
export async function advancePast(tx: Tx, target: SendTarget, stepNumber: number, sent: Sent): Promise<{ result: Sent; events: StoredEvent[] }> {
  const { completed } = await advance(tx, target, stepNumber, new Date(sent.sentAt));
  return completed ? { result: { ...sent, completed: true }, events: [completed] } : { result: sent, events: [] };
}
