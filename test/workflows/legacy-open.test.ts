import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { countLegacyOpen } from '../../src/worker/legacy-open.js';
import { campaignIdKey, type EnrollmentInput } from '../../src/workflows/contract.js';
import { testDeps } from '../helpers/deps.js';
import { eventually, testWorkflowBundle } from '../helpers/worker.js';

const LEGACY_WORKFLOWS = fileURLToPath(new URL('../helpers/legacy-enrollment-workflow.ts', import.meta.url));

/**
 * scripts/legacy-open.ts answers, per legacy path, how many open workflows still need it. Here a
 * worker with the bundle of before the claim/deliver split and one with today's start enrollments
 * on the shared dev server, and the counts (narrowed to this test's campaign) follow them.
 */
describe('counting the open workflows that need a legacy path', () => {
  const tag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const campaignId = `camp_legacy_${tag}`;
  const queues = { old: `legacy-old-${tag}`, current: `legacy-current-${tag}`, main: `legacy-main-${tag}` };
  const plan = { delaysDays: [5], sentSteps: 0, anchorAt: new Date().toISOString(), finished: false };
  // Enough for both bundles to run until their first wait: nothing here reaches a database.
  const activities = {
    loadEnrollmentPlan: async () => plan,
    claimStep: async () => ({ kind: 'attempt', messageId: 'msg_legacy' }),
    finishEnrollment: async () => undefined,
  };
  const started: string[] = [];
  let connection: NativeConnection;
  let workers: Worker[];
  let running: Promise<void>[];
  beforeAll(async () => {
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    workers = await Promise.all([
      Worker.create({ connection, taskQueue: queues.old, workflowsPath: LEGACY_WORKFLOWS, activities }),
      Worker.create({ connection, taskQueue: queues.current, workflowBundle: testWorkflowBundle(), activities }),
    ]);
    running = workers.map((w) => w.run());
  });
  afterAll(async () => {
    const { temporal } = testDeps();
    await Promise.all(started.map((id) => temporal.workflow.getHandle(id).terminate('test over').catch(() => undefined)));
    for (const w of workers) w.shutdown();
    await Promise.all(running);
    await connection.close();
  });

  const counts = async () => {
    const rows = await countLegacyOpen(testDeps().temporal, { taskQueue: queues.main, within: `CampaignId = "${campaignId}"` });
    return rows.map((r) => r.open);
  };
  const startEnrollment = async (taskQueue: string, input: Partial<EnrollmentInput> = {}) => {
    const enrollmentId = `enr_legacy_${started.length}_${tag}`;
    const args: [EnrollmentInput] = [{ enrollmentId, campaignId, workspaceId: 'ws_legacy', leadEmail: `${enrollmentId}@example.com`, plan, ...input }];
    const workflowId = `enrollment-${enrollmentId}`;
    await testDeps().temporal.workflow.start('enrollmentWorkflow', { workflowId, taskQueue, args, typedSearchAttributes: [{ key: campaignIdKey, value: campaignId }] });
    started.push(workflowId);
    return workflowId;
  };
  /** Waits until visibility shows the run with the markers its first task records. */
  const markersVisible = (workflowId: string, markers: string[]) =>
    eventually(async () => {
      const { searchAttributes } = await testDeps().temporal.workflow.getHandle(workflowId).describe();
      const recorded = (searchAttributes.TemporalChangeVersion ?? []) as string[];
      return markers.every((m) => recorded.includes(m));
    }, 30_000, `${workflowId} shows ${markers.join(', ')}`);
  // In the order of legacyPaths(): legacy workflow, sendStep, withdraw-queued-send-on-pause,
  // plan-with-start, completed-by-last-send, fanout-continue-as-new, main-queue fan-outs,
  // main-queue webhook deliveries.
  const settle = (expected: number[]) => eventually(async () => JSON.stringify(await counts()) === JSON.stringify(expected) || undefined, 30_000, `counts ${JSON.stringify(expected)}`);

  it('counts a run begun on the legacy code until it closes, and none begun on the current code', async () => {
    expect(await counts()).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);

    // The current code, asleep on a five-day delay: it needs nothing legacy.
    await markersVisible(await startEnrollment(queues.current), ['claim-then-deliver']);
    await settle([0, 0, 0, 0, 0, 0, 0, 0]);

    // The code of before the split, asleep too: it needs the legacy workflow and sendStep, not the
    // pre-patch branches of the patches it did record.
    const legacy = await startEnrollment(queues.old);
    await markersVisible(legacy, ['withdraw-queued-send-on-pause', 'plan-with-start']);
    await settle([1, 1, 0, 0, 0, 0, 0, 0]);

    // A current run mid-send (its delivery queued where no worker polls) shows "sending" without
    // the completed-by-last-send marker: counted, as such a query must (it cannot tell it from an
    // older run finishing its last send), until its send is recorded.
    await startEnrollment(queues.current, { plan: { ...plan, delaysDays: [0] } });
    await settle([1, 1, 0, 0, 1, 0, 0, 0]);

    // A fan-out and a webhook delivery on the main queue, as older code started them.
    const { temporal } = testDeps();
    const fanoutId = `campaign-fanout-${campaignId}`;
    await temporal.workflow.start('campaignFanoutWorkflow', { workflowId: fanoutId, taskQueue: queues.main, args: [{ campaignId }], typedSearchAttributes: [{ key: campaignIdKey, value: campaignId }] });
    started.push(fanoutId);
    const webhookId = `webhook-legacy-${tag}`;
    await temporal.workflow.start('webhookDeliveryWorkflow', { workflowId: webhookId, taskQueue: queues.main, args: [{ webhookId: 'wh_legacy', eventId: 'evt_legacy' }], typedSearchAttributes: [{ key: campaignIdKey, value: campaignId }] });
    started.push(webhookId);
    // The fan-out has not handed over (nor begun), so it counts for fanout-continue-as-new too.
    await settle([1, 1, 0, 0, 1, 1, 1, 1]);

    // The legacy run ends: nothing needs the legacy workflow or sendStep any more.
    await temporal.workflow.getHandle(legacy).terminate('done with it');
    await settle([0, 0, 0, 0, 1, 1, 1, 1]);
  }, 120_000);
});
