import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { createLogger } from '../../src/logger.js';
import { createLocalTransport } from '../../src/mail/local-transport.js';
import { buildWorker } from '../../src/worker/build-worker.js';
import { campaignIdKey, enrollmentStatusKey, enrollmentWorkflowId, leadEmailKey, stateQuery, workspaceIdKey } from '../../src/workflows/contract.js';
import { enrollmentWorkflow } from '../../src/workflows/index.js';
import { newWorkspace, testConfig, testDeps } from '../helpers/deps.js';
import { seedEnrollment } from '../helpers/fixtures.js';
import { testWorkflowBundle } from '../helpers/worker.js';

// The thin slice through every layer: the real dev server, a real worker bundling the real
// workflow, and the real activities writing PostgreSQL.
describe('enrollment workflow on the real Temporal dev server', () => {
  const taskQueue = `slice-${process.pid}`;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
    connection = await Connection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
    await nativeConnection?.close();
  });

  const realActivities = () =>
    activitiesFromConfig(testConfig({ TEMPORAL_TASK_QUEUE: taskQueue }), {
      db: testDeps().db,
      logger: createLogger('silent', 'test'),
      client,
      mailer: createLocalTransport(),
    });

  it('sends every step through the activity and records each message in Postgres', async () => {
    const { db } = testDeps();
    const { workspaceId } = await newWorkspace(db);
    const { campaign, lead, enrollment } = await seedEnrollment(db, workspaceId, {
      steps: [
        { delayDays: 0, subject: 'Quick question, {{firstName}}', bodyHtml: '<p>Hi {{firstName}} at {{company}}</p>' },
        { delayDays: 0, subject: 'Following up, {{ firstName }}', bodyHtml: '<p>Bump</p>' },
      ],
      lead: { firstName: 'Ada <3', company: 'Acme & Co' },
    });

    const activities = realActivities();
    const worker = await buildWorker({ workflowBundle: testWorkflowBundle(), connection: nativeConnection, namespace: 'default', taskQueue, activities });

    const result = await worker.runUntil(async () => {
      const handle = await client.workflow.start(enrollmentWorkflow, {
        taskQueue,
        workflowId: enrollmentWorkflowId(enrollment.id),
        args: [{ enrollmentId: enrollment.id, campaignId: campaign.id, workspaceId, leadEmail: lead.email }],
        typedSearchAttributes: [
          { key: campaignIdKey, value: campaign.id },
          { key: workspaceIdKey, value: workspaceId },
          { key: leadEmailKey, value: lead.email },
          { key: enrollmentStatusKey, value: 'waiting' },
        ],
      });
      const final = await handle.result();
      const queried = await handle.query(stateQuery);
      const description = await handle.describe();
      return { final, queried, description };
    });

    expect(result.final).toMatchObject({ status: 'completed', currentStep: 2, totalSteps: 2 });
    expect(result.queried.status).toBe('completed');
    expect(result.description.typedSearchAttributes.get(enrollmentStatusKey)).toBe('completed');
    expect(result.description.typedSearchAttributes.get(campaignIdKey)).toBe(campaign.id);

    const messages = await db.message.findMany({ where: { enrollmentId: enrollment.id }, orderBy: { stepNumber: 'asc' } });
    expect(messages.map((m) => [m.stepNumber, m.status, m.subject, m.idempotencyKey])).toEqual([
      [1, 'delivered', 'Quick question, Ada <3', `${enrollment.id}/1`],
      [2, 'delivered', 'Following up, Ada <3', `${enrollment.id}/2`],
    ]);
    expect(messages[0]!.bodyHtml).toBe('<p>Hi Ada &lt;3 at Acme &amp; Co</p>');
    const stored = await db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id } });
    expect(stored).toMatchObject({ status: 'completed', currentStep: 2, nextSendAt: null });
    expect(stored.finishedAt).toBeInstanceOf(Date);
  });

  it('sends nothing to an address suppressed after enrollment and stops the enrollment', async () => {
    const { db } = testDeps();
    const { workspaceId } = await newWorkspace(db);
    const { campaign, lead, enrollment } = await seedEnrollment(db, workspaceId, {
      steps: [{ delayDays: 0, subject: 'Hi', bodyHtml: '<p>x</p>' }],
    });
    await db.suppression.create({ data: { workspaceId, email: lead.email, reason: 'unsubscribed' } });
    const activities = realActivities();
    const worker = await buildWorker({ workflowBundle: testWorkflowBundle(), connection: nativeConnection, namespace: 'default', taskQueue, activities });
    const final = await worker.runUntil(
      client.workflow.execute(enrollmentWorkflow, {
        taskQueue,
        workflowId: enrollmentWorkflowId(enrollment.id),
        args: [{ enrollmentId: enrollment.id, campaignId: campaign.id, workspaceId, leadEmail: lead.email }],
      }),
    );
    expect(final.status).toBe('stopped');
    expect(await db.message.count({ where: { enrollmentId: enrollment.id } })).toBe(0);
    expect(await db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id } })).toMatchObject({ status: 'stopped', stopReason: 'suppressed (unsubscribed)' });
  });
});
