import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Activities } from '../../src/activities/index.js';
import type { EnrollmentPlan, SendStepResult } from '../../src/activities/types.js';
import { buildWorker } from '../../src/worker/build-worker.js';
import { eventually } from '../helpers/worker.js';
import { pauseSignal, replySignal, resumeSignal, SEARCH_ATTRIBUTES, stateQuery, stopSignal } from '../../src/workflows/contract.js';
import { enrollmentWorkflow } from '../../src/workflows/index.js';

const DAY = 24 * 60 * 60 * 1000;

/** Typed fakes for the side-effecting activities; server time comes from the activity's schedule. */
function fakeActivities(plan: Partial<EnrollmentPlan>, behaviour: { deferFirst?: boolean } = {}) {
  const sends: { stepNumber: number; at: number }[] = [];
  const finished: string[] = [];
  let deferred = false;
  const activities: Pick<Activities, 'loadEnrollmentPlan' | 'sendStep' | 'finishEnrollment'> = {
    async loadEnrollmentPlan() {
      return { delaysDays: [0], sentSteps: 0, anchorAt: new Date(activityInfo().currentAttemptScheduledTimestampMs).toISOString(), finished: false, ...plan };
    },
    async sendStep({ stepNumber }): Promise<SendStepResult> {
      const at = activityInfo().currentAttemptScheduledTimestampMs;
      if (behaviour.deferFirst && !deferred) {
        deferred = true;
        return { kind: 'deferred', reason: 'campaign_paused', until: null };
      }
      sends.push({ stepNumber, at });
      return { kind: 'sent', messageId: `msg_${stepNumber}`, sentAt: new Date(at).toISOString() };
    },
    async finishEnrollment({ status }) {
      finished.push(status);
    },
  };
  return { activities, sends, finished };
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
    return buildWorker({ connection: env.nativeConnection, namespace: 'default', taskQueue, activities });
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
    const fake = fakeActivities({ delaysDays: [0, 1] });
    const w = await worker(fake.activities);
    await w.runUntil(async () => {
      const handle = await start('pause');
      await env.sleep('1 hour');
      await handle.signal(pauseSignal);
      await env.sleep('3 days');
      expect(fake.sends.map((s) => s.stepNumber)).toEqual([1]);
      expect((await handle.query(stateQuery)).status).toBe('paused');
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
    const fake = fakeActivities({ delaysDays: [0] }, { deferFirst: true });
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
    const fake = fakeActivities({ delaysDays: [0] });
    let attempts = 0;
    let providerUp = false;
    const w = await worker({
      ...fake.activities,
      // The provider is down: the step sits between retries, which is where a queued send waits.
      async sendStep(args) {
        attempts++;
        if (!providerUp) throw ApplicationFailure.retryable('provider unavailable', 'RetryableMailError');
        return fake.activities.sendStep(args);
      },
    });
    await w.runUntil(async () => {
      const handle = await start('withdraw');
      await eventually(async () => attempts >= 2, 10_000, 'sendStep retried');
      await handle.signal(pauseSignal);
      await eventually(async () => (await handle.query(stateQuery)).status === 'paused', 10_000, 'shows paused');
      const attemptsAtPause = attempts;
      await env.sleep('2 hours');
      expect(attempts).toBe(attemptsAtPause);
      providerUp = true;
      await handle.signal(resumeSignal);
      await handle.result();
    });
    expect(fake.sends.map((s) => s.stepNumber)).toEqual([1]);
    expect(fake.finished).toEqual(['completed']);
  });

  it('resumes from the database position: steps already sent are not sent again', async () => {
    const fake = fakeActivities({ delaysDays: [0, 0, 0], sentSteps: 2 });
    const w = await worker(fake.activities);
    await w.runUntil(async () => (await start('resume-position')).result());
    expect(fake.sends.map((s) => s.stepNumber)).toEqual([3]);
  });
});
