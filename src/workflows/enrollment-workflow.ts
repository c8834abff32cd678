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

/**
 * The run as named steps: listen for signals, load the plan, then for each step wait until it is
 * due, attempt it and settle what the attempt came to; finally record the ending. Every command is
 * issued in the same order as before these names existed (the replay tests hold it).
 */
async function runEnrollment(input: EnrollmentInput): Promise<EnrollmentState> {
  const run = new EnrollmentRun(input);
  run.listen();
  const plan = await run.loadPlan();
  if (!plan) return run.snapshot();
  let completedBySend = false;
  while (run.hasStepsLeft()) {
    if (historyFull()) return run.handOver(plan);
    const stepNumber = run.state.currentStep + 1;
    await run.waitUntilDue(plan, stepNumber);
    if (run.ended !== null) break;
    if (run.paused) {
      await run.waitUntilTold(run.told());
      continue;
    }
    const since = run.told();
    const result = await run.attempt(stepNumber);
    if (result === null) continue;
    completedBySend = await run.settle(stepNumber, result, since);
    if (completedBySend) break;
  }
  return run.finish(completedBySend);
}

function historyFull(): boolean {
  const info = workflowInfo();
  return info.historyLength > HISTORY_LIMIT || info.continueAsNewSuggested;
}

/** Signals counted so far: a wait ends on one counted after it began. */
type Told = { resumes: number; wakes: number };

/** One run's state: changed only by its signal handlers and by the steps of runEnrollment. */
class EnrollmentRun {
  readonly state: EnrollmentState = { status: 'waiting', currentStep: 0, totalSteps: 0, nextDueAt: null };
  paused: boolean;
  ended: EnrollmentPhase | null = null;
  private resumes = 0;
  private wakes = 0;
  private recheckMs: number;
  private delivering: CancellationScope | null = null;
  /** When the last step was sent (or the sequence began): the next step's delay counts from it. */
  private anchor = 0;
  private readonly mail = proxyActivities<Activities>({ ...MAIL_PROFILE, taskQueue: sendTaskQueue(workflowInfo().taskQueue) });

  constructor(private readonly input: EnrollmentInput) {
    this.paused = input.carried?.paused ?? false;
    this.recheckMs = input.carried?.recheckMs ?? RECHECK_FIRST_MS;
  }

  private setStatus(status: EnrollmentPhase) {
    if (this.state.status === status) return;
    this.state.status = status;
    upsertSearchAttributes([{ key: enrollmentStatusKey, value: status }]);
  }

  private end(status: EnrollmentPhase) {
    this.ended ??= status;
    this.delivering?.cancel();
  }

  /** Status (and the EnrollmentStatus search attribute) follows a pause at once, even mid-delay. */
  listen() {
    setHandler(stateQuery, () => ({ ...this.state }));
    setHandler(pauseSignal, () => {
      this.paused = true;
      if (this.state.status === 'waiting') this.setStatus('paused');
      this.delivering?.cancel();
    });
    setHandler(resumeSignal, () => {
      this.paused = false;
      this.resumes++;
      if (this.state.status === 'paused') this.setStatus('waiting');
    });
    setHandler(wakeSignal, () => {
      this.wakes++;
    });
    setHandler(replySignal, () => this.end('replied'));
    setHandler(stopSignal, ({ reason }) => this.end(reason === 'bounced' || reason === 'unsubscribed' || reason === 'replied' ? reason : 'stopped'));
  }

  /** The plan the start carried, or the database's; null when the enrollment had already ended. */
  async loadPlan(): Promise<EnrollmentPlan | null> {
    const { input } = this;
    const plan = input.plan ?? (await db.loadEnrollmentPlan({ enrollmentId: input.enrollmentId }));
    this.state.totalSteps = plan.delaysDays.length;
    this.state.currentStep = plan.sentSteps;
    if (plan.finished) {
      this.setStatus('stopped');
      return null;
    }
    // A plan given with the start came with EnrollmentStatus set; saying it again costs a visibility write.
    if (!input.plan) upsertSearchAttributes([{ key: enrollmentStatusKey, value: this.state.status }]);
    if (this.paused) this.setStatus('paused');
    this.anchor = Date.parse(plan.anchorAt);
    return plan;
  }

  snapshot(): EnrollmentState {
    return { ...this.state };
  }

  hasStepsLeft(): boolean {
    return this.state.currentStep < this.state.totalSteps && this.ended === null;
  }

  told(): Told {
    return { resumes: this.resumes, wakes: this.wakes };
  }

