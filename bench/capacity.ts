// The capacity-bound scenario (BENCH_SCENARIOS=capacity): 10,000 leads on a 1,000-a-day sender
// pool, run on the time-skipping test server over 10 simulated days with the real activities and a
// real PostgreSQL. It counts what waiting costs: provider-rate tokens (deliverStep runs on the
// rate-limited queue) and workflow tasks per message actually sent.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { activityInfo } from '@temporalio/activity';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { activitiesFromConfig } from '../src/activities/index.js';
import { startCampaign } from '../src/campaigns/lifecycle.js';
import { parseConfig } from '../src/config.js';
import { createDb } from '../src/db.js';
import { newId } from '../src/domain/ids.js';
import { bulkUpsertLeads } from '../src/leads/bulk-upsert.js';
import { createLogger } from '../src/logger.js';
import { createLocalTransport } from '../src/mail/local-transport.js';
import type { Mailer } from '../src/mail/mailer.js';
import { createWorkspace } from '../src/tenancy.js';
import { buildWorker } from '../src/worker/build-worker.js';
import { enrollmentWorkflowId, SEARCH_ATTRIBUTES } from '../src/workflows/contract.js';
import { freePort } from '../scripts/lib/children.js';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres.js';
import { applyMigrations } from '../scripts/lib/migrate.js';
import { obtainTestServer } from '../scripts/lib/temporal-tools.js';

type Recorder = (r: { scenario: string; metric: string; value: number; unit: string; target?: string }) => void;

