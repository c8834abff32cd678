import { beforeAll, describe, expect, it } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { newId } from '../../src/domain/ids.js';
import { DAY_MS as DAY } from '../../src/domain/time.js';
import { createLogger } from '../../src/logger.js';
import { PRUNE_SCHEDULES } from '../../src/worker/schedules.js';
import { prepareWorkerStart } from '../../src/worker/start-up.js';
import { newWorkspace, testConfig, testDeps } from '../helpers/deps.js';
import { startTestWorker } from '../helpers/worker.js';

const HOUR = 3_600_000;

// SPEC §9: idempotency records are kept 24 h, events at least 30 days, and every pruning job is a
// Temporal Schedule an operator can see.
describe('retention', () => {
  const deps = testDeps();
  const logger = createLogger('silent', 'test');
  beforeAll(async () => {
    // What worker.ts runs at start, twice: a second worker finds the schedules there.
    await prepareWorkerStart({ client: deps.temporal, db: deps.db, config: deps.config, logger });
    await prepareWorkerStart({ client: deps.temporal, db: deps.db, config: deps.config, logger });
  });

  it('has a Schedule per pruning job once a worker has started', async () => {
    const idempotency = await deps.temporal.schedule.getHandle(PRUNE_SCHEDULES.idempotency).describe();
    const events = await deps.temporal.schedule.getHandle(PRUNE_SCHEDULES.events).describe();
    expect(idempotency.action).toMatchObject({ type: 'startWorkflow', workflowType: 'pruneWorkflow', args: [{ target: 'idempotency', retentionHours: 24 }] });
    expect(events.action).toMatchObject({ type: 'startWorkflow', workflowType: 'pruneWorkflow', args: [{ target: 'events', retentionHours: 30 * 24 }] });
    for (const d of [idempotency, events]) {
      expect(d.spec.intervals).toMatchObject([{ every: HOUR }]);
      expect(d.state.note).toMatch(/older than \d+ h/);
    }
  });

  /** Rows of a fresh workspace, `ages` ms old: idempotency records and events. */
  async function seed(ages: { records: number[]; events: number[] }) {
    const { workspaceId } = await newWorkspace(deps.db);
    const now = Date.now();
    const records = ages.records.map((age, i) => ({ workspaceId, key: `k-${i}-${age}`, method: 'POST', path: '/v1/campaigns', requestHash: 'h', statusCode: 201, body: {}, createdAt: new Date(now - age) }));
    const events = ages.events.map((age) => ({ id: newId('evt'), workspaceId, type: 'campaign.paused', data: {}, createdAt: new Date(now - age), dispatchedAt: new Date(now - age) }));
    await deps.db.idempotencyRecord.createMany({ data: records });
    await deps.db.event.createMany({ data: events });
    const left = async () => ({
      records: (await deps.db.idempotencyRecord.findMany({ where: { workspaceId }, orderBy: { key: 'asc' } })).map((r) => r.key),
      events: (await deps.db.event.findMany({ where: { workspaceId }, orderBy: { id: 'asc' } })).map((e) => e.id),
    });
    return { records: records.map((r) => r.key), events: events.map((e) => e.id), left };
  }

  it('the prune activity deletes exactly the expired rows, a bounded batch at a time', async () => {
    const config = testConfig({ EVENT_RETENTION_DAYS: '30' });
    const { pruneExpired } = activitiesFromConfig(config, { db: deps.db, logger, client: deps.temporal });
    const rows = await seed({ records: [25 * HOUR, 24 * HOUR + 60_000, HOUR], events: [31 * DAY, 30 * DAY + HOUR, 29 * DAY] });
    // Old rows of other test files may be taken too; a batch never deletes more than asked.
    while ((await pruneExpired({ target: 'idempotency', retentionHours: 24, batchSize: 1 })) === 1);
    while ((await pruneExpired({ target: 'events', retentionHours: 30 * 24, batchSize: 1 })) === 1);
    expect(await rows.left()).toEqual({ records: [rows.records[2]], events: [rows.events[2]] });
  });

  it('refuses to prune events younger than the 30 days SPEC promises, or records before 24 h', async () => {
    const { pruneExpired } = activitiesFromConfig(deps.config, { db: deps.db, logger, client: deps.temporal });
    await expect(pruneExpired({ target: 'events', retentionHours: 29 * 24, batchSize: 10 })).rejects.toThrow(/30 days/);
    await expect(pruneExpired({ target: 'idempotency', retentionHours: 23, batchSize: 10 })).rejects.toThrow(/24 h/);
  });

  it('pruneWorkflow, as its schedule starts it, runs the batches until nothing expired is left', async () => {
    const { taskQueue } = await startTestWorker();
    const rows = await seed({ records: [26 * HOUR, 27 * HOUR, 28 * HOUR, 2 * HOUR], events: [] });
    const deleted = await deps.temporal.workflow.execute('pruneWorkflow', {
      taskQueue,
      workflowId: `prune-test-${process.pid}-${Date.now()}`,
      args: [{ target: 'idempotency', retentionHours: 24, batchSize: 2 }],
    });
    expect(deleted).toBeGreaterThanOrEqual(3);
    expect((await rows.left()).records).toEqual([rows.records[3]]);
  });
});
