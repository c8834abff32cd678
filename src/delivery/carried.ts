import type { Tx } from '../db.js';
import type { Message } from '../generated/prisma/client.js';
import { localDay } from '../domain/schedule.js';
import { isPaced, paceGapMs, type Pacing } from '../domain/sending-limits.js';
import { SLOT_TOLERANCE_MS } from '../domain/send-plan.js';
import { bookCapacity, HELD_SLOT_GRACE_MS, releaseBookings, reserveSender, type Sender } from '../senders/capacity.js';
import { countNewLead, countsAsNewLead, newLeadHold } from './new-leads.js';
import type { Blocked, SendTarget } from './send-guard.js';

// SPEC §9 "Caps are caps on the day a mail leaves" (decision 79): a step claimed earlier and
// carried over a window close, a pause, an outage or midnight counts on the day it leaves.

/**
 * How long after its reservation a step may still leave on it unchecked: the usual hop from the
 * claim to the provider call. Later (a retry, a carried claim) the sender's pacing is judged again,
 * so two sends reach the provider no closer than minGapSeconds less this.
 */
export const RESERVATION_CURRENT_MS = 250;

// reserveSender answers it only for an account deleted since: a message already has its From.
const NO_SENDER: Sender = { id: null, email: '', name: '' };

/**
 * Judged under the send's locks (the claim of a step claimed before, and every delivery attempt)
 * right before a claimed step may go. Reserved today and just now: nothing to do (the usual case,
 * one comparison). Reserved on another day: its reservation moves to today, or it waits for a day
 * with room. Reserved today but long ago: it takes a fresh pacing slot unless nothing left since.
 * `mayHaveLeft`: an earlier attempt's call may have sent it.
 */
export async function keepCapsOnLeaving(tx: Tx, target: SendTarget, message: Message, at: Date, mayHaveLeft: boolean): Promise<Blocked | null> {
  // An earlier call may have sent it (its answer never came): then it left on that call's day, and
  // a retry repeats that call under its key, no new mail. Holding it back would strand a sent mail.
  if (mayHaveLeft) return null;
  const today = localDay(at, target.campaign.timezone);
  if (message.reservedDay !== today) return moveReservation(tx, target, message, today, at);
  if (at.getTime() - (message.reservedAt?.getTime() ?? 0) < RESERVATION_CURRENT_MS) return null;
  return repace(tx, target, message, at);
}

/**
 * Takes today's unit (and new-lead place) as a claim would, then gives back the old day's. A step
 * that cannot take them waits as a claim would, holding none meanwhile (its old day is over).
 */
async function moveReservation(tx: Tx, target: SendTarget, message: Message, today: string, at: Date): Promise<Blocked | null> {
  // Today's rows first, in the claim's order; the old day's after (no claim locks those).
  const taken = await reserveDay(tx, target, message, today, at);
  await releaseDay(tx, message);
  if ('kind' in taken) {
    if (message.reservedDay !== null) await tx.message.update({ where: { id: message.id }, data: { reservedDay: null, newLeadCounted: false } });
    return taken;
  }
  await tx.message.update({ where: { id: message.id }, data: { reservedDay: today, reservedAt: at, newLeadCounted: taken.newLead } });
  await releaseBookings(tx, [target.enrollment.id]);
  if (target.enrollment.paceSlotAt) await tx.enrollment.update({ where: { id: target.enrollment.id }, data: { paceSlotAt: null } });
  return null;
}

/** A claim's reservation for a message that has its sender: a new-lead place, a slot, a unit. */
async function reserveDay(tx: Tx, target: SendTarget, message: Message, day: string, at: Date): Promise<Blocked | { newLead: boolean }> {
  const { enrollment, campaign } = target;
  const held = await newLeadHold(tx, target, message.stepNumber, at);
  if (held) return held;
  if (message.senderAccountId) {
    const reservation = await reserveSender(tx, {
      workspaceId: enrollment.workspaceId,
      timezone: campaign.timezone,
      threadSenderId: message.senderAccountId,
      heldSlot: enrollment.paceSlotAt,
      newLead: message.stepNumber === 1,
      now: at,
      fallback: NO_SENDER,
    });
    if (reservation.kind === 'paced') return waitForSlot(tx, target, reservation.until);
    if (reservation.kind === 'unavailable') return { kind: 'deferred', reason: 'sender_unavailable', until: null };
    if (reservation.kind === 'exhausted') {
      const until = await bookCapacity(tx, { enrollmentId: enrollment.id, key: reservation.key, capacity: reservation.capacity, timezone: campaign.timezone, now: at });
      return { kind: 'deferred', reason: 'capacity', until };
    }
  }
  const newLead = countsAsNewLead(target, message.stepNumber);
  if (newLead) await countNewLead(tx, enrollment.campaignId, day);
  return { newLead };
}

