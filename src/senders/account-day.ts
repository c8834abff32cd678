import type { Tx } from '../db.js';
import type { WaitReason } from '../domain/enrollment-status.js';
import { nextLocalMidnight } from '../domain/schedule.js';

// What is already spoken for in a sender account's day (workspace time zone), beyond what it sent.

// What a follow-up waits for while it is still due today; a pause or an error holds it for longer.
const DUE_WAITS = ['delay', 'window', 'capacity', 'pacing', 'provider_retry'] as const satisfies readonly WaitReason[];

/**
 * Follow-ups of this account's running campaigns that fall due before the workspace day ends and
 * have not been claimed yet, counted up to `atMost` (the capacity left: past it the answer no
 * longer matters, and a step-1 claim should not count a whole account's backlog). A new lead may
 * take a unit of the day's capacity only beyond these, so when capacity is short the leads already
 * in a conversation go first (SPEC §10).
 */
export async function followUpsDueToday(tx: Tx, senderAccountId: string, now: Date, timezone: string, atMost: number): Promise<number> {
  if (atMost <= 0) return 0;
  const [row] = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM "Enrollment" e JOIN "Campaign" c ON c.id = e."campaignId"
       WHERE e."senderAccountId" = ${senderAccountId} AND e."nextSendAt" < ${nextLocalMidnight(now, timezone)}
         AND e.status = 'active' AND e."currentStep" >= 1 AND e."waitingFor" = ANY(${DUE_WAITS}::"WaitReason"[]) AND c.status = 'running'
       LIMIT ${atMost}) due`;
  return row?.n ?? 0;
}

/**
 * Leads holding a pacing slot on this account later today. A slot is a promise of a send, so the
 * account hands out no more than its capacity left; otherwise a fast account would promise more
 * than it may send and its last leads would wait a day while another account had room.
 */
export async function slotsPromisedToday(tx: Tx, senderAccountId: string, now: Date, timezone: string, graceMs: number): Promise<number> {
  const [row] = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "Enrollment"
     WHERE "senderAccountId" = ${senderAccountId} AND "nextSendAt" >= ${new Date(now.getTime() - graceMs)}
       AND "nextSendAt" < ${nextLocalMidnight(now, timezone)} AND "waitingFor" = 'pacing' AND status = 'active'`;
  return row?.n ?? 0;
}
