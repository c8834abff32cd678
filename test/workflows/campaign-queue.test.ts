import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { createLogger } from '../../src/logger.js';
import { campaignFanoutWorkflowId, campaignTaskQueue, syncSignal } from '../../src/workflows/contract.js';
import { campaignFanoutWorkflow } from '../../src/workflows/index.js';
import { testApp, testDeps } from '../helpers/deps.js';
import { eventually, startTestWorker, testWorkflowBundle } from '../helpers/worker.js';

/**
 * A pause must not wait behind enrollments: after a bulk import the main queue holds a first task
 * for every fresh workflow, and a fan-out sharing it came into line minutes late (the cost curve).
 * Here nothing polls the main queue at all, so the campaign comes into line only if its fan-out
 * runs on a queue of its own.
 */
describe("campaigns' fan-outs have their own task queue", () => {
  let worker: Worker;
  let running: Promise<void>;
  let connection: NativeConnection;
  beforeAll(async () => {
    const deps = testDeps();
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const { syncCampaign } = activitiesFromConfig(deps.config, { db: deps.db, logger: createLogger('silent', 'worker'), client: deps.temporal });
    worker = await Worker.create({ connection, taskQueue: campaignTaskQueue(deps.config.TEMPORAL_TASK_QUEUE), workflowBundle: testWorkflowBundle(), activities: { syncCampaign } });
    running = worker.run();
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await connection.close();
  });

  it('starts, pauses and resumes a campaign while no worker polls the main queue', async () => {
    const { api, deps } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'queue', sequenceSteps: [{ delayDays: 3, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    const tag = Math.random().toString(36).slice(2, 8);
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: Array.from({ length: 20 }, (_, i) => ({ email: `q${i}-${tag}@example.com` })) });
    const inLine = (status: string) =>
      eventually(async () => (await deps.db.campaign.findUniqueOrThrow({ where: { id } })).syncedStatus === status, 20_000, `in line: ${status}`);

    expect((await api.post(`/v1/campaigns/${id}/start`)).status).toBe(200);
    await inLine('running');
    // Started, their first tasks waiting on the unpolled main queue like a backlog after an import.
    expect(await deps.db.enrollment.count({ where: { campaignId: id, workflowStartedAt: { not: null } } })).toBe(20);
    expect((await api.post(`/v1/campaigns/${id}/pause`)).status).toBe(200);
    await inLine('paused');
    expect((await api.post(`/v1/campaigns/${id}/resume`)).status).toBe(200);
    await inLine('running');

    const fanout = await deps.temporal.workflow.getHandle(campaignFanoutWorkflowId(id)).describe();
    expect(fanout.taskQueue).toBe(campaignTaskQueue(deps.config.TEMPORAL_TASK_QUEUE));
  }, 60_000);
});

// After the file's first suite, so its worker on the main queue cannot help the one above.
describe('fan-outs begun on the main queue by older code', () => {
  beforeAll(() => startTestWorker());

  it('still finishes one there: every worker process serves the main queue too', async () => {
    const { api, deps } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'old queue', sequenceSteps: [{ delayDays: 3, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: `old-${Math.random().toString(36).slice(2, 8)}@example.com` }] });
    await deps.db.campaign.update({ where: { id }, data: { status: 'running', startedAt: new Date() } });
    // Started as requestCampaignSync did before the campaigns queue: on the main queue.
    const handle = await deps.temporal.workflow.signalWithStart(campaignFanoutWorkflow, {
      workflowId: `old-${campaignFanoutWorkflowId(id)}`,
      taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
      args: [{ campaignId: id }],
      signal: syncSignal,
      signalArgs: [{ signalAll: true }],
    });
    expect(await handle.result()).toEqual({ sweeps: 1 });
    expect((await deps.db.campaign.findUniqueOrThrow({ where: { id } })).syncedStatus).toBe('running');
  }, 60_000);
});
