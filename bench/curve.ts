// The cost curve: what one enrollment costs at 1,000, 10,000 and 100,000 of them, each size on a
// fresh stack. By default on the production Temporal server (PostgreSQL persistence and
// visibility, as deployed), so Temporal's storage is its databases' growth; the dev server in
// memory gave out at 100,000 (BENCHMARKS.md). BENCH_CURVE_SERVER=dev runs it on the dev server,
// where Temporal's storage shows as the server's memory growth.
import { FANOUT_CONCURRENCY } from '../src/activities/fanout-activities.js';
import { temporalDatabaseBytes } from '../scripts/lib/temporal-server.js';
import { rawStartRate } from './baselines.js';
import { rssMiB } from './procs.js';
import { percentile, startBenchStack } from './stack.js';

type Stack = Awaited<ReturnType<typeof startBenchStack>>;
type Recorder = (r: { scenario: string; metric: string; value: number; unit: string; target?: string }) => void;

const BULK = 10_000; // the API's most per call
const STATS_CALLS = 200;
const step = { delayDays: 3, subject: 'Hi {{firstName}}', bodyHtml: '<p>Hello {{firstName}} at {{company}}</p>' };
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The curve's metric names, `<what> @ <size>`: bench/plot.ts reads them back from the JSON. */
export const curveMetric = (what: string, size: number) => `${what} @ ${size}`;

async function footprint(stack: Stack) {
  const [{ size }] = await stack.db.$queryRaw<[{ size: bigint }]>`SELECT pg_database_size(current_database()) AS size`;
  const temporal = stack.temporalDbUrl ? await temporalDatabaseBytes(stack.temporalDbUrl) : rssMiB(stack.pids.temporal()) * 2 ** 20;
  return { temporal, postgres: Number(size) };
}

async function enrollAll(stack: Stack, id: string, size: number) {
  const calls: number[] = [];
  for (let from = 0; from < size; from += BULK) {
    const leads = Array.from({ length: Math.min(BULK, size - from) }, (_, i) => ({ email: `c${from + i}@curve.example.com`, firstName: `F${i}`, company: 'Acme' }));
    const t = performance.now();
    const res = await stack.call('POST', `/v1/campaigns/${id}/leads/bulk`, { leads });
    calls.push(performance.now() - t);
    if (res.body.data?.enrolled !== leads.length) throw new Error(`bulk failed: ${JSON.stringify(res.body).slice(0, 300)}`);
  }
  return calls;
}

async function untilCount(check: () => Promise<number>, target: number) {
  while ((await check()) < target) await wait(250);
}

/**
 * Pauses the campaign and times until the fan-out has brought it in line (`syncedStatus`), then
 * counts the workflows that were woken to show it. Asleep for days, none is due before the
 * horizon (decision 71): the database holds them, and they learn of the pause when they wake.
 */
async function watchPause(stack: Stack, id: string) {
  const t0 = performance.now();
  await stack.call('POST', `/v1/campaigns/${id}/pause`);
  while ((await stack.db.campaign.findUniqueOrThrow({ where: { id }, select: { syncedStatus: true } })).syncedStatus !== 'paused') await wait(100);
  const ms = performance.now() - t0;
  const woken = await stack.temporal.workflow.count(`CampaignId = "${id}" AND ExecutionStatus = "Running" AND EnrollmentStatus = "paused"`);
  return { ms, woken: woken.count };
}

async function onePoint(record: Recorder, size: number, server: 'dev' | 'production') {
  const stack = await startBenchStack({ temporal: server });
  const put = (what: string, value: number, unit: string) => record({ scenario: 'curve', metric: curveMetric(what, size), value, unit });
  try {
    const raw = await rawStartRate(stack.temporal, stack.temporalAddress, size, FANOUT_CONCURRENCY);
    const id = (await stack.call('POST', '/v1/campaigns', { name: `curve ${size}`, sequenceSteps: [step] })).body.data.id as string;
    await stack.call('POST', `/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'seed@curve.example.com' }] });
    await stack.call('POST', `/v1/campaigns/${id}/start`);
    const started = () => stack.db.enrollment.count({ where: { campaignId: id, workflowStartedAt: { not: null } } });
    await untilCount(started, 1);
    await wait(3_000);
    const before = await footprint(stack);

    const t0 = performance.now();
    const calls = await enrollAll(stack, id, size);
    await untilCount(started, size + 1);
    const rate = size / ((performance.now() - t0) / 1000);
    await wait(5_000); // the sleeping workflows settle, their writes land
    const after = await footprint(stack);

    const stats: number[] = [];
    for (let i = 0; i < STATS_CALLS; i++) {
      const t = performance.now();
      await stack.call('GET', `/v1/campaigns/${id}/stats`);
      stats.push(performance.now() - t);
    }

    const pause = await watchPause(stack, id);

    put('raw: bare workflow starts', Math.round(raw), '/s');
    put('Sequent: bulk calls until every workflow started', Math.round(rate), '/s');
    put('ratio Sequent / raw', +(rate / raw).toFixed(2), '');
    put('bulk call of 10,000 (or fewer) p50', Math.round(percentile(calls, 50)), 'ms');
    put('bulk call max', Math.round(Math.max(...calls)), 'ms');
    put('GET /stats p99', +percentile(stats, 99).toFixed(1), 'ms');
    put('worker RSS', rssMiB(stack.pids.worker()), 'MiB');
    put('API RSS', rssMiB(stack.pids.api()), 'MiB');
    const temporalStorage = server === 'production' ? 'Temporal PostgreSQL per enrollment' : 'Temporal server memory per enrollment (in-memory SQLite)';
    put(temporalStorage, Math.round((after.temporal - before.temporal) / size), 'B');
    put('PostgreSQL disk per enrollment', Math.round((after.postgres - before.postgres) / size), 'B');
    put('pause until in line (every due workflow told)', Math.round(pause.ms), 'ms');
    put('sleeping workflows the pause woke', pause.woken, '');
  } finally {
    await stack.stop();
  }
}

export async function curveScenario(record: Recorder, sizes: number[], server: 'dev' | 'production') {
  for (const size of sizes) await onePoint(record, size, server);
}
