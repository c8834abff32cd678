import type { ServiceDeps } from '../services.js';
import { requireCampaign } from './require-campaign.js';

/** SPEC §4: replied / delivered, rounded to 3 decimals; 0 when nothing was delivered. */
export function replyRate(replied: number, delivered: number): number {
  return delivered === 0 ? 0 : Math.round((replied / delivered) * 1000) / 1000;
}

/**
 * One row read: the campaign's counters, kept by database triggers in the same transaction as
 * every enrollment and message change, so the cost does not grow with the campaign.
 */
export async function campaignStats({ db }: ServiceDeps, workspaceId: string, campaignId: string) {
  // Two indexed single-row reads: this is the endpoint agents poll.
  const [campaign, counters] = await Promise.all([requireCampaign(db, workspaceId, campaignId), db.campaignCounters.findUnique({ where: { campaignId } })]);
  const enrolledLeads = counters?.enrolled ?? 0;
  const queued = enrolledLeads - (counters?.finished ?? 0);
  const sent = counters?.sent ?? 0;
  const delivered = counters?.delivered ?? 0;
  const replied = counters?.replied ?? 0;
  const updatedAt = [campaign.updatedAt, counters?.updatedAt].filter((d): d is Date => !!d).sort((a, b) => b.getTime() - a.getTime())[0]!;
  return {
    campaignId,
    status: campaign.status,
    enrolledLeads,
    metrics: {
      sent,
      delivered,
      queued,
      bounced: counters?.bounced ?? 0,
      complained: counters?.complained ?? 0,
      replied,
      replyRate: replyRate(replied, delivered),
    },
    updatedAt: updatedAt.toISOString(),
  };
}
