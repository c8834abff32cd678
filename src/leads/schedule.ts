import { readSettings, type CampaignSettings } from '../campaigns/settings.js';
import { requireCampaign } from '../campaigns/require-campaign.js';
import { continuedSubject } from '../domain/render.js';
import { listSenders, poolOf } from '../senders/senders.js';
import { waitingView } from '../domain/waiting.js';
import { isTerminal, type PlanReason } from '../domain/enrollment-status.js';
import { NotFoundError } from '../domain/errors.js';
import { renderTemplate } from '../domain/render.js';
import { variantFor } from '../domain/variants.js';
import { localDay } from '../domain/schedule.js';
import { planSend, type SendConditions } from '../domain/send-plan.js';
import { DAY_MS } from '../domain/time.js';
import type { ServiceDeps } from '../services.js';
import { byLeadRef } from './lead-ref.js';

export type PlannedStep = {
  stepNumber: number;
  variantId: string | null;
  subject: string;
  bodyHtml: string;
  emptyTokens: string[];
  plannedAt: string;
  /** What moved it later than now: delay, out_of_office, window, daily_new_leads, capacity, pacing. */
  plannedBecause: PlanReason[];
};

/**
 * SPEC §11 dry run: every step still to come for one lead, rendered, with when it would go out if
 * nothing changed: its delay, then what the claim would judge (planSend: the lead's hold, the
 * window in the lead's zone, today's new-lead places and capacity as they stand, its account's
 * pacing). Reads only: nothing is sent, claimed or reserved. A draft or paused
 * campaign is planned as if started or resumed now.
 */
export async function leadSchedule(deps: ServiceDeps, workspaceId: string, campaignId: string, leadId: string) {
  const { db } = deps;
  const campaign = await requireCampaign(db, workspaceId, campaignId);
  const enrollment = await db.enrollment.findFirst({ where: { campaignId, workspaceId, ...byLeadRef(leadId) }, include: { lead: true } });
  if (!enrollment) throw new NotFoundError('lead', 'Lead not found in this campaign.');
  const steps = await db.sequenceStep.findMany({ where: { campaignId }, orderBy: { stepNumber: 'asc' } });
  const first = await db.message.findFirst({ where: { enrollmentId: enrollment.id, stepNumber: 1 }, select: { subject: true } });
  const { timezone } = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timezone: true } });
  const lead = { ...enrollment.lead, customFields: enrollment.lead.customFields as Record<string, unknown> };
  const now = deps.now();
  // What it waits for reads as on the lead itself (a pause over the recorded wait).
  const { waitingFor } = waitingView(enrollment, campaign.status, now);
  const plannedAsIf = isTerminal(enrollment.status) ? null : campaign.status === 'draft' ? ('started_now' as const) : campaign.status === 'paused' || enrollment.status === 'paused' ? ('resumed_now' as const) : null;
  const view = { campaignId, leadId: enrollment.leadId, email: lead.email, status: enrollment.status, waitingFor, campaignStatus: campaign.status, plannedAsIf };
  if (isTerminal(enrollment.status)) return { ...view, steps: [] as PlannedStep[] };

  const remaining = steps.filter((s) => s.stepNumber > enrollment.currentStep);
  const settings = readSettings(campaign.settings);
  // Later steps: only the window is known ahead; their day's capacity and pacing are not.
  const later: SendConditions = { timezone, window: settings.sendingWindow, leadTimezone: lead.timezone };
  const planned: PlannedStep[] = [];
  let previous: Date | null = null;
  for (const step of remaining) {
    const due = previous ? new Date(previous.getTime() + step.delayDays * DAY_MS) : firstDue(enrollment.nextSendAt, step.delayDays, now);
    const conditions = previous ? later : await firstConditions(deps, { workspaceId, enrollment, settings, timezone, due, later });
    const plan = planSend(due, conditions, previous || enrollment.currentStep > 0 ? {} : { newLeads: settings.dailyNewLeads });
    const because = reasons(plan.because, due, now, previous ? null : enrollment.heldUntil);
    // The variant the lead is (or would be) assigned; a step already claimed is not in `remaining`.
    const variant = variantFor(step, enrollment.id);
    const subject = renderTemplate(variant?.subject ?? step.subject, lead, 'subject');
    const body = renderTemplate(variant?.bodyHtml ?? step.bodyHtml, lead, 'html');
    // A follow-up continues the thread of the step 1 the lead got (or will get): its own variant's subject.
    const firstStep = steps[0] ? (variantFor(steps[0], enrollment.id)?.subject ?? steps[0].subject) : '';
    const firstSubject = first?.subject ?? renderTemplate(firstStep, lead, 'subject').text;
    planned.push({
      stepNumber: step.stepNumber,
      variantId: variant?.id ?? null,
      subject: subject.text === '' && step.stepNumber > 1 ? continuedSubject(firstSubject) : subject.text,
      bodyHtml: body.text,
      emptyTokens: [...new Set([...subject.emptyTokens, ...body.emptyTokens])],
      plannedAt: plan.at.toISOString(),
      plannedBecause: because,
    });
    previous = plan.at;
  }
  return { ...view, steps: planned };
}

