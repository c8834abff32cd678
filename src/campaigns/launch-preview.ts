import { LIVE_STATUSES } from '../domain/enrollment-status.js';
import { renderTemplate, type LeadFields } from '../domain/render.js';
import { localDay } from '../domain/schedule.js';
import { planSend } from '../domain/send-plan.js';
import { listPools } from '../senders/senders.js';
import type { ServiceDeps } from '../services.js';
import { getCampaign } from './campaign-service.js';
import { readSettings } from './settings.js';

const PAGE = 1_000;

export type LaunchPreview = {
  campaignId: string;
  status: string;
  steps: number;
  /** Leads a start (or resume) would set going: enrolled and not ended. */
  leads: number;
  /** Of them, the ones that have not had step 1 yet. */
  newLeads: number;
  /** Of them, the ones already in the sequence: they go on with their next step, after its delay. */
  inSequence: number;
  /** When the first of those next steps falls due (now if one is overdue); null without any. */
  nextFollowUpAt: string | null;
  /** How many of the new leads can get step 1 today: the pool's capacity left and dailyNewLeads allowing. */
  firstDayVolume: number;
  /** When the first message can go: now, or the sending window's next opening. */
  firstSendAt: string;
  /** Tokens without a fallback that render empty, with how many of the leads they are empty for. */
  emptyTokens: { token: string; leads: number }[];
};

/**
 * What starting the campaign now would do, computed without changing anything: the "draft first,
 * confirm the launch" answer an agent gets before it sends (SPEC §11).
 */
export async function launchPreview(deps: ServiceDeps, workspaceId: string, campaignId: string): Promise<LaunchPreview> {
  const campaign = await getCampaign(deps, workspaceId, campaignId);
  const settings = readSettings(campaign.settings);
  const empty = new Map<string, number>();
  const now = deps.now();
  let leads = 0;
  let inSequence = 0;
  let nextFollowUp: number | null = null;
  // The new leads' own zones (null: none): with a window in each lead's zone, the first mail goes
  // where the window opens first.
  const zones = new Set<string | null>();
  for (let after: string | undefined; ; ) {
    const page = await deps.db.enrollment.findMany({
      where: { campaignId, status: { in: [...LIVE_STATUSES] }, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true, lead: true, currentStep: true, nextSendAt: true },
      orderBy: { id: 'asc' },
      take: PAGE,
    });
    for (const { lead, currentStep, nextSendAt } of page) {
      leads++;
      if (currentStep > 0) {
        inSequence++;
        // A follow-up already due (or held by the pause without a time) goes at the resume.
        const due = Math.max(nextSendAt?.getTime() ?? now.getTime(), now.getTime());
        nextFollowUp = Math.min(nextFollowUp ?? due, due);
      } else {
        zones.add(lead.timezone);
      }
      for (const token of emptyTokensFor(campaign.steps, { ...lead, customFields: lead.customFields as Record<string, unknown> })) empty.set(token, (empty.get(token) ?? 0) + 1);
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  const { timezone } = await deps.db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timezone: true } });
  // As the claim judges each lead (planSend): the earliest next opening of the window over their zones.
  const openings = [...(zones.size ? zones : [null])].map((leadTimezone) => planSend(now, { timezone, window: settings.sendingWindow, leadTimezone }).at.getTime());
  const firstSendAt = new Date(Math.min(...openings));
  // The first sending day's capacity: what is left today, or a whole day when the window opens later.
  const [pool] = await listPools(deps, workspaceId);
  const today = localDay(firstSendAt, timezone) === localDay(now, timezone);
  const capacity = !pool || pool.senderCount === 0 ? Infinity : today ? pool.remainingToday : pool.dailyCapacity;
  return {
    campaignId,
    status: campaign.status,
    steps: campaign.steps.length,
    leads,
    newLeads: leads - inSequence,
    inSequence,
    nextFollowUpAt: nextFollowUp === null ? null : new Date(nextFollowUp).toISOString(),
    firstDayVolume: Math.min(leads - inSequence, capacity, settings.dailyNewLeads ?? Infinity),
    firstSendAt: firstSendAt.toISOString(),
    emptyTokens: [...empty].map(([token, n]) => ({ token, leads: n })).sort((a, b) => b.leads - a.leads || a.token.localeCompare(b.token)),
  };
}

function emptyTokensFor(steps: { subject: string; bodyHtml: string }[], lead: LeadFields): Set<string> {
  const tokens = new Set<string>();
  for (const step of steps) {
    for (const t of renderTemplate(step.subject, lead, 'subject').emptyTokens) tokens.add(t);
    for (const t of renderTemplate(step.bodyHtml, lead, 'html').emptyTokens) tokens.add(t);
  }
  return tokens;
}
