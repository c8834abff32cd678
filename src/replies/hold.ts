import type { Tx } from '../db.js';
import { LIVE_STATUSES } from '../domain/enrollment-status.js';
import { parseReturnDate, resumeDay } from '../domain/return-date.js';
import { startOfLocalDay } from '../domain/schedule.js';
import { emitEnrollmentEvents } from '../webhooks/events.js';

/**
 * SPEC §12 `hold`: the lead's live enrollments (in the campaign answered, or all when that is not
 * known) send nothing until the start of the working day after the return date the reply names
 * (in the lead's zone, else the workspace's), or a week on when it names none. The next step goes
 * out then, or when it falls due if that is later; the claim's guard keeps the hold on every path.
 */
export async function holdEnrollments(tx: Tx, r: { workspaceId: string; classification: string; leadId: string; campaignId: string | null; text: string; at: Date; timezone: string }) {
  const returnDate = parseReturnDate(r.text, r.at, r.timezone);
  const until = startOfLocalDay(resumeDay(returnDate, r.at, r.timezone), r.timezone);
  const held = await tx.$queryRaw<{ id: string }[]>`
    UPDATE "Enrollment" SET "heldUntil" = ${until}, "waitingFor" = 'out_of_office', "waitingSince" = ${r.at},
           "nextSendAt" = GREATEST(COALESCE("nextSendAt", ${until}), ${until})
     WHERE "leadId" = ${r.leadId} AND status = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[])
       AND (${r.campaignId}::text IS NULL OR "campaignId" = ${r.campaignId})
    RETURNING id`;
  const ids = held.map((e) => e.id);
  await emitEnrollmentEvents(tx, r.workspaceId, 'lead.held', ids, { reason: 'out_of_office', classification: r.classification, until: until.toISOString(), returnDate });
  return { held: ids, returnDate, until };
}