  /** Sleeps out the step's delay from the last send; an ending cuts it short. */
  async waitUntilDue(plan: EnrollmentPlan, stepNumber: number) {
    const dueAt = this.anchor + (plan.delaysDays[stepNumber - 1] ?? 0) * DAY_MS;
    this.state.nextDueAt = new Date(dueAt).toISOString();
    this.setStatus(this.paused ? 'paused' : 'waiting');
    if (dueAt > Date.now()) await condition(() => this.ended !== null, dueAt - Date.now());
  }

  /** Waits for a resume or wake counted after `since`, or the next re-check; then the database decides. */
  async waitUntilTold(since: Told) {
    const wasTold = await condition(() => this.ended !== null || this.resumes > since.resumes || this.wakes > since.wakes, this.recheckMs);
    this.recheckMs = wasTold ? RECHECK_FIRST_MS : Math.min(this.recheckMs * 2, RECHECK_MAX_MS);
    this.paused = false;
  }

  private async waitDeferred(deferred: Deferred, since: Told) {
    if (deferred.until === null) {
      this.setStatus(deferred.reason === 'campaign_paused' || deferred.reason === 'lead_paused' ? 'paused' : 'waiting');
      return this.waitUntilTold(since);
    }
    this.setStatus(this.paused ? 'paused' : 'waiting');
    this.state.nextDueAt = deferred.until;
    // At least a second: a deferral decided on a clock behind the workflow's must not spin.
    const wait = Math.max(Date.parse(deferred.until) - Date.now(), 1_000);
    await condition(() => this.ended !== null || this.wakes > since.wakes, wait);
  }

  /** Claims the step, then hands a claimed one to the provider queue; null when a signal withdrew it. */
  async attempt(stepNumber: number): Promise<SendStepResult | null> {
    const { enrollmentId } = this.input;
    const claimed = await local.claimStep({ enrollmentId, stepNumber, at: new Date().toISOString() });
    if (claimed.kind !== 'attempt') return claimed;
    if (this.ended !== null || this.paused) return null;
    this.setStatus('sending');
    const scope = new CancellationScope();
    this.delivering = scope;
    try {
      return await scope.run(() => this.mail.deliverStep({ enrollmentId, stepNumber }));
    } catch (err) {
      // Withdrawn before it ran: the claimed step waits for the lead to go on. Had it begun after
      // all, the next attempt finds its message and does not send it again.
      if (!scope.consideredCancelled) throw err;
      return null;
    } finally {
      this.delivering = null;
    }
  }

  /** What an attempt came to: the step sent, the lead ended, or a wait. True when the send completed the enrollment. */
  async settle(stepNumber: number, result: SendStepResult, since: Told): Promise<boolean> {
    if (result.kind === 'sent') {
      this.anchor = Date.parse(result.sentAt);
      this.state.currentStep = stepNumber;
      this.recheckMs = RECHECK_FIRST_MS;
      // Legacy path (finishEnrollment after a completing send): see COMPLETED_BY_LAST_SEND.
      return result.completed === true && patched(COMPLETED_BY_LAST_SEND);
    }
    if (result.kind === 'ended') {
      if (result.status === 'completed') this.state.currentStep = this.state.totalSteps;
      else this.ended ??= result.status;
      return false;
    }
    await this.waitDeferred(result, since);
    return false;
  }

  /** Continues as new with what this run knows; a signal arriving meanwhile makes the server run another task first. */
  async handOver(plan: EnrollmentPlan): Promise<never> {
    // Handlers are synchronous; once they have all finished nothing is half-handled.
    await condition(allHandlersFinished);
    const next = { ...plan, sentSteps: this.state.currentStep, anchorAt: new Date(this.anchor).toISOString() };
    const continueAsNew = makeContinueAsNewFunc<typeof enrollmentWorkflow>({ typedSearchAttributes: workflowInfo().typedSearchAttributes });
    return continueAsNew({ ...this.input, plan: next, carried: { paused: this.paused, recheckMs: this.recheckMs } });
  }

  /** Records the ending (unless the last send did, in its own transaction) and answers the final state. */
  async finish(completedBySend: boolean): Promise<EnrollmentState> {
    this.state.nextDueAt = null;
    const finalStatus: EnrollmentPhase = this.ended ?? 'completed';
    // A completed row is final: an ending signalled meanwhile was written by whoever sent it.
    if (!completedBySend) await db.finishEnrollment({ enrollmentId: this.input.enrollmentId, status: finalStatus });
    this.setStatus(finalStatus);
    return { ...this.state };
  }
}
