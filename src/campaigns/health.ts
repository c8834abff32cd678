import type { Db } from '../db.js';
import { LIVE_STATUSES } from '../domain/enrollment-status.js';
import type { PauseReason } from '../generated/prisma/client.js';
import type { ServiceDeps } from '../services.js';
import { requireCampaign } from './require-campaign.js';

export type HealthStatus = 'healthy' | 'waiting' | 'draft' | 'paused' | 'blocked' | 'auto_paused';
/** `needsYou`: it lasts until someone acts (a start, a resume, a sender fixed); otherwise it passes by itself. */
export type HealthReason = { code: string; message: string; count: number; needsYou: boolean; since: string | null; until?: string | null };
export type CampaignHealth = { status: HealthStatus; reasons: HealthReason[] };

type Waiting = { waitingFor: string | null; count: number; since: Date | null; until: Date | null };

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

const AUTO_PAUSED: Record<Exclude<PauseReason, 'manual'>, string> = {
  bounce_rate_exceeded: "The campaign paused itself: its bounces passed its autoPause.bounceRate. Clean the list, then resume.",
  complaint_rate_exceeded: "The campaign paused itself: its spam complaints passed its autoPause.complaintRate. Review the copy and targeting, then resume.",
  workspace_bounce_rate_exceeded: "Paused with every campaign of the workspace: bounces passed 4 % of its sends over 7 days. Clean the lists, then resume.",
  workspace_complaint_rate_exceeded: "Paused with every campaign of the workspace: complaints passed 0.08 % of its sends over 7 days. Review, then resume.",
};

/** Live enrollments grouped by what they wait for: facts the send path wrote (SPEC §9). */
async function waitingCounts(db: Db, campaignId: string): Promise<Map<string, Waiting>> {
  const rows = await db.$queryRaw<Waiting[]>`
    SELECT CASE WHEN status = 'paused' THEN 'lead_paused' ELSE "waitingFor"::text END AS "waitingFor",
           count(*)::int AS count, min("waitingSince") AS since, min("nextSendAt") AS until
      FROM "Enrollment" WHERE "campaignId" = ${campaignId} AND status = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[])
     GROUP BY 1`;
  return new Map(rows.map((r) => [r.waitingFor ?? 'none', r]));
}

/**
 * Why a campaign is or is not sending, derived from what its enrollments wait for and the state of
 * its workspace's sender accounts; nothing asks a workflow.
 */
export async function campaignHealth({ db }: ServiceDeps, workspaceId: string, campaignId: string): Promise<CampaignHealth> {
  const campaign = await requireCampaign(db, workspaceId, campaignId);
  const [waiting, senders] = await Promise.all([
    waitingCounts(db, campaignId),
    db.senderAccount.findMany({ where: { workspaceId }, select: { email: true, status: true, lastError: true, lastErrorAt: true } }),
  ]);
  const live = [...waiting.values()].reduce((n, w) => n + w.count, 0);
  const reasons: HealthReason[] = [];
  const add = (code: string, message: string, w: Waiting | undefined, withUntil = false) => {
    if (w && w.count > 0) reasons.push({ code, message, count: w.count, needsYou: false, since: iso(w.since), ...(withUntil ? { until: iso(w.until) } : {}) });
  };

  if (campaign.status === 'draft') {
    reasons.push({ code: 'not_started', message: 'The campaign is a draft: nothing is sent until it is started.', count: live, needsYou: true, since: iso(campaign.createdAt) });
  } else if (campaign.status === 'paused' && campaign.pauseReason && campaign.pauseReason !== 'manual') {
    reasons.push({ code: campaign.pauseReason, message: AUTO_PAUSED[campaign.pauseReason], count: live, needsYou: true, since: iso(campaign.pausedAt) });
  } else if (campaign.status === 'paused') {
    reasons.push({ code: 'campaign_paused', message: 'The campaign is paused: nothing is sent until it is resumed. The waits below resume with it.', count: live, needsYou: true, since: iso(campaign.pausedAt) });
  }
  const errored = senders.filter((s) => s.status === 'error');
  const held = waiting.get('sender_unavailable');
  if (errored.length > 0) {
    const which = errored.map((s) => `${s.email} (${s.lastError ?? 'refused'})`).join('; ');
    reasons.push({ code: 'sender_error', message: `The provider refused sender accounts: ${which}. Fix them and set them active again.`, count: held?.count ?? 0, needsYou: true, since: iso(held?.since ?? errored[0]!.lastErrorAt) });
  } else if (held && held.count > 0) {
    reasons.push({ code: 'no_active_sender', message: 'No sender account that these leads may send from is active. Set one active.', count: held.count, needsYou: true, since: iso(held.since) });
  } else if (senders.length > 0 && !senders.some((s) => s.status === 'active') && campaign.status === 'running' && live > 0) {
    reasons.push({ code: 'no_active_sender', message: 'Every sender account is paused: nothing can be sent. Set one active.', count: live, needsYou: true, since: null });
  }
  add('capacity_exhausted', "The sender accounts' daily limits are used up; these leads send when capacity resets.", waiting.get('capacity'), true);
  add('window_closed', 'Outside the sending window; these leads send when it opens.', waiting.get('window'), true);
  add('provider_retrying', 'The mail provider failed; these sends are being retried.', waiting.get('provider_retry'), true);
  add('daily_new_leads', "The campaign's dailyNewLeads is reached for today; these leads start on a later day.", waiting.get('daily_new_leads'), true);
  add('pacing', "Spaced out by their sender accounts' pacing (minGapSeconds, jitterSeconds).", waiting.get('pacing'), true);
  add('out_of_office', 'Held after an out-of-office reply; each resumes by itself the working day after the return date it named.', waiting.get('out_of_office'), true);
  const leadsPaused = waiting.get('lead_paused');
  if (leadsPaused && leadsPaused.count > 0) reasons.push({ code: 'leads_paused', message: 'Leads paused one by one: each sends again once resumed.', count: leadsPaused.count, needsYou: true, since: iso(leadsPaused.since) });

  const codes = new Set(reasons.filter((r) => r.count > 0 || r.code === 'campaign_paused' || r.code === 'not_started').map((r) => r.code));
  return { status: statusOf(campaign, codes), reasons };
}

/** The verdict: what must happen first, from the campaign's own state to the waits that pass by themselves. */
function statusOf(campaign: { status: string; pauseReason: PauseReason | null }, codes: Set<string>): HealthStatus {
  if (campaign.status === 'paused' && campaign.pauseReason && campaign.pauseReason !== 'manual') return 'auto_paused';
  if (codes.has('sender_error') || codes.has('no_active_sender')) return 'blocked';
  if (campaign.status === 'draft') return 'draft';
  if (campaign.status === 'paused') return 'paused';
  return ['capacity_exhausted', 'window_closed', 'provider_retrying', 'daily_new_leads'].some((c) => codes.has(c)) ? 'waiting' : 'healthy';
}
