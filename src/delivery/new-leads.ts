import type { Tx } from '../db.js';

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
