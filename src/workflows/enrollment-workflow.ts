import {
  ActivityCancellationType,
  allHandlersFinished,
  CancellationScope,
  condition,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { EnrollmentPlan } from '../domain/enrollment-plan.js';
import type { Deferred, SendStepResult } from '../domain/step-result.js';
import {
  enrollmentStatusKey,
  pauseSignal,
  replySignal,
  resumeSignal,
  SEND_RETRY,
  sendTaskQueue,
  stateQuery,
  stopSignal,
  wakeSignal,
  type EnrollmentInput,
  type EnrollmentPhase,
  type EnrollmentState,
} from './contract.js';
import { SEND_BUDGET } from '../domain/send-budget.js';
import { DAY_MS } from '../domain/time.js';
import { legacyEnrollmentWorkflow } from './enrollment-workflow-v1.js';

// A wait without a known end (a pause, a sender to be fixed) re-checks the database after an hour,
// then ever less often up to once a day: a lost signal delays a lead about as long as it had
// already waited (a day at most), and a year-long hold costs some 400 checks, not 9,000.
const RECHECK_FIRST_MS = 60 * 60 * 1000;
const RECHECK_MAX_MS = DAY_MS;
// Past this many events a run hands over to a fresh one (continue-as-new), far below Temporal's
// limit of 51,200: an ordinary 20-step sequence stays under it in one run.
const HISTORY_LIMIT = 1_000;

const DB_RETRY = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
// Database work: short, retried quickly and forever; the database is the guard, so retries are safe.
const db = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: DB_RETRY });
// The claim runs in the worker beside the workflow (a local activity): no task queue, no
// provider-rate token, no extra workflow task, only a marker in the history.
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: DB_RETRY });

// One delivery attempt is a transaction around one provider request; its timeout closes the chain of
// SEND_BUDGET (no call begins that could outlive it, so two attempts never call side by side). It is
// also how long a send waits when its worker died mid-attempt or its completion was lost; the
// retry then finds the message and finishes it under the same key.
// A signal that ends or pauses the lead withdraws a delivery still queued (behind the rate limit,
// or between retries); one already running is waited for, never abandoned mid-call.
const MAIL_PROFILE = {
  startToCloseTimeout: SEND_BUDGET.activityMs,
  retry: {
    initialInterval: SEND_RETRY.initialIntervalMs,
    backoffCoefficient: SEND_RETRY.backoffCoefficient,
    maximumInterval: SEND_RETRY.maximumIntervalMs,
  },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
} as const;

/**
 * Workflows begun before claims and deliveries were split replay (and finish) on the old code
 * (shipped 2026-12-01, f5849c8). Removal, once `scripts/legacy-open.ts` counts 0 for it (no open
 * enrollment run without this marker in TemporalChangeVersion): enrollmentWorkflow's `patched()`
 * line becomes `deprecatePatch(CLAIM_THEN_DELIVER)`, and enrollment-workflow-v1.ts and the `sendStep`
 * activity go. Every run writes the marker in its first task, so `deprecatePatch` stays until no run started
 * before that deploy is open (ExecutionStatus = "Running" AND StartTime < "<that deploy>").
 */
export const CLAIM_THEN_DELIVER = 'claim-then-deliver';
/**
 * The last send completes the enrollment in its own transaction; before this the workflow then
 * finished it (shipped 2026-12-02, 282bf74). Removal: once `scripts/legacy-open.ts` counts 0 for it
 * (no open run in "sending" without the marker), drop the `patched()` call: a completing send
 * always ends the loop. No `deprecatePatch` step: the marker is written in the task that ends the run.
 */
export const COMPLETED_BY_LAST_SEND = 'completed-by-last-send';

/**
 * One lead in one campaign: waits out each step's delay, claims the step (the database guard),
 * hands a claimed step to the rate-limited provider queue, and waits as long as the claim says
 * when it may not send yet. Signals: pause, resume, reply, stop, wake. Query: state.
 */
export async function enrollmentWorkflow(input: EnrollmentInput): Promise<EnrollmentState> {
  // Legacy path: when it goes, see CLAIM_THEN_DELIVER.
  if (!patched(CLAIM_THEN_DELIVER)) return legacyEnrollmentWorkflow(input);
  return runEnrollment(input);
}

