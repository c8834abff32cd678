/** What an enrollment's workflow is started with and keeps: the facts it needs between sends. */
import { isTerminal } from './enrollment-status.js';

/** Where an enrollment stands, as its workflow needs it (the database has the same facts). */
export type EnrollmentPlan = {
  /** delayDays of every step, in order. */
  delaysDays: number[];
  /** Steps already sent. */
  sentSteps: number;
  /**
   * What the next step's delay counts from (ISO): the last send, or for step 1 when the sequence
   * began for this lead (its enrollment into a running campaign, or the campaign's start).
   */
  anchorAt: string;
  /** Terminal enrollments (replied, stopped, …) have nothing left to do. */
  finished: boolean;
};

export type EnrollmentInput = {
  enrollmentId: string;
  campaignId: string;
  workspaceId: string;
  leadEmail: string;
  /**
   * The plan as the starter read it (a fresh enrollment: nothing sent yet), or as the previous run
   * left it (continue-as-new). Saves the workflow a database round trip at start, which is most of
   * the cost of enrolling 10,000 leads. Without it the workflow loads the plan itself; every send
   * checks the database either way.
   */
  plan?: EnrollmentPlan;
  /** What a run hands the next when it continues as new. */
  carried?: { paused: boolean; recheckMs: number };
};

/**
 * Where an enrollment stands: what its next delay counts from is the last send or, before any, when
 * the sequence began for this lead (its enrollment into a running campaign, or the campaign's start).
 */
export function planOf(
  enrollment: { enrolledAt: Date; currentStep: number; status: string },
  campaign: { startedAt: Date | null; steps: { delayDays: number }[] },
  lastSentAt: Date | null,
): EnrollmentPlan {
  const began = Math.max(enrollment.enrolledAt.getTime(), campaign.startedAt?.getTime() ?? 0);
  return {
    delaysDays: campaign.steps.map((s) => s.delayDays),
    sentSteps: enrollment.currentStep,
    anchorAt: new Date(lastSentAt?.getTime() ?? began).toISOString(),
    finished: isTerminal(enrollment.status),
  };
}