export async function capacityScenario(record: Recorder, options: { leads: number; dailyCapacity: number; days: number }) {
  const parent = mkdtempSync(path.join(tmpdir(), 'sequent-bench-capacity-'));
  chmodSync(parent, 0o755);
  const pg = await startEmbeddedPostgres({ clusterDir: path.join(parent, 'pg'), port: await freePort(), database: 'sequent_capacity' });
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: await obtainTestServer() } } });
  const db = createDb(pg.url, { max: 30, waitForConnectionMs: 60_000 });
  try {
    await applyMigrations(pg.url);
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((k) => [k.name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
    const taskQueue = 'bench-capacity';
    const config = parseConfig({ DATABASE_URL: pg.url, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' });
    const orchestrator = { client: env.client, taskQueue };

    // The provider, counted; the clock, the test server's (an activity's scheduled time).
    const local = createLocalTransport();
    const provider = { calls: 0 };
    const mailer: Mailer = { name: 'local', send: (mail) => (provider.calls++, local.send(mail)) };
    const serverNow = () => {
      try {
        return new Date(activityInfo().currentAttemptScheduledTimestampMs);
      } catch {
        return new Date();
      }
    };
    const activities = activitiesFromConfig(config, { db, logger: createLogger('warn', 'worker'), client: env.client, mailer, now: serverNow });
    const runs = { deliver: 0, claim: 0 };
    const counted = {
      ...activities,
      deliverStep: (args: Parameters<typeof activities.deliverStep>[0]) => (runs.deliver++, activities.deliverStep(args)),
      claimStep: (args: Parameters<typeof activities.claimStep>[0]) => (runs.claim++, activities.claimStep(args)),
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

    const { workspace } = await createWorkspace(db, 'capacity');
    const services = { db, orchestrator, now: () => new Date() };
    for (let i = 0; i < 2; i++) {
      await db.senderAccount.create({ data: { id: newId('sa'), workspaceId: workspace.id, email: `s${i}@acme.com`, name: `S${i}`, dailyLimit: options.dailyCapacity / 2 } });
    }
    const campaign = await db.campaign.create({
      data: { id: newId('camp'), workspaceId: workspace.id, name: 'capacity', steps: { create: [{ stepNumber: 1, delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>Hi</p>' }] } },
    });
    for (let i = 0; i < options.leads; i += 10_000) {
      const leads = Array.from({ length: Math.min(10_000, options.leads - i) }, (_, j) => ({ email: `c${i + j}@capacity.example.com`, firstName: `F${i + j}` }));
      await bulkUpsertLeads(services, workspace.id, campaign.id, leads);
    }

    const wallStart = performance.now();
    const unfinished = () => db.enrollment.count({ where: { campaignId: campaign.id, status: { in: ['pending', 'active'] } } });
    await worker.runUntil(async () => {
      await startCampaign(services, workspace.id, campaign.id);
      // The simulated days, and whatever is left after them (there should be nothing).
      for (let day = 1; day <= options.days || (await unfinished()) > 0; day++) await env.sleep('1 day');
    });
    const wallSeconds = (performance.now() - wallStart) / 1000;
    // Per calendar day of the workspace (UTC), as the capacity counts them.
    const days = await db.$queryRaw<{ day: string; sent: number }[]>`
      SELECT to_char("sentAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS sent FROM "Message"
       WHERE "campaignId" = ${campaign.id} AND "sentAt" IS NOT NULL GROUP BY 1 ORDER BY 1`;
    const sentByDay = days.map((d) => d.sent);

    const sent = await db.message.count({ where: { campaignId: campaign.id, sentAt: { not: null } } });
    const perEnrollment = await db.message.groupBy({ by: ['enrollmentId'], where: { campaignId: campaign.id }, _count: { _all: true } });
    const twice = perEnrollment.filter((g) => g._count._all > 1).length;
    const workflowTasks = await countWorkflowTasks(env, db, campaign.id);

    record({ scenario: 'capacity', metric: `leads, pool capacity per day, simulated days`, value: options.leads, unit: '', target: `${options.dailyCapacity}/day, ${options.days} days` });
    record({ scenario: 'capacity', metric: `days with sends`, value: sentByDay.length, unit: '', target: `${options.days}` });
    record({ scenario: 'capacity', metric: 'sent per day, fewest (the limit is the most)', value: Math.min(...sentByDay), unit: '', target: `most ${Math.max(...sentByDay)}, limit ${options.dailyCapacity}` });
    record({ scenario: 'capacity', metric: 'leads sent exactly once', value: perEnrollment.length - twice, unit: '', target: `${options.leads}` });
    record({ scenario: 'capacity', metric: 'provider calls', value: provider.calls, unit: '', target: `${options.leads}` });
    record({ scenario: 'capacity', metric: 'provider-rate tokens (deliverStep runs) per sent message', value: +(runs.deliver / sent).toFixed(3), unit: '', target: '<= 1.05' });
    record({ scenario: 'capacity', metric: 'claims (local, no token) per sent message', value: +(runs.claim / sent).toFixed(3), unit: '' });
    record({ scenario: 'capacity', metric: 'workflow tasks per sent message', value: +(workflowTasks / sent).toFixed(2), unit: '' });
    record({ scenario: 'capacity', metric: 'wall time for the simulated days', value: Math.round(wallSeconds), unit: 's' });
    if (sent !== options.leads || twice > 0) throw new Error(`capacity: ${sent} of ${options.leads} sent, ${twice} twice`);
  } finally {
    await db.$disconnect();
    await env.teardown();
    await pg.stop();
    rmSync(parent, { recursive: true, force: true });
  }
}

/** Workflow tasks completed over every enrollment's history (all runs). */
async function countWorkflowTasks(env: TestWorkflowEnvironment, db: ReturnType<typeof createDb>, campaignId: string) {
  const enrollments = await db.enrollment.findMany({ where: { campaignId }, select: { id: true } });
  let tasks = 0;
  const completed = proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < enrollments.length) {
        const { id } = enrollments[next++]!;
        const history = await env.client.workflow.getHandle(enrollmentWorkflowId(id)).fetchHistory();
        tasks += (history.events ?? []).filter((e) => e.eventType === completed).length;
      }
    }),
  );
  return tasks;
}
