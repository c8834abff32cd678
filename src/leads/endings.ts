import type { Tx } from '../db.js';
import { LIVE_STATUSES, type EndedStatus, type StopReason } from '../domain/enrollment-status.js';
import type { Orchestrator } from '../domain/orchestrator.js';
import { releaseBookings } from '../senders/capacity.js';
import { emitEvents } from '../webhooks/events.js';
import { movesFrom } from '../domain/message-states.js';

/**
 * Locks enrollment rows in id order. Every path that changes several enrollments takes them this
 * way, and before any message or counter row, so concurrent sends, replies and stops queue behind
 * each other instead of deadlocking.
 */
export async function lockEnrollments(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$queryRaw`SELECT 1 FROM "Enrollment" WHERE id = ANY(${ids}::text[]) ORDER BY id FOR UPDATE`;
}

/**
 * A step claimed but not sent when its enrollment ends is settled in the same transaction: never
 * handed to the provider → `cancelled`; a call whose answer never came → `unknown` (it may have gone
 * out; a provider event matched by its tag can still tell). No retry can send it afterwards.
 */
/** Withdrawn (never called) or its outcome lost (a call may have gone): both start from here. */
const OPEN = movesFrom('outcomeLost').filter((s) => movesFrom('withdrawn').includes(s));

export async function settleOpenMessages(tx: Tx, enrollmentIds: string[]): Promise<void> {
  if (enrollmentIds.length === 0) return;
  await tx.$executeRaw`
    UPDATE "Message" SET status = (CASE WHEN "unconfirmedSince" IS NULL THEN 'cancelled' ELSE 'unknown' END)::"MessageStatus"
     WHERE "enrollmentId" = ANY(${enrollmentIds}::text[]) AND status = ANY(${OPEN}::"MessageStatus"[])`;
}

/**
 * Ends the live enrollments of these leads (in one campaign, or all), inside the caller's
 * transaction; returns the ones whose workflows must be told.
 */
export async function endEnrollments(
  tx: Tx,
  where: { leadIds: string[]; campaignId?: string | undefined },
  status: EndedStatus,
  reason: string,
  at: Date,
  /** Filled with the enrollments it ended, started workflows or not (the answer has only those to tell). */
  counted?: { ended: string[] },
) {
  if (where.leadIds.length === 0) return [];
  const live = await tx.$queryRaw<{ id: string; workflowStartedAt: Date | null }[]>`
    SELECT id, "workflowStartedAt" FROM "Enrollment"
     WHERE "leadId" = ANY(${where.leadIds}::text[]) AND status = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[])
       AND (${where.campaignId ?? null}::text IS NULL OR "campaignId" = ${where.campaignId ?? null})
     ORDER BY id FOR UPDATE`;
  const ids = live.map((e) => e.id);
  await endLocked(tx, ids, status, reason, at);
  if (counted) counted.ended = ids;
  return live.filter((e) => e.workflowStartedAt).map((e) => e.id);
}

/**
 * Ends enrollments the caller has already locked (see lockEnrollments); live ones only. Each one
 * ended leaves an event in the same transaction: `lead.replied`, or `lead.stopped` with its status
 * and reason (a company-wide stop, an unsubscribe, a bounce, a failure, a stop by the API).
 */
export async function endLocked(tx: Tx, ids: string[], status: EndedStatus, reason: string, at: Date): Promise<void> {
  if (ids.length === 0) return;
  await releaseBookings(tx, ids);
  const ended = await tx.$queryRaw<{ id: string; workspaceId: string; campaignId: string; leadId: string; email: string }[]>`
    UPDATE "Enrollment" e SET status = ${status}::"EnrollmentStatus", "stopReason" = ${reason}, "finishedAt" = ${at},
           "nextSendAt" = NULL, "waitingFor" = NULL, "waitingSince" = NULL
      FROM "Lead" l
     WHERE e.id = ANY(${ids}::text[]) AND l.id = e."leadId" AND e.status = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[])
    RETURNING e.id, e."workspaceId", e."campaignId", e."leadId", l.email`;
  await settleOpenMessages(tx, ids);
  await emitEvents(
    tx,
    ended.map((e) => ({
      workspaceId: e.workspaceId,
      type: status === 'replied' ? 'lead.replied' : 'lead.stopped',
      data: { campaignId: e.campaignId, leadId: e.leadId, email: e.email, enrollmentId: e.id, status, reason, at: at.toISOString() },
    })),
  );
}

/** After the transaction commits: the rows already stop every send; the signals end the workflows now. */
export async function notifyEnded(orchestrator: Orchestrator, enrollmentIds: string[], reason: StopReason) {
  const signal = reason === 'replied' ? ({ name: 'reply' } as const) : ({ name: 'stop', reason } as const);
  await Promise.all(enrollmentIds.map((id) => orchestrator.signalEnrollment(id, signal)));
}