/**
 * What moved a step later than now, in order. A lead held by its out-of-office reply waits for its
 * return, which is then the reason (not the delay), also when its step falls due on that moment.
 */
function reasons(gates: PlanReason[], due: Date, now: Date, heldUntil: Date | null): PlanReason[] {
  const held = gates.includes('out_of_office') || (heldUntil !== null && heldUntil > now && heldUntil >= due);
  const first: PlanReason[] = held ? ['out_of_office'] : due > now ? ['delay'] : [];
  return [...first, ...gates.filter((r) => r !== 'out_of_office')];
}

/** The next step's due time: what the enrollment says, or (not started yet) now plus its delay. */
function firstDue(nextSendAt: Date | null, delayDays: number, now: Date): Date {
  if (nextSendAt) return nextSendAt > now ? nextSendAt : now;
  return new Date(now.getTime() + delayDays * DAY_MS);
}

type FirstStep = {
  workspaceId: string;
  enrollment: { id: string; campaignId: string; currentStep: number; senderAccountId: string | null; paceSlotAt: Date | null; heldUntil: Date | null };
  settings: CampaignSettings;
  timezone: string;
  due: Date;
  later: SendConditions;
};

/**
 * What holds the next step back as things stand: the lead's hold, its account's pacing slot, and
 * (when it falls due today) today's capacity left and the campaign's new-lead places left.
 */
async function firstConditions(deps: ServiceDeps, { workspaceId, enrollment, settings, timezone, due, later }: FirstStep): Promise<SendConditions> {
  const senders = await listSenders(deps, workspaceId);
  const account = senders.find((s) => s.id === enrollment.senderAccountId);
  const pacing = account && account.minGapSeconds > 0 ? await deps.db.senderAccount.findUnique({ where: { id: account.id }, select: { nextSlotAt: true } }) : null;
  const today = localDay(deps.now(), timezone);
  if (localDay(due, timezone) !== today) return { ...later, heldUntil: enrollment.heldUntil, slotAt: enrollment.paceSlotAt ?? pacing?.nextSlotAt ?? null };
  const pool = poolOf(workspaceId, senders);
  const cap = enrollment.currentStep === 0 ? settings.dailyNewLeads : null;
  const started = cap === null ? null : await deps.db.campaignNewLeads.findUnique({ where: { campaignId_day: { campaignId: enrollment.campaignId, day: today } }, select: { started: true } });
  return {
    ...later,
    heldUntil: enrollment.heldUntil,
    slotAt: enrollment.paceSlotAt ?? pacing?.nextSlotAt ?? null,
    capacityLeft: account ? account.remainingToday : pool.senderCount > 0 ? pool.remainingToday : null,
    newLeadsLeft: cap === null ? null : cap - (started?.started ?? 0),
  };
}
