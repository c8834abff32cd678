import type { Db } from '../db.js';
import { getCampaign } from './campaign-service.js';

const QUEUED = new Set(['pending', 'active', 'paused']);

/** SPEC §4: replied / delivered, rounded to 3 decimals; 0 when nothing was delivered. */
export function replyRate(replied: number, delivered: number): number {
  return delivered === 0 ? 0 : Math.round((replied / delivered) * 1000) / 1000;
}

/**
 * Message counts come from the campaign's counter row (kept in the same transaction as each
 * event), lead counts from an index-only scan of its enrollments: no scan of messages, so the cost
 * does not grow with the number of messages.
 */
export async function campaignStats(db: Db, workspaceId: string, campaignId: string) {
  const campaign = await getCampaign(db, workspaceId, campaignId);
  const [counters, groups] = await Promise.all([
    db.campaignCounters.findUnique({ where: { campaignId } }),
    db.enrollment.groupBy({ by: ['status'], where: { campaignId }, _count: { _all: true } }),
  ]);
  const enrolledLeads = groups.reduce((n, g) => n + g._count._all, 0);
  const queued = groups.filter((g) => QUEUED.has(g.status)).reduce((n, g) => n + g._count._all, 0);
  const sent = counters?.sent ?? 0;
  const delivered = counters?.delivered ?? 0;
  const replied = counters?.replied ?? 0;
  const updatedAt = [campaign.updatedAt, counters?.updatedAt].filter((d): d is Date => !!d).sort((a, b) => b.getTime() - a.getTime())[0]!;
  return {
    campaignId,
    status: campaign.status,
    enrolledLeads,
    metrics: { sent, delivered, queued, bounced: counters?.bounced ?? 0, replied, replyRate: replyRate(replied, delivered) },
    updatedAt: updatedAt.toISOString(),
  };
}
