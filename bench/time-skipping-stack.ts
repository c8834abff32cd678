// A Sequent worker on the time-skipping test server with the real activities and a real
// PostgreSQL, for scenarios that span simulated days. Provider calls, deliveries and claims are
// counted; the activities read the server's clock (an activity's scheduled time).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { activitiesFromConfig } from '../src/activities/index.js';
import { parseConfig } from '../src/config.js';
import { createDb, type Db } from '../src/db.js';
import { createLogger } from '../src/logger.js';
import { createLocalTransport } from '../src/mail/local-transport.js';
import type { Mailer } from '../src/mail/mailer.js';
import type { ServiceDeps } from '../src/services.js';
import { createWorkspace } from '../src/tenancy.js';
import { buildWorker, type SequentWorker } from '../src/worker/build-worker.js';
import { enrollmentWorkflowId, SEARCH_ATTRIBUTES } from '../src/workflows/contract.js';
import { freePort } from '../scripts/lib/children.js';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres.js';
import { applyMigrations } from '../scripts/lib/migrate.js';
import { obtainTestServer } from '../scripts/lib/temporal-tools.js';
import { serverClock } from '../test/helpers/server-clock.js';
import { temporalOrchestrator } from '../src/workflows/client.js';

export type Recorder = (r: { scenario: string; metric: string; value: number; unit: string; target?: string }) => void;

export type TimeSkippingStack = {
  env: TestWorkflowEnvironment;
  db: Db;
  worker: SequentWorker;
  /** Services on the server's clock. */
  services: ServiceDeps;
  workspaceId: string;
  counts: { providerCalls: number; deliveries: number; claims: number };
  /** Moves the server's clock forward, keeping `services.now` on it. */
  sleep(ms: number): Promise<void>;
};

export async function withTimeSkippingStack<T>(name: string, run: (stack: TimeSkippingStack) => Promise<T>): Promise<T> {
  const parent = mkdtempSync(path.join(tmpdir(), `sequent-bench-${name}-`));
  chmodSync(parent, 0o755);
  const pg = await startEmbeddedPostgres({ clusterDir: path.join(parent, 'pg'), port: await freePort(), database: `sequent_${name}` });
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: await obtainTestServer() } } });
  const db = createDb(pg.url, { max: 30, waitForConnectionMs: 60_000 });
  try {
    await applyMigrations(pg.url);
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((k) => [k.name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
    const taskQueue = `bench-${name}`;
    const config = parseConfig({ DATABASE_URL: pg.url, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' });
    let serverNow = await env.currentTimeMs();
    const now = serverClock(() => serverNow);
    const counts = { providerCalls: 0, deliveries: 0, claims: 0 };
    const local = createLocalTransport();
    const mailer: Mailer = { name: 'local', send: (mail) => (counts.providerCalls++, local.send(mail)) };
    const activities = activitiesFromConfig(config, { db, logger: createLogger('warn', 'worker'), client: env.client, mailer, now });
    const counted = {
      ...activities,
      deliverStep: (args: Parameters<typeof activities.deliverStep>[0]) => (counts.deliveries++, activities.deliverStep(args)),
      claimStep: (args: Parameters<typeof activities.claimStep>[0]) => (counts.claims++, activities.claimStep(args)),
    };
    // Workflow tasks no more than claims at once: a task waiting on a claim slot long enough to need
    // a heartbeat is what the test server mishandles (it drops the connection).
    const worker = await buildWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: counted,
      concurrency: { sends: 8, claims: 8, activities: 10 },
      extra: { maxConcurrentWorkflowTaskExecutions: 8 },
    });
    const { workspace } = await createWorkspace(db, name);
    const services: ServiceDeps = { db, orchestrator: temporalOrchestrator({ client: env.client, taskQueue }), now: () => new Date(serverNow) };
    const sleep = async (ms: number) => {
      await env.sleep(ms);
      serverNow = await env.currentTimeMs();
    };
    return await run({ env, db, worker, services, workspaceId: workspace.id, counts, sleep });
  } finally {
    await db.$disconnect();
    await env.teardown();
    await pg.stop();
    rmSync(parent, { recursive: true, force: true });
  }
}

/** Workflow tasks completed over every enrollment's history (all runs). */
export async function countWorkflowTasks(stack: TimeSkippingStack, campaignId: string) {
  const enrollments = await stack.db.enrollment.findMany({ where: { campaignId }, select: { id: true } });
  let tasks = 0;
  const completed = proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < enrollments.length) {
        const { id } = enrollments[next++]!;
        const history = await stack.env.client.workflow.getHandle(enrollmentWorkflowId(id)).fetchHistory();
        tasks += (history.events ?? []).filter((e) => e.eventType === completed).length;
      }
    }),
  );
  return tasks;
}
