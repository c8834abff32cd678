import { retryOnConflict, MAY_WAIT_FOR_LOCKS, type Db } from '../db.js';
import type { ClaimResult, Ended } from '../activities/types.js';
import { bookCapacity, releaseBookings, reserveSender, type Sender } from './capacity.js';
import { createMessage } from './compose.js';
import { checkSendable, lockForSend } from './send-guard.js';
import { advance, answerBlocked, settledResult } from './step-state.js';

export type ClaimDeps = { db: Db; now: () => Date; fallback: Sender };

const DELETED: Ended = { kind: 'ended', status: 'stopped', reason: 'enrollment deleted' };

/**
 * Claims a step before any provider request: checks everything SPEC §9 lists under the locks,
 * reserves the day's capacity and records the message (unique per enrollment and step). Runs where
 * it spends no provider-rate token; only an `attempt` goes on to the rate-limited deliverStep.
 * A deferral answers the earliest time it can succeed, so the lead sleeps until then.
 */
export async function claimStep(deps: ClaimDeps, enrollmentId: string, stepNumber: number): Promise<ClaimResult> {
  const { db, now, fallback } = deps;
  return retryOnConflict(() =>
    db.$transaction(async (tx): Promise<ClaimResult> => {
      const at = now();
      const target = await lockForSend(tx, enrollmentId);
      if (!target) return DELETED;
      const existing = await tx.message.findUnique({ where: { enrollmentId_stepNumber: { enrollmentId, stepNumber } } });
      const settled = existing && settledResult(existing, target.enrollment.status);
      if (settled) {
        if (settled.kind === 'sent') await advance(tx, target, stepNumber, new Date(settled.sentAt));
        return settled;
      }
      const blocked = await checkSendable(tx, target, at);
      if (blocked) return answerBlocked(tx, target, blocked, at);
      // Claimed before and not sent (a retry, a resume): the capacity is reserved, the row stands.
      if (existing) return { kind: 'attempt', messageId: existing.id };

      const step = await tx.sequenceStep.findUnique({ where: { campaignId_stepNumber: { campaignId: target.enrollment.campaignId, stepNumber } } });
      if (!step) return { kind: 'ended', status: 'completed', reason: 'no more steps' };
      const { enrollment, campaign } = target;
      const reservation = await reserveSender(tx, {
        workspaceId: enrollment.workspaceId,
        timezone: campaign.timezone,
        threadSenderId: enrollment.senderAccountId,
        heldSlot: enrollment.paceSlotAt,
        now: at,
        fallback,
      });
      if (reservation.kind === 'paced') {
        // The slot is the lead's: it goes from that account when the slot comes.
        await tx.enrollment.update({ where: { id: enrollmentId }, data: { senderAccountId: reservation.senderId, paceSlotAt: reservation.until } });
        return answerBlocked(tx, target, { kind: 'deferred', reason: 'pacing', until: reservation.until }, at);
      }
      if (reservation.kind === 'unavailable') return answerBlocked(tx, target, { kind: 'deferred', reason: 'sender_unavailable', until: null }, at);
      if (reservation.kind === 'exhausted') {
        const until = await bookCapacity(tx, { enrollmentId, key: reservation.key, capacity: reservation.capacity, timezone: campaign.timezone, now: at });
        return answerBlocked(tx, target, { kind: 'deferred', reason: 'capacity', until }, at);
      }

      const message = await createMessage(tx, target, step, reservation.sender);
      await releaseBookings(tx, [enrollmentId]);
      await tx.enrollment.update({
        where: { id: enrollmentId },
        data: {
          ...(enrollment.status === 'pending' ? { status: 'active' } : {}),
          ...(!enrollment.senderAccountId && reservation.sender.id ? { senderAccountId: reservation.sender.id } : {}),
          waitingFor: null,
          waitingSince: null,
          nextSendAt: at,
          paceSlotAt: null,
        },
      });
      return { kind: 'attempt', messageId: message.id };
    }, MAY_WAIT_FOR_LOCKS),
  );
}
