import type { PlanReason } from './enrollment-status.js';
import { checkWindow, localDay, nextLocalMidnight, windowFor, type SendingWindow } from './schedule.js';

/**
 * What may hold a step back at one instant: read by the claim under its locks, and by the dry run
 * and the launch preview without them. A field left out (or null) holds nothing back.
 */
export type SendConditions = {
  /** The workspace's zone: capacity and dailyNewLeads count per day of it. */
  timezone: string;
  window?: SendingWindow | null;
  leadTimezone?: string | null;
  /** An out-of-office hold: the working day after the lead's return. */
  heldUntil?: Date | null;
  /** Places left today under the campaign's dailyNewLeads (a step 1 only). */
  newLeadsLeft?: number | null;
  /** Units left today of the sending account's daily limit (or the pool's, before one is chosen). */
  capacityLeft?: number | null;
  /** When the account's pacing lets this send go. */
  slotAt?: Date | null;
};

/** What can hold a step back at an instant: every reason a plan names but its delay. */
export type GateReason = Exclude<PlanReason, 'delay'>;
/** `until`: the earliest the hold can end (a day's capacity: the next local midnight, or later once booked). */
export type SendGate = { reason: GateReason; until: Date };

/** A slot within this of now is now: a lead woken for its slot is not sent back to wait a moment. */
export const SLOT_TOLERANCE_MS = 1_000;

/**
 * The first thing that holds a step back at `at`, in the order the claim judges them: the lead's
 * hold, the sending window (in the lead's zone when it says so), the campaign's new leads today,
 * the account's capacity today, its pacing. Null: the step may go at `at`.
 */
export function holdAt(at: Date, c: SendConditions): SendGate | null {
  if (c.heldUntil && c.heldUntil > at) return { reason: 'out_of_office', until: c.heldUntil };
  if (c.window) {
    const check = checkWindow(at, windowFor(c.window, c.leadTimezone ?? null));
    if (!check.open) return { reason: 'window', until: check.opensAt };
  }
  if (c.newLeadsLeft != null && c.newLeadsLeft <= 0) return { reason: 'daily_new_leads', until: nextLocalMidnight(at, c.timezone) };
  if (c.capacityLeft != null && c.capacityLeft <= 0) return { reason: 'capacity', until: nextLocalMidnight(at, c.timezone) };
  if (c.slotAt && c.slotAt.getTime() > at.getTime() + SLOT_TOLERANCE_MS) return { reason: 'pacing', until: c.slotAt };
  return null;
}

/** What a new day gives back: its whole capacity and new-lead places (null: no limit). */
export type PerDay = { capacity?: number | null; newLeads?: number | null };

// Every hold ends by itself, and each ends later than the last; a week of closed windows and full
// days is as far as any plan needs to look.
const MAX_HOPS = 32;

/**
 * When a step due at `due` would go if nothing changed: each hold in turn moves it to the moment
 * that hold ends, and a new day gives back the day's capacity and places (`perDay`). Answers that
 * time and the holds that moved it, in order.
 */
export function planSend(due: Date, conditions: SendConditions, perDay: PerDay = {}): { at: Date; because: GateReason[] } {
  let at = due;
  let c = conditions;
  const because: GateReason[] = [];
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const gate = holdAt(at, c);
    if (!gate) break;
    if (!because.includes(gate.reason)) because.push(gate.reason);
    if (localDay(gate.until, c.timezone) !== localDay(at, c.timezone)) c = { ...c, capacityLeft: perDay.capacity ?? null, newLeadsLeft: perDay.newLeads ?? null };
    at = gate.until;
  }
  return { at, because };
}
