import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { newId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/logger.js';
import { buildWorker } from '../../src/worker/build-worker.js';
import { webhookDeliveryWorkflow } from '../../src/workflows/index.js';
import { newWorkspace, testConfig, testDeps } from '../helpers/deps.js';
import { startReceiver } from '../helpers/receiver.js';
import { testWorkflowBundle } from '../helpers/worker.js';

// The retry schedule spans hours: the time-skipping server runs it in seconds, while the real
// delivery activity posts to a real receiver and logs to real Postgres.
describe('webhook delivery retries (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: inject('testServerPath') } } });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  /** A webhook whose receiver answers `script` in turn, one event, and its delivery workflow run to the end. */
  async function deliver(script: number[]) {
    const { db } = testDeps();
    const { workspaceId } = await newWorkspace(db);
    const receiver = await startReceiver(script);
    const hook = await db.webhook.create({ data: { id: newId('wh'), workspaceId, url: receiver.url, events: ['message.sent'], secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } });
    const event = await db.event.create({ data: { id: newId('evt'), workspaceId, type: 'message.sent', data: { messageId: 'msg_x' } } });
    const taskQueue = `wh-${process.pid}-${script.length}`;
    const worker = await buildWorker({
      workflowBundle: testWorkflowBundle(),
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: activitiesFromConfig(testConfig({ TEMPORAL_TASK_QUEUE: taskQueue }), { db, logger: createLogger('silent', 't'), client: env.client }),
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(webhookDeliveryWorkflow, { taskQueue, workflowId: `wh-${event.id}`, args: [{ webhookId: hook.id, eventId: event.id }] }),
    );
    await receiver.close();
    return { db, hook, event, receiver, result };
  }

  it('delivers on the fourth attempt after three failures, at +1 m, +5 m and +30 m, and logs every attempt', async () => {
    const { db, hook, event, receiver, result } = await deliver([500, 503, 404]);
    expect(result).toEqual({ delivered: true, attempts: 4 });
    expect(receiver.received).toHaveLength(4);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([event.id]));
    const log = await db.webhookDelivery.findMany({ where: { webhookId: hook.id }, orderBy: { attempt: 'asc' } });
    expect(log.map((d) => [d.attempt, d.succeeded, d.responseStatus])).toEqual([
      [1, false, 500],
      [2, false, 503],
      [3, false, 404],
      [4, true, 200],
    ]);
    const gaps = log.slice(1).map((d, i) => Math.round((d.attemptedAt.getTime() - log[i]!.attemptedAt.getTime()) / 60_000));
    expect(gaps).toEqual([1, 5, 30]);
  });

  it('gives up after the +8 h retry when the receiver never answers 2xx', async () => {
    const { db, hook, result } = await deliver(Array(10).fill(500));
    expect(result).toEqual({ delivered: false, attempts: 6 });
    expect(await db.webhookDelivery.count({ where: { webhookId: hook.id } })).toBe(6);
  });
});
