import type { Tx } from '../db.js';
import { localDay } from '../domain/schedule.js';
import { holdAt } from '../domain/send-plan.js';
import { bookCapacity } from '../senders/capacity.js';
import type { Blocked, SendTarget } from './send-guard.js';

/**
 * SPEC §10 `dailyNewLeads`: locks the campaign's count of leads started today (workspace day) and
 * answers the places left. The row lock is held until the claim commits, so two claims never both
 * take the last place; `countNewLead` then takes it once the claim has a sender.
 */
async function newLeadsLeft(tx: Tx, campaignId: string, day: string, cap: number): Promise<number> {
  await tx.$executeRaw`INSERT INTO "CampaignNewLeads" ("campaignId", day) VALUES (${campaignId}, ${day}) ON CONFLICT DO NOTHING`;
  const [row] = await tx.$queryRaw<{ started: number }[]>`
    SELECT started FROM "CampaignNewLeads" WHERE "campaignId" = ${campaignId} AND day = ${day} FOR UPDATE`;
  return cap - (row?.started ?? 0);
}

/** Whether this step counts against the campaign's dailyNewLeads: a step 1 under a cap. */
export const countsAsNewLead = (target: SendTarget, stepNumber: number) => stepNumber === 1 && target.campaign.settings.dailyNewLeads !== null;

/**
 * The campaign's new leads today, judged as the planner judges them (holdAt): null when this step
 * may start its lead today, else the hold, booked for the first day with a place.
 */
export async function newLeadHold(tx: Tx, target: SendTarget, stepNumber: number, at: Date): Promise<Blocked | null> {
  const cap = stepNumber === 1 ? target.campaign.settings.dailyNewLeads : null;
  if (cap === null) return null;
  const { campaignId, id: enrollmentId } = target.enrollment;
  const { timezone } = target.campaign;
  const gate = holdAt(at, { timezone, newLeadsLeft: await newLeadsLeft(tx, campaignId, localDay(at, timezone), cap) });
  if (!gate) return null;
  const until = await bookCapacity(tx, { enrollmentId, key: newLeadKey(campaignId), capacity: cap, timezone, now: at });
  return { kind: 'deferred', reason: gate.reason, until };
}

export async function countNewLead(tx: Tx, campaignId: string, day: string): Promise<void> {
  await tx.$executeRaw`UPDATE "CampaignNewLeads" SET started = started + 1 WHERE "campaignId" = ${campaignId} AND day = ${day}`;
}

/** The booking key under which leads wait for a day with room under the campaign's cap. */
export const newLeadKey = (campaignId: string) => `new:${campaignId}`;