async function runEnrollment(input: EnrollmentInput): Promise<EnrollmentState> {
  const { enrollmentId } = input;
  const mail = proxyActivities<Activities>({ ...MAIL_PROFILE, taskQueue: sendTaskQueue(workflowInfo().taskQueue) });
  const state: EnrollmentState = { status: 'waiting', currentStep: 0, totalSteps: 0, nextDueAt: null };
  const lead = { paused: input.carried?.paused ?? false, ended: null as EnrollmentPhase | null, resumes: 0, wakes: 0 };
  let recheckMs = input.carried?.recheckMs ?? RECHECK_FIRST_MS;
  let delivering: CancellationScope | null = null;
  let completedBySend = false;

  const setStatus = (status: EnrollmentPhase) => {
    if (state.status === status) return;
    state.status = status;
    upsertSearchAttributes([{ key: enrollmentStatusKey, value: status }]);
  };
  const end = (status: EnrollmentPhase) => {
    lead.ended ??= status;
    delivering?.cancel();
  };
  setHandler(stateQuery, () => ({ ...state }));
  // Status (and the EnrollmentStatus search attribute) follows a pause at once, even mid-delay.
  setHandler(pauseSignal, () => {
    lead.paused = true;
    if (state.status === 'waiting') setStatus('paused');
    delivering?.cancel();
  });
  setHandler(resumeSignal, () => {
    lead.paused = false;
    lead.resumes++;
    if (state.status === 'paused') setStatus('waiting');
  });
  setHandler(wakeSignal, () => {
    lead.wakes++;
  });
  setHandler(replySignal, () => end('replied'));
  setHandler(stopSignal, ({ reason }) => end(reason === 'bounced' || reason === 'unsubscribed' || reason === 'replied' ? reason : 'stopped'));

  const plan: EnrollmentPlan = input.plan ?? (await db.loadEnrollmentPlan({ enrollmentId }));
  state.totalSteps = plan.delaysDays.length;
  state.currentStep = plan.sentSteps;
  if (plan.finished) {
    setStatus('stopped');
    return { ...state };
  }
  // A plan given with the start came with EnrollmentStatus set; saying it again costs a visibility write.
  if (!input.plan) upsertSearchAttributes([{ key: enrollmentStatusKey, value: state.status }]);
  if (lead.paused) setStatus('paused');
  let anchor = Date.parse(plan.anchorAt);

  const told = () => ({ resumes: lead.resumes, wakes: lead.wakes });
  /** Waits for a resume or wake counted after `since`, or the next re-check; then the database decides. */
  const waitUntilTold = async (since: ReturnType<typeof told>) => {
    const wasTold = await condition(() => lead.ended !== null || lead.resumes > since.resumes || lead.wakes > since.wakes, recheckMs);
    recheckMs = wasTold ? RECHECK_FIRST_MS : Math.min(recheckMs * 2, RECHECK_MAX_MS);
    lead.paused = false;
  };
  const waitDeferred = async (deferred: Deferred, since: ReturnType<typeof told>) => {
    if (deferred.until === null) {
      setStatus(deferred.reason === 'campaign_paused' || deferred.reason === 'lead_paused' ? 'paused' : 'waiting');
      return waitUntilTold(since);
    }
    setStatus(lead.paused ? 'paused' : 'waiting');
    state.nextDueAt = deferred.until;
    // At least a second: a deferral decided on a clock behind the workflow's must not spin.
    const wait = Math.max(Date.parse(deferred.until) - Date.now(), 1_000);
    await condition(() => lead.ended !== null || lead.wakes > since.wakes, wait);
  };
  /** Claims the step, then hands a claimed one to the provider queue; null when a signal withdrew it. */
  const attempt = async (stepNumber: number): Promise<SendStepResult | null> => {
    const claimed = await local.claimStep({ enrollmentId, stepNumber, at: new Date().toISOString() });
    if (claimed.kind !== 'attempt') return claimed;
    if (lead.ended !== null || lead.paused) return null;
    setStatus('sending');
    const scope = new CancellationScope();
    delivering = scope;
    try {
      return await scope.run(() => mail.deliverStep({ enrollmentId, stepNumber }));
    } catch (err) {
      // Withdrawn before it ran: the claimed step waits for the lead to go on. Had it begun after
      // all, the next attempt finds its message and does not send it again.
      if (!scope.consideredCancelled) throw err;
      return null;
    } finally {
      delivering = null;
    }
  };
  const handOver = async () => {
    // Handlers are synchronous; a signal that arrives meanwhile makes the server refuse the hand-over
    // and run another task first, so none is lost.
    await condition(allHandlersFinished);
    const next = { ...plan, sentSteps: state.currentStep, anchorAt: new Date(anchor).toISOString() };
    const continueAsNew = makeContinueAsNewFunc<typeof enrollmentWorkflow>({ typedSearchAttributes: workflowInfo().typedSearchAttributes });
    return continueAsNew({ ...input, plan: next, carried: { paused: lead.paused, recheckMs } });
  };

  while (state.currentStep < state.totalSteps && lead.ended === null) {
    const info = workflowInfo();
    if (info.historyLength > HISTORY_LIMIT || info.continueAsNewSuggested) return handOver();
    const stepNumber = state.currentStep + 1;
    const dueAt = anchor + (plan.delaysDays[stepNumber - 1] ?? 0) * DAY_MS;
    state.nextDueAt = new Date(dueAt).toISOString();
    setStatus(lead.paused ? 'paused' : 'waiting');
    if (dueAt > Date.now()) await condition(() => lead.ended !== null, dueAt - Date.now());
    if (lead.ended !== null) break;
    if (lead.paused) {
      await waitUntilTold(told());
      continue;
    }

    const since = told();
    const result = await attempt(stepNumber);
    if (result === null) continue;
    if (result.kind === 'sent') {
      anchor = Date.parse(result.sentAt);
      state.currentStep = stepNumber;
      recheckMs = RECHECK_FIRST_MS;
      // Legacy path (the finishEnrollment below after a completing send): see COMPLETED_BY_LAST_SEND.
      if (result.completed && patched(COMPLETED_BY_LAST_SEND)) {
        completedBySend = true;
        break;
      }
    } else if (result.kind === 'ended') {
      if (result.status === 'completed') state.currentStep = state.totalSteps;
      else lead.ended ??= result.status;
    } else {
      await waitDeferred(result, since);
    }
  }

  state.nextDueAt = null;
  const finalStatus: EnrollmentPhase = lead.ended ?? 'completed';
  // A completed row is final: an ending signalled meanwhile was written by whoever sent it.
  if (!completedBySend) await db.finishEnrollment({ enrollmentId, status: finalStatus });
  setStatus(finalStatus);
  return { ...state };
}
