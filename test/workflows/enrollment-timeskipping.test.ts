// Slow (~40 s quiet): starts the time-skipping test server, and each of its tests builds a worker of its own (bundling the workflow code again) on its own task queue.
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Activities } from '../../src/activities/index.js';
import type { EnrollmentPlan } from '../../src/domain/enrollment-plan.js';
import type { ClaimResult, SendStepResult } from '../../src/domain/step-result.js';
import { DAY_MS as DAY } from '../../src/domain/time.js';
import { buildWorker } from '../../src/worker/build-worker.js';
import { eventually, testWorkflowBundle } from '../helpers/worker.js';
import { pauseSignal, replySignal, resumeSignal, SEARCH_ATTRIBUTES, stateQuery, stopSignal, wakeSignal } from '../../src/workflows/contract.js';
import { enrollmentWorkflow } from '../../src/workflows/index.js';

/**
 * Typed fakes for the side-effecting activities; server time comes from the activity's schedule.
 * `claim` decides each claim (default: go ahead); deliveries record a send.
 */
function fakeActivities(plan: Partial<EnrollmentPlan>, behaviour: { claim?: () => ClaimResult | null | Promise<ClaimResult | null> } = {}) {
  const sends: { stepNumber: number; at: number }[] = [];
  const claims: { stepNumber: number; at: number }[] = [];
  const finished: string[] = [];
  const activities: Pick<Activities, 'loadEnrollmentPlan' | 'claimStep' | 'deliverStep' | 'finishEnrollment'> = {
    async loadEnrollmentPlan() {
      return { delaysDays: [0], sentSteps: 0, anchorAt: new Date(activityInfo().currentAttemptScheduledTimestampMs).toISOString(), finished: false, ...plan };
    },
    async claimStep({ stepNumber }): Promise<ClaimResult> {
      const at = activityInfo().currentAttemptScheduledTimestampMs;
      claims.push({ stepNumber, at });
      return (await behaviour.claim?.()) ?? { kind: 'attempt', messageId: `msg_${stepNumber}` };
    },
    async deliverStep({ stepNumber }): Promise<SendStepResult> {
      const at = activityInfo().currentAttemptScheduledTimestampMs;
      sends.push({ stepNumber, at });
      return { kind: 'sent', messageId: `msg_${stepNumber}`, sentAt: new Date(at).toISOString() };
    },
    async finishEnrollment({ status }) {
      finished.push(status);
    },
  };
  return { activities, sends, claims, finished };
}

