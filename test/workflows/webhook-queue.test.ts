import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { servicesOf } from '../../src/api/context.js';
import type { ServiceDeps } from '../../src/services.js';
import { createLogger } from '../../src/logger.js';
import { dispatchEvents, emitEvent } from '../../src/webhooks/events.js';
import { webhookTaskQueue } from '../../src/workflows/contract.js';
import { temporalOrchestrator } from '../../src/workflows/client.js';
import { newId } from '../../src/domain/ids.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';
import { startReceiver } from '../helpers/receiver.js';
import { eventually, testWorkflowBundle } from '../helpers/worker.js';

/**
 * Deliveries must not wait behind enrollments: under load the main queue holds thousands of
 * workflow tasks, and a webhook sharing it took minutes. Here nothing polls the main queue at all,
 * so an event reaches its receiver only if its delivery runs on a queue of its own.
 */
describe('webhook deliveries have their own task queue', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let worker: Worker;
  let running: Promise<void>;
  let connection: NativeConnection;
  beforeAll(async () => {
    const deps = testDeps();
    receiver = await startReceiver();
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const { deliverWebhook } = activitiesFromConfig(deps.config, { db: deps.db, logger: createLogger('silent', 'worker'), client: deps.temporal });
    worker = await Worker.create({
      connection,
      taskQueue: webhookTaskQueue(deps.config.TEMPORAL_TASK_QUEUE),
      workflowBundle: testWorkflowBundle(),
      activities: { deliverWebhook },
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await connection.close();
    await receiver.close();
  });

  async function deliverOne(orchestrator: ServiceDeps['orchestrator']) {
    const deps = testDeps();
    const { workspaceId } = await newWorkspace(deps.db);
    await deps.db.webhook.create({ data: { id: newId('wh'), workspaceId, url: receiver.url, events: ['campaign.started'], secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } });
    const event = await emitEvent(deps.db, workspaceId, 'campaign.started', { campaignId: 'cmp_x' });
    await dispatchEvents({ ...servicesOf(deps), orchestrator }, [event]);
    await eventually(async () => receiver.received.find((r) => r.headers['webhook-id'] === event.id), 20_000, 'delivery');
    // The attempt is logged after the receiver's answer reaches the activity: wait for the log too.
    return eventually(async () => {
      const log = await deps.db.webhookDelivery.findMany({ where: { eventId: event.id } });
      return log.length > 0 && log;
    }, 20_000, 'delivery logged');
  }

  it('delivers an event while no worker polls the main queue', async () => {
    const log = await deliverOne(servicesOf(testDeps()).orchestrator);
    expect(log).toMatchObject([{ attempt: 1, succeeded: true, responseStatus: 200 }]);
  });

  it('starts deliveries eagerly from a client on the worker\'s own connection, as the worker process does', async () => {
    const deps = testDeps();
    const client = new Client({ connection, namespace: deps.config.TEMPORAL_NAMESPACE });
    const log = await deliverOne(temporalOrchestrator({ client, taskQueue: deps.config.TEMPORAL_TASK_QUEUE, eagerStart: true }));
    expect(log).toMatchObject([{ attempt: 1, succeeded: true, responseStatus: 200 }]);
  });
});