async function releaseDay(tx: Tx, message: Message): Promise<void> {
  const day = message.reservedDay;
  if (day === null) return;
  if (message.senderAccountId) {
    await tx.$executeRaw`UPDATE "SenderDailyUsage" SET used = used - 1 WHERE "senderAccountId" = ${message.senderAccountId} AND day = ${day} AND used > 0`;
  }
  if (message.newLeadCounted) {
    await tx.$executeRaw`UPDATE "CampaignNewLeads" SET started = started - 1 WHERE "campaignId" = ${message.campaignId} AND day = ${day} AND started > 0`;
  }
}

/** The slot is the lead's, as at a claim: it goes from that account when the slot comes. */
async function waitForSlot(tx: Tx, target: SendTarget, until: Date): Promise<Blocked> {
  await tx.enrollment.update({ where: { id: target.enrollment.id }, data: { paceSlotAt: until } });
  return { kind: 'deferred', reason: 'pacing', until };
}

type AccountPacing = Pacing & { nextSlotAt: Date | null; lastSendAt: Date | null };

/** Today's unit stands; the pacing slot it took long ago may not (see carriedTurn). */
async function repace(tx: Tx, target: SendTarget, message: Message, at: Date): Promise<Blocked | null> {
  const id = message.senderAccountId;
  const account = id ? await tx.senderAccount.findUnique({ where: { id }, select: { minGapSeconds: true, jitterSeconds: true } }) : null;
  if (!id || !account || !isPaced(account)) return null;
  // Under the account's row lock, as claims take slots; a locking read sees the last holder's commit.
  const [locked] = await tx.$queryRaw<AccountPacing[]>`
    SELECT "minGapSeconds", "jitterSeconds", "nextSlotAt", "lastSendAt" FROM "SenderAccount" WHERE id = ${id} FOR UPDATE`;
  if (!locked) return null;
  const turn = carriedTurn(locked, { reservedAt: message.reservedAt, heldSlot: target.enrollment.paceSlotAt, now: at });
  if (turn.kind === 'wait') {
    if (turn.nextSlotAt) await tx.senderAccount.update({ where: { id }, data: { nextSlotAt: turn.nextSlotAt } });
    return waitForSlot(tx, target, turn.until);
  }
  // It leaves now: the gap to the next send counts from here, as from a claim.
  await tx.senderAccount.update({ where: { id }, data: { lastSendAt: at, nextSlotAt: turn.nextSlotAt } });
  await tx.message.update({ where: { id: message.id }, data: { reservedAt: at } });
  if (target.enrollment.paceSlotAt) await tx.enrollment.update({ where: { id: target.enrollment.id }, data: { paceSlotAt: null } });
  return null;
}

export type Turn = { kind: 'go'; nextSlotAt: Date } | { kind: 'wait'; until: Date; nextSlotAt?: Date };

/**
 * When a step whose pacing slot is long past may leave. If nothing was reserved on its account
 * since its own reservation, nothing left since: it goes now. A slot a carried step was given
 * before (`heldSlot`) is kept. Otherwise it takes the account's next slot, no closer than the gap
 * to the last send, as a claim does: carried steps that all come back at the end of an outage
 * leave one slot apart, a trickle, not a burst.
 */
export function carriedTurn(
  account: AccountPacing,
  lead: { reservedAt: Date | null; heldSlot: Date | null; now: Date },
  random: () => number = Math.random,
): Turn {
  const now = lead.now.getTime();
  const gap = paceGapMs(account, random);
  const next = account.nextSlotAt?.getTime() ?? 0;
  const own = !account.lastSendAt || (lead.reservedAt !== null && account.lastSendAt.getTime() <= lead.reservedAt.getTime());
  const floor = own ? 0 : account.lastSendAt!.getTime() + account.minGapSeconds * 1000;
  const held = lead.heldSlot && lead.heldSlot.getTime() >= now - HELD_SLOT_GRACE_MS ? lead.heldSlot.getTime() : null;
  if (held !== null && held > now + SLOT_TOLERANCE_MS) return { kind: 'wait', until: new Date(held) };
  if (held === null && !own) {
    const slot = Math.max(next, floor, now);
    if (slot > now + SLOT_TOLERANCE_MS || floor > now) return { kind: 'wait', until: new Date(slot), nextSlotAt: new Date(slot + gap) };
  }
  if (floor > now) return { kind: 'wait', until: new Date(floor) };
  return { kind: 'go', nextSlotAt: new Date(Math.max(next, now + gap)) };
}
