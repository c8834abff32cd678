import type { Tx } from '../db.js';
import { LIVE_STATUSES, type WaitReason } from '../domain/enrollment-status.js';

/** Pauses are facts of the campaign and lead rows; they are read from there, never stored as a wait. */
const DERIVED: ReadonlySet<WaitReason> = new Set(['campaign_paused', 'lead_paused']);

/**
 * Writes why an enrollment waits and until when (SPEC §9 visibility); `waitingSince` keeps the
 * start of an unbroken wait for the same reason.
 */
export async function recordWait(tx: Tx, enrollmentId: string, reason: WaitReason, until: Date | null, at: Date): Promise<void> {
  if (reason === 'campaign_paused') return clearPlan(tx, enrollmentId);
  if (DERIVED.has(reason)) return;
  await tx.$executeRaw`
    UPDATE "Enrollment" SET "waitingFor" = ${reason}::"WaitReason", "nextSendAt" = ${until},
           "waitingSince" = CASE WHEN "waitingFor" = ${reason}::"WaitReason" THEN COALESCE("waitingSince", ${at}) ELSE ${at} END
     WHERE id = ${enrollmentId} AND status = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[])`;
}

/**
 * A claim that met a campaign pause waits to be told: what it waited for before is over, and it
 * keeps no planned time, so the resume's sweep, which tells leads with none (decision 71), tells
 * it. A lead woken early (a sender change wakes capacity waiters) would otherwise keep a time past
 * the sweep's horizon and sleep through the resume until its next re-check.
 */
async function clearPlan(tx: Tx, enrollmentId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE "Enrollment" SET "waitingFor" = NULL, "nextSendAt" = NULL, "waitingSince" = NULL
     WHERE id = ${enrollmentId} AND status = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[])`;
}
