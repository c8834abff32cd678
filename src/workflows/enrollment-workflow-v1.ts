import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { SendStepResult } from '../domain/step-result.js';
import {
  enrollmentStatusKey,
  pauseSignal,
  replySignal,
  resumeSignal,
  sendTaskQueue,
  stateQuery,
  stopSignal,
  type EnrollmentInput,
  type EnrollmentPhase,
  type EnrollmentState,
} from './contract.js';
import { DAY_MS } from '../domain/time.js';

// A deferral without a known end (a pause whose resume signal was lost) re-checks the database this
// often, so a missed signal delays a lead at most this long instead of forever.
const RECHECK_PAUSED_MS = 60 * 60 * 1000;

// Database work: short, retried quickly and forever; the database is the guard, so retries are safe.
const db = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Sending talks to the mail provider; sendStep is idempotent per (enrollment, step), so retrying it
// never sends twice. It runs on the send queue (see sendTaskQueue), chosen per workflow below.
// A pause withdraws a send still queued (behind the provider's rate limit, or between retries): the
// server drops it at once. One already running is waited for, never abandoned mid-call.
// One attempt is a transaction, one provider request and another transaction: seconds at most. Its
// timeout is also how long a send waits when its worker died mid-attempt (SIGKILL, OOM) or when its
// completion was lost while the Temporal server was down; then the retry finds the message and
// finishes it; 30 s still leaves a slow provider room (docs/decisions.md, 24).
const MAIL_PROFILE = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
} as const;

/**
 * Workflows begun before pauses withdrew queued sends replay without it (no marker in their
 * history; shipped 2026-11-26, 9c7cb02). Goes with this file (CLAIM_THEN_DELIVER's condition in
 * enrollment-workflow.ts); `scripts/legacy-open.ts` counts the runs that need its old branch alone.
 */
export const WITHDRAW_QUEUED_SEND = 'withdraw-queued-send-on-pause';
/**
 * Likewise for workflows whose plan came with the start (older workers loaded it regardless;
 * shipped 2026-11-26, f2c4087). Goes with this file, as WITHDRAW_QUEUED_SEND.
 */
export const PLAN_WITH_START = 'plan-with-start';

/**
 * The enrollment workflow as it ran before claims and deliveries were split
 * (enrollment-workflow.ts). Workflows begun on that code replay and finish on it, command for
 * command; their `sendStep` now runs the same guard as the new code. Remove, with the `sendStep`
 * activity, once `scripts/legacy-open.ts` counts 0 for it (see CLAIM_THEN_DELIVER).
 */
export async function legacyEnrollmentWorkflow(input: EnrollmentInput): Promise<EnrollmentState> {
  const mail = proxyActivities<Activities>({ ...MAIL_PROFILE, taskQueue: sendTaskQueue(workflowInfo().taskQueue) });
  let paused = false;
  let resumes = 0;
  let ended: EnrollmentPhase | null = null;
  let sending: CancellationScope | null = null;
  const withdrawOnPause = patched(WITHDRAW_QUEUED_SEND);
  const state: EnrollmentState = { status: 'waiting', currentStep: 0, totalSteps: 0, nextDueAt: null };

  const setStatus = (status: EnrollmentPhase) => {
    if (state.status === status) return;
    state.status = status;
    upsertSearchAttributes([{ key: enrollmentStatusKey, value: status }]);
  };

  setHandler(stateQuery, () => ({ ...state }));
  // Status (and the EnrollmentStatus search attribute) follows a pause at once, even mid-delay,
  // so ops filtering the UI see what the lead is doing.
  setHandler(pauseSignal, () => {
    paused = true;
    if (state.status === 'waiting') setStatus('paused');
    else if (withdrawOnPause) sending?.cancel();
  });
  setHandler(resumeSignal, () => {
    paused = false;
    resumes++;
    if (state.status === 'paused') setStatus('waiting');
  });
  setHandler(replySignal, () => {
    ended ??= 'replied';
  });
  setHandler(stopSignal, ({ reason }) => {
    ended ??= reason === 'bounced' || reason === 'unsubscribed' || reason === 'replied' ? reason : 'stopped';
  });

  // A worker still on the old code may have taken the first task of a workflow started with a plan
  // (a rolling deploy); replaying that history must load the plan as it did.
  const planGiven = input.plan !== undefined && patched(PLAN_WITH_START);
  const plan = planGiven ? input.plan! : await db.loadEnrollmentPlan({ enrollmentId: input.enrollmentId });
  state.totalSteps = plan.delaysDays.length;
  state.currentStep = plan.sentSteps;
  if (plan.finished) {
    setStatus('stopped');
    return { ...state };
  }
  let anchor = Date.parse(plan.anchorAt);
  // The fan-out sets EnrollmentStatus with the start; saying it again costs the server a visibility write.
  if (!planGiven) upsertSearchAttributes([{ key: enrollmentStatusKey, value: state.status }]);

  while (state.currentStep < state.totalSteps && !ended) {
    const stepNumber = state.currentStep + 1;
    const dueAt = anchor + (plan.delaysDays[stepNumber - 1] ?? 0) * DAY_MS;
    state.nextDueAt = new Date(dueAt).toISOString();
    setStatus(paused ? 'paused' : 'waiting');

    const wait = dueAt - Date.now();
    if (wait > 0) await condition(() => ended !== null, wait);
    if (ended) break;
    if (paused) {
      setStatus('paused');
      await condition(() => !paused || ended !== null);
      if (ended) break;
    }

    setStatus('sending');
    const resumesBefore = resumes;
    const scope = new CancellationScope();
    sending = scope;
    let result: SendStepResult;
    try {
      result = await scope.run(() => mail.sendStep({ enrollmentId: input.enrollmentId, stepNumber }));
    } catch (err) {
      // Withdrawn by a pause before it ran: the step is retried on resume. Should it have begun
      // after all, sendStep is idempotent per (enrollment, step) and the retry finds its message.
      if (!scope.consideredCancelled) throw err;
      continue;
    } finally {
      sending = null;
    }
    switch (result.kind) {
      case 'sent':
        anchor = Date.parse(result.sentAt);
        state.currentStep = stepNumber;
        break;
      case 'deferred': {
        const onResume = result.until === null;
        setStatus(onResume ? 'paused' : 'waiting');
        const timeout = onResume ? RECHECK_PAUSED_MS : Math.max(Date.parse(result.until!) - Date.now(), 1);
        // A resume that arrived while sendStep ran counts: the database said paused, but only just.
        await condition(() => ended !== null || (onResume && resumes > resumesBefore), timeout);
        if (onResume && resumes > resumesBefore) paused = false;
        // Retry the step at the same due time: anchor stays, so `wait` is now <= 0.
        break;
      }
      case 'ended':
        ended = result.status === 'completed' ? null : result.status;
        if (result.status === 'completed') state.currentStep = state.totalSteps;
        break;
    }
  }

  state.nextDueAt = null;
  const finalStatus: EnrollmentPhase = ended ?? 'completed';
  await db.finishEnrollment({ enrollmentId: input.enrollmentId, status: finalStatus });
  setStatus(finalStatus);
  return { ...state };
}