describe('enrollmentWorkflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let queues = 0;
  let taskQueue = '';

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
    });
    // The test server knows no custom search attributes until told, like a fresh cluster.
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((k) => [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const input = (id: string) => ({ enrollmentId: id, campaignId: 'camp_x', workspaceId: 'ws_x', leadEmail: 'a@example.com' });
  const start = (id: string) =>
    env.client.workflow.start(enrollmentWorkflow, { taskQueue, workflowId: `${id}-${Date.now()}`, args: [input(id)] });
  // A queue per test, so a worker of one test never serves another's workflow.
  const worker = (activities: Partial<Activities>) => {
    taskQueue = `ts-${process.pid}-${++queues}`;
    return buildWorker({ workflowBundle: testWorkflowBundle(), connection: env.nativeConnection, namespace: 'default', taskQueue, activities });
  };

  it('sends step 2 delayDays after step 1 and not before', async () => {
    const fake = fakeActivities({ delaysDays: [0, 3] });
    const w = await worker(fake.activities);
    await w.runUntil(async () => {
      const handle = await start('delay');
      await env.sleep('2 days');
      expect(fake.sends.map((s) => s.stepNumber)).toEqual([1]);
      expect((await handle.query(stateQuery)).status).toBe('waiting');
      await handle.result();
    });
    expect(fake.sends.map((s) => s.stepNumber)).toEqual([1, 2]);
    const gap = fake.sends[1]!.at - fake.sends[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(3 * DAY);
    expect(gap).toBeLessThan(3 * DAY + 60_000);
    expect(fake.finished).toEqual(['completed']);
  });

  it('follows a plan given with the start without loading one', async () => {
    const fake = fakeActivities({});
    let loads = 0;
    const w = await worker({ ...fake.activities, loadEnrollmentPlan: async () => (loads++, fake.activities.loadEnrollmentPlan({ enrollmentId: 'x' })) });
    let startedAt = 0;
    await w.runUntil(async () => {
      startedAt = await env.currentTimeMs();
      const plan = { delaysDays: [1, 2], sentSteps: 0, anchorAt: new Date(startedAt).toISOString(), finished: false };
      const handle = await env.client.workflow.start(enrollmentWorkflow, {
        taskQueue,
        workflowId: `planned-${Date.now()}`,
        args: [{ ...input('planned'), plan }],
      });
      await handle.result();
    });
    expect(loads).toBe(0);
    expect(fake.sends.map((s) => s.stepNumber)).toEqual([1, 2]);
    expect(fake.sends[0]!.at - startedAt).toBeGreaterThanOrEqual(DAY);
    const gap = fake.sends[1]!.at - fake.sends[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(2 * DAY);
    expect(gap).toBeLessThan(2 * DAY + 60_000);
  });

  it('holds a step whose due time passes during a pause, then sends it once on resume', async () => {
    // The claim answers as the database would: paused while the campaign is.
    let paused = false;
    const fake = fakeActivities({ delaysDays: [0, 1] }, { claim: () => (paused ? { kind: 'deferred', reason: 'campaign_paused', until: null } : null) });
    const w = await worker(fake.activities);
    await w.runUntil(async () => {
      const handle = await start('pause');
      await env.sleep('1 hour');
      paused = true;
      await handle.signal(pauseSignal);
      await env.sleep('3 days');
      expect(fake.sends.map((s) => s.stepNumber)).toEqual([1]);
      expect((await handle.query(stateQuery)).status).toBe('paused');
      paused = false;
      await handle.signal(resumeSignal);
      await handle.signal(resumeSignal); // a duplicate signal changes nothing
      await handle.result();
    });
    expect(fake.sends.map((s) => s.stepNumber)).toEqual([1, 2]);
    expect(fake.sends[1]!.at - fake.sends[0]!.at).toBeGreaterThan(3 * DAY);
  });

  it.each([
    ['a reply', 'replied'],
    ['a stop', 'stopped'],
  ] as const)('ends the sequence on %s during a delay', async (_name, status) => {
    const fake = fakeActivities({ delaysDays: [0, 5, 5] });
    const w = await worker(fake.activities);
    const final = await w.runUntil(async () => {
      const handle = await start(status);
      await env.sleep('1 day');
      if (status === 'replied') await handle.signal(replySignal, {});
      else await handle.signal(stopSignal, { reason: 'stopped' });
      return handle.result();
    });
    expect(final.status).toBe(status);
    expect(fake.sends.map((s) => s.stepNumber)).toEqual([1]);
    expect(fake.finished).toEqual([status]);
  });

  it('waits for resume when the database says the campaign is paused, then retries the same step', async () => {
    let deferred = false;
    const fake = fakeActivities({ delaysDays: [0] }, { claim: () => (deferred ? null : ((deferred = true), { kind: 'deferred', reason: 'campaign_paused', until: null })) });
    const w = await worker(fake.activities);
    await w.runUntil(async () => {
      const handle = await start('deferred');
      await env.sleep('10 minutes');
      expect(fake.sends).toEqual([]);
      expect((await handle.query(stateQuery)).status).toBe('paused');
      await handle.signal(resumeSignal);
      await handle.result();
    });
    expect(fake.sends.map((s) => s.stepNumber)).toEqual([1]);
  });

  it('withdraws a send still queued when paused, so the lead shows paused at once, and sends it once on resume', async () => {
    let paused = false;
    const fake = fakeActivities({ delaysDays: [0] }, { claim: () => (paused ? { kind: 'deferred', reason: 'campaign_paused', until: null } : null) });
    let attempts = 0;
    let providerUp = false;
    const w = await worker({
      ...fake.activities,
      // The provider is down: the step sits between retries, which is where a queued send waits.
      async deliverStep(args) {
        attempts++;
        if (!providerUp) throw ApplicationFailure.retryable('provider unavailable', 'RetryableMailError');
        return fake.activities.deliverStep(args);
      },
    });
    await w.runUntil(async () => {
      const handle = await start('withdraw');
      await eventually(async () => attempts >= 2, 10_000, 'deliverStep retried');
      paused = true;
      await handle.signal(pauseSignal);
      await eventually(async () => (await handle.query(stateQuery)).status === 'paused', 10_000, 'shows paused');
      const attemptsAtPause = attempts;
      await env.sleep('2 hours');
      expect(attempts).toBe(attemptsAtPause);
      expect((await handle.query(stateQuery)).status).toBe('paused');
      providerUp = true;
      paused = false;
      await handle.signal(resumeSignal);
      await handle.result();
    });
    expect(fake.sends.map((s) => s.stepNumber)).toEqual([1]);
    expect(fake.finished).toEqual(['completed']);
  });

  it('keeps a lead held for 400 days on a bounded history (continue-as-new), re-checking ever less often, and sends once on resume', async () => {
    let campaignRunning = false;
    const fake = fakeActivities(
      { delaysDays: [0, 1] },
      { claim: () => (campaignRunning ? null : { kind: 'deferred', reason: 'campaign_paused', until: null }) },
    );
    const w = await worker(fake.activities);
    const workflowId = `held-${Date.now()}`;
    let firstRunId = '';
    const final = await w.runUntil(async () => {
      const handle = await env.client.workflow.start(enrollmentWorkflow, { taskQueue, workflowId, args: [input('held')] });
      firstRunId = handle.firstExecutionRunId;
      await env.sleep('400 days');
      expect(fake.sends).toEqual([]);
      campaignRunning = true;
      await env.client.workflow.getHandle(workflowId).signal(resumeSignal);
      return env.client.workflow.getHandle(workflowId).result();
    });
    expect(final.status).toBe('completed');
    expect(fake.sends.map((s) => s.stepNumber)).toEqual([1, 2]);

    // Walk the chain of runs from the first: each handed over before its history grew past the bound.
    const lengths: number[] = [];
    const history = async (runId: string) => (await env.client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    let events = await history(firstRunId);
    for (;;) {
      lengths.push(events.length);
      const next = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (!next) break;
      events = await history(next);
    }
    expect(lengths.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(1_100);
    // Re-checks back off from hourly to daily: about 420 claims over 400 days, not 9,600.
    const heldClaims = fake.claims.filter((c) => c.stepNumber === 1).length;
    expect(heldClaims).toBeGreaterThan(380);
    expect(heldClaims).toBeLessThan(500);
  }, 300_000);

  it('wakes a lead waiting for capacity when told (a sender was fixed or added) instead of at its booked day', async () => {
    let first = true;
    let bookedDay = 0;
    const fake = fakeActivities(
      { delaysDays: [0] },
      {
        claim: async () => {
          if (!first) return null;
          first = false;
          bookedDay = (await env.currentTimeMs()) + 3 * DAY;
          return { kind: 'deferred', reason: 'capacity', until: new Date(bookedDay).toISOString() };
        },
      },
    );
    const w = await worker(fake.activities);
    let startedAt = 0;
    await w.runUntil(async () => {
      startedAt = await env.currentTimeMs();
      const handle = await start('wake');
      await env.sleep('1 hour');
      expect(fake.sends).toEqual([]);
      expect((await handle.query(stateQuery)).nextDueAt).toBe(new Date(bookedDay).toISOString());
      await handle.signal(wakeSignal);
      await handle.result();
    });
    expect(fake.sends).toHaveLength(1);
    expect(fake.sends[0]!.at - startedAt).toBeLessThan(2 * 60 * 60 * 1000);
  });

  it('holds a lead whose sender is unavailable until woken, re-checking meanwhile', async () => {
    let senderFixed = false;
    const fake = fakeActivities({ delaysDays: [0] }, { claim: () => (senderFixed ? null : { kind: 'deferred', reason: 'sender_unavailable', until: null }) });
    const w = await worker(fake.activities);
    await w.runUntil(async () => {
      const handle = await start('sender');
      await env.sleep('5 hours');
      expect(fake.sends).toEqual([]);
      expect((await handle.query(stateQuery)).status).toBe('waiting');
      senderFixed = true;
      await handle.signal(wakeSignal);
      await handle.result();
    });
    expect(fake.sends).toHaveLength(1);
  });

  it('withdraws a delivery being retried when the lead replies: no further attempt, and the sequence ends replied', async () => {
    const fake = fakeActivities({ delaysDays: [0, 0] });
    let attempts = 0;
    const w = await worker({
      ...fake.activities,
      async deliverStep() {
        attempts++;
        throw ApplicationFailure.retryable('provider unavailable', 'RetryableMailError');
      },
    });
    const final = await w.runUntil(async () => {
      const handle = await start('reply-retry');
      await eventually(async () => attempts >= 2, 10_000, 'deliverStep retried');
      await handle.signal(replySignal, {});
      const result = await handle.result();
      const attemptsAtEnd = attempts;
      await env.sleep('1 hour');
      expect(attempts).toBe(attemptsAtEnd);
      return result;
    });
    expect(final.status).toBe('replied');
    expect(fake.finished).toEqual(['replied']);
  });

  it('resumes from the database position: steps already sent are not sent again', async () => {
    const fake = fakeActivities({ delaysDays: [0, 0, 0], sentSteps: 2 });
    const w = await worker(fake.activities);
    await w.runUntil(async () => (await start('resume-position')).result());
    expect(fake.sends.map((s) => s.stepNumber)).toEqual([3]);
  });
});
