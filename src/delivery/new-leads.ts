import { Prisma, type Tx } from '../db.js';
import { nextLocalMidnight } from '../domain/schedule.js';

/**
 * SPEC §10 `dailyNewLeads`: locks the campaign's count of leads started today (workspace day) and
 * answers whether one more may start. The row lock is held until the claim commits, so two claims
 * never both take the last place; `countNewLead` then takes it once the claim has a sender.
 */
export async function newLeadRoom(tx: Tx, campaignId: string, day: string, cap: number): Promise<boolean> {
  await tx.$executeRaw`INSERT INTO "CampaignNewLeads" ("campaignId", day) VALUES (${campaignId}, ${day}) ON CONFLICT DO NOTHING`;
  const [row] = await tx.$queryRaw<{ started: number }[]>`
    SELECT started FROM "CampaignNewLeads" WHERE "campaignId" = ${campaignId} AND day = ${day} FOR UPDATE`;
  return (row?.started ?? 0) < cap;
}

export async function countNewLead(tx: Tx, campaignId: string, day: string): Promise<void> {
  await tx.$executeRaw`UPDATE "CampaignNewLeads" SET started = started + 1 WHERE "campaignId" = ${campaignId} AND day = ${day}`;
}

/** The booking key under which leads wait for a day with room under the campaign's cap. */
export const newLeadKey = (campaignId: string) => `new:${campaignId}`;

// What a follow-up waits for while it is still due today; a pause or an error holds it for longer.
const DUE_WAITS = Prisma.sql`('delay', 'window', 'capacity', 'pacing', 'provider_retry')`;

/**
 * Follow-ups of this account's running campaigns that fall due before the workspace day ends and
 * have not been claimed yet. A new lead may take a unit of the day's capacity only beyond these, so
 * when capacity is short the leads already in a conversation go first (SPEC §10).
 */
export async function followUpsDueToday(tx: Tx, senderAccountId: string, now: Date, timezone: string): Promise<number> {
  const [row] = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "Enrollment" e JOIN "Campaign" c ON c.id = e."campaignId"
     WHERE e."senderAccountId" = ${senderAccountId} AND e."nextSendAt" < ${nextLocalMidnight(now, timezone)}
       AND e.status = 'active' AND e."currentStep" >= 1 AND e."waitingFor"::text IN ${DUE_WAITS} AND c.status = 'running'`;
  return row?.n ?? 0;
}
