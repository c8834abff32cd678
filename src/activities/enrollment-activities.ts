import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { MAY_WAIT_FOR_LOCKS } from '../db.js';
import { parseMailbox } from '../domain/email.js';
import { TryAgainLater } from '../domain/try-again.js';
import { claimStep } from '../delivery/claim.js';
import { deliverStep } from '../delivery/deliver.js';
import { endLocked } from '../leads/endings.js';
import { dispatchEvents, emitEvent } from '../webhooks/events.js';
import type { ActivityDeps } from './deps.js';
import { planOf, type EnrollmentPlan } from '../domain/enrollment-plan.js';
import { isTerminal, LIVE_STATUSES } from '../domain/enrollment-status.js';
import type { ClaimResult, SendStepResult } from '../domain/step-result.js';

/** A retry of the same activity, paused by the service's estimate when it has one. */
function retryAfter({ message, why, retryInMs }: TryAgainLater): ApplicationFailure {
  return ApplicationFailure.create({ message, type: why, ...(retryInMs !== undefined ? { nextRetryDelay: retryInMs } : {}) });
}

type StepRef = { enrollmentId: string; stepNumber: number };
/**
 * `at`: the workflow's time when it claims. The claim's clock is never behind it, so a wait the
 * claim answers is never already over by the clock the workflow sleeps by.
 */
type ClaimRef = StepRef & { at?: string };

/** The attempt number Temporal runs; called directly (tests, scripts) there is none: a first attempt. */
function currentAttempt(): number {
  try {
    return activityInfo().attempt;
  } catch {
    return 1;
  }
}

export function createEnrollmentActivities(deps: ActivityDeps) {
  const { db, now } = deps;
  const claimDeps = { db, now, publicUrl: deps.publicUrl, fallback: { id: null, ...parseMailbox(deps.mailFrom) } };

  async function loadEnrollmentPlan({ enrollmentId }: { enrollmentId: string }): Promise<EnrollmentPlan> {
    const enrollment = await db.enrollment.findUnique({
      where: { id: enrollmentId },
      include: {
        campaign: { include: { steps: { orderBy: { stepNumber: 'asc' } } } },
        messages: { orderBy: { stepNumber: 'desc' }, take: 1, select: { sentAt: true, createdAt: true } },
      },
    });
    if (!enrollment) throw ApplicationFailure.nonRetryable(`enrollment ${enrollmentId} does not exist`, 'NotFound');
    const last = enrollment.messages[0];
    return planOf(enrollment, enrollment.campaign, last ? (last.sentAt ?? last.createdAt) : null);
  }

  /** The guard and the claim of a step; costs no provider-rate token (see src/delivery/claim.ts). */
  async function claim({ enrollmentId, stepNumber, at }: ClaimRef): Promise<ClaimResult> {
    const clock = at ? () => new Date(Math.max(Date.parse(at), now().getTime())) : now;
    return claimStep({ ...claimDeps, now: clock }, enrollmentId, stepNumber);
  }

  /** One provider attempt at a claimed step, on the rate-limited send queue (src/delivery/deliver.ts). */
  async function deliver({ enrollmentId, stepNumber }: StepRef): Promise<SendStepResult> {
    try {
      return await deliverStep(deps, enrollmentId, stepNumber, currentAttempt());
    } catch (error) {
      throw error instanceof TryAgainLater ? retryAfter(error) : error;
    }
  }

  /**
   * Claim and deliver in one, for workflows begun before the two were split (they call it on the
   * send queue). Goes with legacyEnrollmentWorkflow, its only caller: once `scripts/legacy-open.ts`
   * counts 0 for it (see CLAIM_THEN_DELIVER in src/workflows/enrollment-workflow.ts).
   */
  async function sendStep(ref: StepRef): Promise<SendStepResult> {
    const claimed = await claim(ref);
    return claimed.kind === 'attempt' ? deliver(ref) : claimed;
  }

  async function finishEnrollment({ enrollmentId, status }: { enrollmentId: string; status: string }) {
    const final = isTerminal(status) ? status : 'completed';
    const events = await db.$transaction(async (tx) => {
      // A status the API already wrote (replied, stopped, …) wins over the workflow's view.
      const [live] = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Enrollment" WHERE id = ${enrollmentId} AND status = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[]) FOR UPDATE`;
      if (!live) return [];
      if (final !== 'completed') {
        await endLocked(tx, [enrollmentId], final, `workflow ended: ${final}`, now());
        return [];
      }
      const e = await tx.enrollment.update({
        where: { id: enrollmentId },
        data: { status: 'completed', finishedAt: now(), nextSendAt: null, waitingFor: null, waitingSince: null },
        include: { lead: { select: { email: true } } },
      });
      return [await emitEvent(tx, e.workspaceId, 'lead.completed', { campaignId: e.campaignId, leadId: e.leadId, email: e.lead.email })];
    }, MAY_WAIT_FOR_LOCKS);
    await dispatchEvents(deps, events);
  }

  return { loadEnrollmentPlan, claimStep: claim, deliverStep: deliver, sendStep, finishEnrollment };
}
