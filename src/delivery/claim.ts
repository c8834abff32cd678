import { retryOnConflict, MAY_WAIT_FOR_LOCKS, type Db, type Tx } from '../db.js';
import type { ClaimResult, Ended } from '../domain/step-result.js';
import type { Message } from '../generated/prisma/client.js';
import { localDay } from '../domain/schedule.js';
import { variantFor } from '../domain/variants.js';
import { bookCapacity, releaseBookings, reserveSender, type Sender } from '../senders/capacity.js';
import { earlierCall } from './attempt-mark.js';
import { keepCapsOnLeaving } from './carried.js';
import { createMessage } from './compose.js';
import { countNewLead, countsAsNewLead, newLeadHold } from './new-leads.js';
import { checkSendable, lockForSend, senderBlocked, type Blocked, type SendTarget } from './send-guard.js';
import { advancePast, answerBlocked, settledResult } from './step-state.js';

/** `publicUrl`: where the unsubscribe link points, fixed on the message at its claim. */
export type ClaimDeps = { db: Db; now: () => Date; fallback: Sender; publicUrl: string };

const DELETED: Ended = { kind: 'ended', status: 'stopped', reason: 'enrollment deleted' };

/**
 * Claims a step before any provider request: checks everything SPEC §9 lists under the locks,
 * reserves the day's capacity and records the message (unique per enrollment and step). Runs where
 * it spends no provider-rate token; only an `attempt` goes on to the rate-limited deliverStep.
 * A deferral answers the earliest time it can succeed, so the lead sleeps until then.
 */
export async function claimStep(deps: ClaimDeps, enrollmentId: string, stepNumber: number): Promise<ClaimResult> {
  const { db, now, fallback, publicUrl } = deps;
  return retryOnConflict(() =>
    db.$transaction(async (tx): Promise<ClaimResult> => {
      const target = await lockForSend(tx, enrollmentId);
      const at = now();
      if (!target) return DELETED;
      const existing = await tx.message.findUnique({ where: { enrollmentId_stepNumber: { enrollmentId, stepNumber } } });
      const settled = existing && settledResult(existing, target.enrollment.status);
      // A completion found here (a claim repeated after the send) reaches webhooks through the event dispatcher (NOTIFY).
      if (settled) return settled.kind === 'sent' ? (await advancePast(tx, target, stepNumber, settled)).result : settled;
      const blocked = await checkSendable(tx, target, at);
      if (blocked) return answerBlocked(tx, target, blocked, at);
      // Claimed before and not sent (a retry, a resume): the row stands, its reservation moves to
      // the day it leaves. Its thread sender and caps are judged here, not first on the send
      // queue: a held lead re-checks free.
      if (existing) {
        const held = (await senderBlocked(tx, target)) ?? (await keepCapsOnLeaving(tx, target, existing, at, await mayHaveLeft(tx, existing)));
        return held ? answerBlocked(tx, target, held, at) : { kind: 'attempt', messageId: existing.id };
      }

      const step = await tx.sequenceStep.findUnique({ where: { campaignId_stepNumber: { campaignId: target.enrollment.campaignId, stepNumber } } });
      if (!step) return { kind: 'ended', status: 'completed', reason: 'no more steps' };
      const sender = await reserve(tx, target, stepNumber, at, fallback);
      if ('kind' in sender) return answerBlocked(tx, target, sender, at);

      // The lead's variant is fixed by the lead and step: a retry, a restart or a replay gets the same.
      const variant = variantFor(step, enrollmentId);
      const content = variant ? { stepNumber, subject: variant.subject, bodyHtml: variant.bodyHtml, variantId: variant.id } : step;
      const reserved = { day: localDay(at, target.campaign.timezone), newLead: countsAsNewLead(target, stepNumber) };
      const message = await createMessage(tx, target, content, sender, { at, publicUrl, reserved });
      await releaseBookings(tx, [enrollmentId]);
      const { enrollment } = target;
      await tx.enrollment.update({
        where: { id: enrollmentId },
        data: {
          ...(enrollment.status === 'pending' ? { status: 'active' } : {}),
          ...(!enrollment.senderAccountId && sender.id ? { senderAccountId: sender.id } : {}),
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

/**
 * Takes what a send needs beyond the guard: a place under the campaign's new-lead cap (step 1),
 * then a sender with a pacing slot that has come and a unit of today's capacity. Answers the
 * sender, or why the step waits and until when.
 */
async function reserve(tx: Tx, target: SendTarget, stepNumber: number, at: Date, fallback: Sender): Promise<Sender | Blocked> {
  const { enrollment, campaign } = target;
  const held = await newLeadHold(tx, target, stepNumber, at);
  if (held) return held;
  const reservation = await reserveSender(tx, {
    workspaceId: enrollment.workspaceId,
    timezone: campaign.timezone,
    threadSenderId: enrollment.senderAccountId,
    heldSlot: enrollment.paceSlotAt,
    newLead: stepNumber === 1,
    now: at,
    fallback,
  });
  switch (reservation.kind) {
    case 'paced':
      // The slot is the lead's: it goes from that account when the slot comes.
      await tx.enrollment.update({ where: { id: enrollment.id }, data: { senderAccountId: reservation.senderId, paceSlotAt: reservation.until } });
      return { kind: 'deferred', reason: 'pacing', until: reservation.until };
    case 'unavailable':
      return { kind: 'deferred', reason: 'sender_unavailable', until: null };
    case 'exhausted': {
      const until = await bookCapacity(tx, { enrollmentId: enrollment.id, key: reservation.key, capacity: reservation.capacity, timezone: campaign.timezone, now: at });
      return { kind: 'deferred', reason: 'capacity', until };
    }
    case 'reserved':
      if (countsAsNewLead(target, stepNumber)) await countNewLead(tx, enrollment.campaignId, localDay(at, campaign.timezone));
      return reservation.sender;
  }
}

/** Whether a call already made for this step may have sent it (decision 83). */
async function mayHaveLeft(tx: Tx, message: Message): Promise<boolean> {
  return message.unconfirmedSince !== null && (await earlierCall(tx, message.id, null)) !== null;
}
