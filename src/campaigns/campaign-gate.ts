import { Prisma, type Db, type Tx } from '../db.js';

/**
 * Row locks do not queue: a pause waiting for its campaign row FOR UPDATE is overtaken by every
 * send that takes the row FOR SHARE after it began to wait, so on a busy campaign, where sends
 * overlap without a gap, the pause waited out its transaction's timeout and failed. An advisory
 * lock on the campaign, taken before the row, is granted in order instead: once a pause asks for
 * it, sends that come later wait behind the pause, and the pause waits only for the sends already
 * under way (decision 72).
 */
const gateOf = (campaignId: Prisma.Sql) => Prisma.sql`hashtextextended(${campaignId}, 0)`;

/** A send's share of the gate (before the campaign row); answers the lead's campaign, null if the lead is gone. */
export async function enterSendGate(tx: Tx, enrollmentId: string): Promise<string | null> {
  const [row] = await tx.$queryRaw<{ campaignId: string }[]>`
    SELECT "campaignId", pg_advisory_xact_lock_shared(${gateOf(Prisma.sql`"campaignId"`)})::text AS gate FROM "Enrollment" WHERE id = ${enrollmentId}`;
  return row?.campaignId ?? null;
}

/** The whole gate, for a change of the campaign's status (before its row, FOR UPDATE). */
export async function closeSendGate(tx: Tx | Db, campaignId: string): Promise<void> {
  await tx.$queryRaw`SELECT pg_advisory_xact_lock(${gateOf(Prisma.sql`${campaignId}`)})::text AS gate`;
}
