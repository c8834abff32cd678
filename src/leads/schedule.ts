import { readSettings } from '../campaigns/settings.js';
import { requireCampaign } from '../campaigns/require-campaign.js';
import { continuedSubject } from '../domain/render.js';
import { listSenders, poolOf } from '../senders/senders.js';
import { waitingView } from '../domain/waiting.js';
import { isTerminal, type PlanReason } from '../domain/enrollment-status.js';
import { NotFoundError } from '../domain/errors.js';
import { renderTemplate } from '../domain/render.js';
import { variantFor } from '../domain/variants.js';
import { checkWindow, localDay, nextLocalMidnight, windowFor, type SendingWindow } from '../domain/schedule.js';
import { DAY_MS } from '../domain/time.js';
import type { ServiceDeps } from '../services.js';

export type PlannedStep = {
  stepNumber: number;
  variantId: string | null;
  subject: string;
  bodyHtml: string;
  emptyTokens: string[];
  plannedAt: string;
  /** What moved it later than now: delay, out_of_office, window, pacing, capacity. */
  plannedBecause: PlanReason[];
};

/**
 * SPEC §11 dry run: every step still to come for one lead, rendered, with when it would go out if
 * nothing changed (its delay, the sending window in the lead's zone, its account's pacing, today's
 * capacity as it stands). Reads only: nothing is sent, claimed or reserved. A draft or paused
 * campaign is planned as if started or resumed now.
 */
export async function leadSchedule(deps: ServiceDeps, workspaceId: string, campaignId: string, leadId: string) {
  const { db } = deps;
  const campaign = await requireCampaign(db, workspaceId, campaignId);
  const enrollment = await db.enrollment.findFirst({ where: { campaignId, leadId, workspaceId }, include: { lead: true } });
  if (!enrollment) throw new NotFoundError('lead', 'Lead not found in this campaign.');
  const steps = await db.sequenceStep.findMany({ where: { campaignId }, orderBy: { stepNumber: 'asc' } });
  const first = await db.message.findFirst({ where: { enrollmentId: enrollment.id, stepNumber: 1 }, select: { subject: true } });
  const { timezone } = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timezone: true } });
  const window = readSettings(campaign.settings).sendingWindow;
  const lead = { ...enrollment.lead, customFields: enrollment.lead.customFields as Record<string, unknown> };
  const now = deps.now();
  // What it waits for reads as on the lead itself (a pause over the recorded wait).
  const { waitingFor } = waitingView(enrollment, campaign.status, now);
  const view = { campaignId, leadId, email: lead.email, status: enrollment.status, waitingFor, campaignStatus: campaign.status };
  if (isTerminal(enrollment.status)) return { ...view, steps: [] as PlannedStep[] };

  const remaining = steps.filter((s) => s.stepNumber > enrollment.currentStep);
  const planned: PlannedStep[] = [];
  let previous: Date | null = null;
  for (const step of remaining) {
    const because: PlanReason[] = [];
    let at: Date = previous ? new Date(previous.getTime() + step.delayDays * DAY_MS) : firstDue(enrollment.nextSendAt, step.delayDays, now);
    if (at > now) because.push('delay');
    if (!previous) at = afterHold(enrollment.heldUntil, at, now, because);
    at = openAt(at, window, lead.timezone, because);
    if (!previous) at = await afterPacingAndCapacity(deps, workspaceId, enrollment, at, timezone, window, lead.timezone, because);
    // The variant the lead is (or would be) assigned; a step already claimed is not in `remaining`.
    const variant = variantFor(step, enrollment.id);
    const subject = renderTemplate(variant?.subject ?? step.subject, lead, 'subject');
    const body = renderTemplate(variant?.bodyHtml ?? step.bodyHtml, lead, 'html');
    const firstSubject = first?.subject ?? (steps[0] ? renderTemplate(steps[0].subject, lead, 'subject').text : '');
    planned.push({
      stepNumber: step.stepNumber,
      variantId: variant?.id ?? null,
      subject: subject.text === '' && step.stepNumber > 1 ? continuedSubject(firstSubject) : subject.text,
      bodyHtml: body.text,
      emptyTokens: [...new Set([...subject.emptyTokens, ...body.emptyTokens])],
      plannedAt: at.toISOString(),
      plannedBecause: because,
    });
    previous = at;
  }
  return { ...view, steps: planned };
}

/** The next step's due time: what the enrollment says, or (not started yet) now plus its delay. */
function firstDue(nextSendAt: Date | null, delayDays: number, now: Date): Date {
  if (nextSendAt) return nextSendAt > now ? nextSendAt : now;
  return new Date(now.getTime() + delayDays * DAY_MS);
}

/** A lead held by its out-of-office reply waits for its return, which is then the reason (not the delay). */
function afterHold(heldUntil: Date | null, at: Date, now: Date, because: PlanReason[]): Date {
  if (!heldUntil || heldUntil <= now || heldUntil < at) return at;
  because.splice(0, because.length, 'out_of_office');
  return heldUntil;
}

function openAt(at: Date, window: SendingWindow | null, leadTimezone: string | null, because: PlanReason[]): Date {
  if (!window) return at;
  const check = checkWindow(at, windowFor(window, leadTimezone));
  if (check.open) return at;
  because.push('window');
  return check.opensAt;
}

/** The next send waits for its account's pacing slot, and for tomorrow when today's capacity is used. */
async function afterPacingAndCapacity(
  deps: ServiceDeps,
  workspaceId: string,
  enrollment: { senderAccountId: string | null; paceSlotAt: Date | null },
  at: Date,
  timezone: string,
  window: SendingWindow | null,
  leadTimezone: string | null,
  because: PlanReason[],
): Promise<Date> {
  const senders = await listSenders(deps, workspaceId);
  const account = senders.find((s) => s.id === enrollment.senderAccountId);
  const pacing = account && account.minGapSeconds > 0 ? await deps.db.senderAccount.findUnique({ where: { id: account.id }, select: { nextSlotAt: true } }) : null;
  const slot = enrollment.paceSlotAt ?? pacing?.nextSlotAt ?? null;
  if (slot && slot > at) {
    because.push('pacing');
    at = slot;
  }
  const pool = poolOf(workspaceId, senders);
  const left = account ? account.remainingToday : pool.senderCount > 0 ? pool.remainingToday : Infinity;
  if (left > 0 || localDay(at, timezone) !== localDay(deps.now(), timezone)) return at;
  because.push('capacity');
  return openAt(nextLocalMidnight(at, timezone), window, leadTimezone, because);
}
