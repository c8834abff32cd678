// `npm run bench`: starts its own stacks, runs every scenario, prints a table and writes
// bench/results/<timestamp>.json. Not part of `npm test`. Each Sequent rate is set beside the rate
// of the engine itself (a bare Temporal workflow or activity on the same server), because absolute
// numbers move from machine to machine. BENCH_SCENARIOS=sending,enrollment,pause,stats,load,capacity,pool,explain,many,curve
// picks some; `explain` fails the run when a lookup reads a large table whole (bench/explain.ts). BENCH_CPU_PROF=<dir> writes V8 CPU profiles of the worker and API processes there.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FANOUT_CONCURRENCY } from '../src/activities/fanout-activities.js';
import { DAY_MS } from '../src/domain/time.js';
import { startResendDouble } from '../test/resend-double/server.js';
import { rawActivityRate, rawStartRate } from './baselines.js';
import { capacityScenario } from './capacity.js';
import { curveScenario } from './curve.js';
import { explainScenario } from './explain.js';
import { drawCurve } from './plot.js';
import { poolPacingScenario, POOL_PACINGS } from './pool-pacing.js';
import { loadScenario } from './load.js';
import { measureCpu, rssMiB, type CpuProbe } from './procs.js';
import { abortBenchStacks, killChildrenOnExit, percentile, startBenchStack } from './stack.js';

type Result = { scenario: string; metric: string; value: number; unit: string; target?: string };
const results: Result[] = [];
const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
const dir = path.resolve(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
const started = Date.now();
// Written after every result, so a run cut short still leaves what it measured.
const save = (complete: boolean) =>
  writeFileSync(file, JSON.stringify({ date: new Date(started).toISOString(), minutes: +((Date.now() - started) / 60_000).toFixed(1), complete, machine, results }, null, 2));
const record = (r: Result) => {
  results.push(r);
  save(false);
  console.log(`${r.scenario.padEnd(11)} ${r.metric.padEnd(58)} ${String(r.value).padStart(10)} ${r.unit.padEnd(4)} ${r.target ?? ''}`);
};
// A run cut short (Ctrl-C, SIGTERM from a CI job) stops its stacks instead of orphaning them.
killChildrenOnExit();
let aborting = false;
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  process.on(signal, () => {
    if (aborting) return;
    aborting = true;
    const kept = results.length ? ` (results so far are in ${path.relative(process.cwd(), file)})` : '';
    console.log(`\n${signal}: stopping the bench's stacks${kept}`);
    // The scenario still running fails as its stack goes away; that is expected now, not a crash.
    process.on('uncaughtException', () => undefined);
    void abortBenchStacks().finally(() => process.exit(code));
  });
}
const only = new Set((process.env.BENCH_SCENARIOS ?? 'sending,enrollment,pause,stats,load,capacity,pool,explain').split(','));
const step = { delayDays: 1, subject: 'Hi {{firstName}}', bodyHtml: '<p>Hello {{firstName}} at {{company}}</p>' };
const leadsOf = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ email: `${tag}${i}@bench.example.com`, firstName: `F${i}`, company: 'Acme' }));
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls every 200 ms until `check` holds (no deadline: the scenario's own progress is the measure). */
const eventually = async (check: () => Promise<boolean>) => {
  while (!(await check())) await wait(200);
};

type Stack = Awaited<ReturnType<typeof startBenchStack>>;

/** SPEC §12 breakdowns of the 1M-message campaign (30 days, variants on step 1): rows sum to the totals; p50/p99. */
async function breakdownLatencies(stack: Stack, id: string, totals: { sent: number; delivered: number; replied: number }) {
  const today = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 31 * DAY_MS).toISOString().slice(0, 10);
  for (const query of ['groupBy=step', 'groupBy=variant', `groupBy=day&from=${from}&to=${today}`]) {
    const url = `/v1/campaigns/${id}/stats?${query}`;
    const rows = (await stack.call('GET', url)).body.data.rows as { metrics: { sent: number; delivered: number; replied: number } }[];
    for (const m of ['sent', 'delivered', 'replied'] as const) {
      const sum = rows.reduce((n, r) => n + r.metrics[m], 0);
      if (sum !== totals[m]) throw new Error(`${query}: rows sum ${m} to ${sum}, the totals say ${totals[m]}`);
    }
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      await stack.call('GET', url);
      times.push(performance.now() - t);
    }
    const label = query.split('&')[0]!;
    record({ scenario: 'stats', metric: `GET /stats?${label} p50 (${rows.length} rows)`, value: +percentile(times, 50).toFixed(1), unit: 'ms' });
    record({ scenario: 'stats', metric: `GET /stats?${label} p99`, value: +percentile(times, 99).toFixed(1), unit: 'ms', target: '< 50 ms' });
  }
}

async function enroll(stack: Stack, id: string, leads: ReturnType<typeof leadsOf>) {
  for (let i = 0; i < leads.length; i += 10_000) await stack.call('POST', `/v1/campaigns/${id}/leads/bulk`, { leads: leads.slice(i, i + 10_000) });
}

/** The most sends that reached the provider within any `windowMs`, per second: what a provider's limit sees. */
function busiestWindow(accepted: { createdAt: string }[], windowMs: number): number {
  const times = accepted.map((a) => Date.parse(a.createdAt)).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most / (windowMs / 1000);
}

/** What PostgreSQL ran per send (pg_stat_statements since the reset), with the statements run most. */
async function statementsPerSend(stack: Stack, sends: number) {
  const rows = await stack.db.$queryRaw<{ query: string; calls: bigint; ms: number }[]>`
    SELECT query, calls, total_exec_time AS ms FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`;
  const total = rows.reduce((n, r) => n + Number(r.calls), 0);
  const top = rows
    .map((r) => ({ perSend: Number(r.calls) / sends, ms: r.ms / sends, query: r.query.replace(/\s+/g, ' ').slice(0, 110) }))
    .sort((a, b) => b.perSend - a.perSend)
    .slice(0, 25);
  return { perSend: total / sends, top };
}

/** A 1-step, delay-0 campaign to `leads` leads through the Resend double. */
async function sendingRun(leads: number, sendRatePerSecond?: number, withBaseline = false, workers = 1) {
  const double = await startResendDouble();
  const stack = await startBenchStack({ resend: { apiKey: double.apiKey, baseUrl: double.url }, sendRatePerSecond, workers, sqlProfile: withBaseline });
  // Where the time goes, per process (one worker only), and PostgreSQL commits per send.
  const probes: CpuProbe[] = (['bench', 'worker', 'api', 'temporal', 'postgres'] as const).map((name) => ({ name, pid: stack.pids[name], alone: name === 'bench' }));
  const commits = async () => Number((await stack.db.$queryRaw<{ n: bigint }[]>`SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`)[0]!.n);
  try {
    const rawRun = withBaseline ? await measureCpu(probes, () => rawActivityRate(stack.temporal, stack.temporalAddress, leads, FANOUT_CONCURRENCY)) : null;
    await stack.call('POST', '/v1/sender-accounts', { email: 'bench@acme.com', name: 'Bench', dailyLimit: 100_000, minGapSeconds: 0, jitterSeconds: 0 });
    const id = (await stack.call('POST', '/v1/campaigns', { name: 'send', sequenceSteps: [{ ...step, delayDays: 0 }] })).body.data.id;
    await enroll(stack, id, leadsOf(leads, 's'));
    const commitsBefore = await commits();
    if (withBaseline) await stack.db.$queryRaw`SELECT pg_stat_statements_reset()`;
    let firstAt = 0;
    const t0 = performance.now();
    const run = await measureCpu(probes, async () => {
      await stack.call('POST', `/v1/campaigns/${id}/start`);
      const deadline = Date.now() + 15 * 60_000;
      while (double.accepted.length < leads) {
        if (double.accepted.length > 0 && !firstAt) firstAt = performance.now();
        if (Date.now() > deadline) throw new Error(`only ${double.accepted.length} of ${leads} sends arrived within 15 minutes`);
        await wait(50);
      }
    });
    const end = performance.now();
    const commitsPerSend = ((await commits()) - commitsBefore) / leads;
    const statements = withBaseline ? await statementsPerSend(stack, leads) : null;
    if (new Set(double.accepted.map((e) => e.idempotencyKey)).size !== leads) throw new Error('a step was sent twice');
    return {
      raw: rawRun?.value ?? 0,
      perSecond: leads / ((end - t0) / 1000),
      steadyPerSecond: (leads - 1) / ((end - firstAt) / 1000),
      busiest: busiestWindow(double.accepted, 5_000),
      cpu: { raw: rawRun?.cpu ?? {}, Sequent: run.cpu },
      commitsPerSend,
      statements,
    };
  } finally {
    await stack.stop();
    await double.close();
  }
}

if (only.has('sending')) {
  const n = Number(process.env.BENCH_SEND_LEADS ?? 5_000);
  const unlimited = await sendingRun(n, undefined, true);
  record({ scenario: 'sending', metric: `raw: ${n} workflows of one no-op activity`, value: Math.round(unlimited.raw), unit: '/s' });
  record({ scenario: 'sending', metric: `Sequent: ${n} sends into the Resend double, no limit`, value: Math.round(unlimited.perSecond), unit: '/s' });
  record({ scenario: 'sending', metric: 'ratio Sequent / raw', value: +(unlimited.perSecond / unlimited.raw).toFixed(2), unit: '', target: '>= 0.5' });
  for (const [name, cpu] of Object.entries(unlimited.cpu)) {
    const parts = Object.entries(cpu).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    record({ scenario: 'sending', metric: `CPU s per ${n} sends, ${name}: ${parts}`, value: +Object.values(cpu).reduce((a, b) => a + b, 0).toFixed(1), unit: 's' });
  }
  record({ scenario: 'sending', metric: 'PostgreSQL commits per send (start to last send)', value: +unlimited.commitsPerSend.toFixed(1), unit: '' });
  if (unlimited.statements) {
    record({ scenario: 'sending', metric: 'SQL statements per send (BEGIN/COMMIT included)', value: +unlimited.statements.perSend.toFixed(1), unit: '' });
    for (const s of unlimited.statements.top) console.log(`  ${s.perSend.toFixed(2).padStart(6)}/send ${s.ms.toFixed(2).padStart(6)} ms  ${s.query}`);
  }
}

if (only.has('sending') || only.has('limited')) {
  const limited = await sendingRun(60, 2);
  record({ scenario: 'sending', metric: '60 sends with the default limit (2/s), steady rate', value: +limited.steadyPerSecond.toFixed(2), unit: '/s', target: '2/s within 10 %' });
}

if (only.has('enrollment') || only.has('pause') || only.has('stats')) {
  const stack = await startBenchStack();
  // Worker and API memory as sleeping enrollments pile up: after enrollment, and again after pause.
  const memory: { sleeping: number; worker: number; api: number }[] = [];
  try {
    if (only.has('enrollment')) {
      const probes: CpuProbe[] = (['bench', 'worker', 'api', 'temporal', 'postgres'] as const).map((name) => ({ name, pid: stack.pids[name], alone: name === 'bench' }));
      const rawRun = await measureCpu(probes, () => rawStartRate(stack.temporal, stack.temporalAddress, 10_000, FANOUT_CONCURRENCY));
      const raw = rawRun.value;
      record({ scenario: 'enrollment', metric: 'raw: 10,000 no-op workflow starts', value: Math.round(raw), unit: '/s' });
      const id = (await stack.call('POST', '/v1/campaigns', { name: 'bulk', sequenceSteps: [step] })).body.data.id;
      await stack.call('POST', `/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'seed@example.com' }] });
      await stack.call('POST', `/v1/campaigns/${id}/start`);
      const started = (n: number) => stack.db.enrollment.count({ where: { campaignId: id, workflowStartedAt: { not: null } } }).then((c) => c >= n);
      await eventually(() => started(1));
      await wait(5_000);
      memory.push({ sleeping: 1, worker: rssMiB(stack.pids.worker()), api: rssMiB(stack.pids.api()) });
      let bulkMs = 0;
      const run = await measureCpu(probes, async () => {
        const t0 = performance.now();
        const res = await stack.call('POST', `/v1/campaigns/${id}/leads/bulk`, { leads: leadsOf(10_000, 'lead') });
        bulkMs = performance.now() - t0;
        if (res.body.data?.enrolled !== 10_000) throw new Error(`bulk failed: ${JSON.stringify(res.body)}`);
        await eventually(() => started(10_001));
        return 10_000 / ((performance.now() - t0) / 1000);
      });
      const rate = run.value;
      record({ scenario: 'enrollment', metric: 'bulk call, 10,000 leads into a running campaign', value: Math.round(bulkMs), unit: 'ms', target: '< 3000 ms' });
      record({ scenario: 'enrollment', metric: 'Sequent: bulk call until 10,000 workflows started', value: Math.round(rate), unit: '/s' });
      record({ scenario: 'enrollment', metric: 'ratio Sequent / raw', value: +(rate / raw).toFixed(2), unit: '', target: '>= 0.7' });
      for (const [name, cpu] of [['raw', rawRun.cpu], ['Sequent', run.cpu]] as const) {
        const parts = Object.entries(cpu).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ');
        record({ scenario: 'enrollment', metric: `CPU s per 10,000, ${name}: ${parts}`, value: +Object.values(cpu).reduce((a, b) => a + b, 0).toFixed(1), unit: 's' });
      }

      await wait(5_000); // the sleeping workflows settle out of the worker's hands
      memory.push({ sleeping: 10_001, worker: rssMiB(stack.pids.worker()), api: rssMiB(stack.pids.api()) });
    }

    if (only.has('pause')) {
      const id = (await stack.call('POST', '/v1/campaigns', { name: 'pause', sequenceSteps: [{ ...step, delayDays: 0 }] })).body.data.id;
      await enroll(stack, id, leadsOf(10_000, 'p'));
      await stack.call('POST', `/v1/campaigns/${id}/start`);
      while ((await stack.db.message.count({ where: { campaignId: id } })) < 200) await wait(100);
      const paused = await stack.call('POST', `/v1/campaigns/${id}/pause`);
      const pausedAt = performance.now();
      const pausedWall = Date.now();
      const atPause = await stack.db.message.count({ where: { campaignId: id } });
      for (;;) {
        const busy = await stack.temporal.workflow.count(
          `CampaignId = "${id}" AND ExecutionStatus = "Running" AND EnrollmentStatus != "paused" AND WorkflowType = "enrollmentWorkflow"`,
        );
        if (busy.count === 0) break;
        await wait(500);
      }
      const allPausedMs = performance.now() - pausedAt;
      const last = await stack.db.message.aggregate({ where: { campaignId: id }, _max: { createdAt: true }, _count: true });
      record({ scenario: 'pause', metric: 'last send began, relative to the pause 200 (<= 0 is right)', value: (last._max.createdAt?.getTime() ?? 0) - pausedWall, unit: 'ms', target: '<= 0' });
      record({ scenario: 'pause', metric: 'messages created after the pause returned', value: last._count - atPause, unit: '', target: '0' });
      record({ scenario: 'pause', metric: 'until every started workflow shows paused', value: Math.round(allPausedMs), unit: 'ms' });
      if (paused.status !== 200) throw new Error('pause failed');
      record({ scenario: 'pause', metric: 'workflows started before the pause stopped the sweep', value: await stack.db.enrollment.count({ where: { campaignId: id, workflowStartedAt: { not: null } } }), unit: '' });
      await wait(5_000);
      const sleeping = await stack.db.enrollment.count({ where: { workflowStartedAt: { not: null }, status: { in: ['active', 'paused'] } } });
      memory.push({ sleeping, worker: rssMiB(stack.pids.worker()), api: rssMiB(stack.pids.api()) });
    }

    for (const m of memory) {
      record({ scenario: 'footprint', metric: `worker RSS, ${m.sleeping.toLocaleString('en')} sleeping enrollments`, value: m.worker, unit: 'MiB' });
      record({ scenario: 'footprint', metric: `API RSS, ${m.sleeping.toLocaleString('en')} sleeping enrollments`, value: m.api, unit: 'MiB' });
    }
    if (memory.length === 3) {
      const [, before, after] = memory as [unknown, (typeof memory)[0], (typeof memory)[0]];
      const span = `${before.sleeping.toLocaleString('en')} -> ${after.sleeping.toLocaleString('en')}`;
      record({ scenario: 'footprint', metric: `worker growth, ${span} sleeping`, value: after.worker - before.worker, unit: 'MiB', target: '~0 (flat)' });
    }

    if (only.has('stats')) {
      const id = (await stack.call('POST', '/v1/campaigns', { name: 'stats', sequenceSteps: [step, step, step, step] })).body.data.id;
      const t0 = performance.now();
      await stack.db.$executeRawUnsafe(`
        INSERT INTO "Lead" (id, "workspaceId", email, "firstName", "customFields", "createdAt", "updatedAt")
        SELECT 'lead_s' || g, '${stack.workspaceId}', 's' || g || '@stats.example.com', 'F', '{}', now(), now() FROM generate_series(1, 250000) g`);
      await stack.db.$executeRawUnsafe(`
        INSERT INTO "Enrollment" (id, "workspaceId", "campaignId", "leadId", status, "currentStep", "enrolledAt", "workflowStartedAt", "repliedAt", "repliedStep")
        SELECT 'enr_s' || g, '${stack.workspaceId}', '${id}', 'lead_s' || g,
               (CASE WHEN g % 10 = 0 THEN 'replied' WHEN g % 3 = 0 THEN 'completed' ELSE 'active' END)::"EnrollmentStatus", 4, now(), now(),
               CASE WHEN g % 10 = 0 THEN now() - (g % 30) * interval '1 day' END, CASE WHEN g % 10 = 0 THEN 4 END
          FROM generate_series(1, 250000) g`);
      await stack.db.$executeRawUnsafe(`
        INSERT INTO "Message" (id, "workspaceId", "campaignId", "enrollmentId", "leadId", "stepNumber", "variantId", status, "idempotencyKey",
                               "toEmail", "fromEmail", subject, "bodyHtml", "createdAt", "sentAt", "deliveredAt")
        SELECT 'msg_s' || g || '_' || s, '${stack.workspaceId}', '${id}', 'enr_s' || g, 'lead_s' || g, s,
               CASE WHEN s = 1 THEN (CASE WHEN g % 2 = 0 THEN 'A' ELSE 'B' END) END, 'delivered',
               'enr_s' || g || '/' || s, 's' || g || '@stats.example.com', 'bench@localhost', 'Hi', '<p>Hi</p>', t, t, t
          FROM generate_series(1, 250000) g, generate_series(1, 4) s,
               LATERAL (SELECT now() - (g % 30) * interval '1 day' - ((g + s) % 96) * interval '15 minutes' AS t) ts`);
      await stack.db.$executeRawUnsafe('VACUUM ANALYZE');
      record({ scenario: 'stats', metric: 'seeding 1,000,000 messages', value: Math.round(performance.now() - t0), unit: 'ms' });
      const check = (await stack.call('GET', `/v1/campaigns/${id}/stats`)).body.data;
      if (check.metrics.sent !== 1_000_000 || check.enrolledLeads !== 250_000) throw new Error(`stats disagree: ${JSON.stringify(check)}`);

      for (let i = 0; i < 20; i++) await stack.call('GET', `/v1/campaigns/${id}/stats`);
      const times: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const t = performance.now();
        await stack.call('GET', `/v1/campaigns/${id}/stats`);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      record({ scenario: 'stats', metric: 'GET /stats p50 (1M messages, 250k leads)', value: +percentile(times, 50).toFixed(1), unit: 'ms' });
      record({ scenario: 'stats', metric: 'GET /stats p99 (1M messages, 250k leads)', value: +percentile(times, 99).toFixed(1), unit: 'ms', target: '< 50 ms' });
      await breakdownLatencies(stack, id, check.metrics);

      // Requests per second with 20 concurrent clients for 5 s: stats vs a bare route on the same server.
      const load = async (url: string, auth: boolean) => {
        let done = 0;
        const end = performance.now() + 5_000;
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            while (performance.now() < end) {
              if (auth) await stack.call('GET', url);
              else await (await fetch(`http://127.0.0.1:${stack.apiPort}${url}`)).text();
              done++;
            }
          }),
        );
        return done / 5;
      };
      const bare = await load('/healthz', false);
      const statsRps = await load(`/v1/campaigns/${id}/stats`, true);
      record({ scenario: 'stats', metric: 'bare Hono route, 20 concurrent clients', value: Math.round(bare), unit: 'rps' });
      record({ scenario: 'stats', metric: 'GET /stats, 20 concurrent clients', value: Math.round(statsRps), unit: 'rps' });
      record({ scenario: 'stats', metric: 'ratio stats / bare', value: +(statsRps / bare).toFixed(2), unit: '' });
    }
  } finally {
    await stack.stop();
  }
}

if (only.has('load')) {
  const double = await startResendDouble();
  const stack = await startBenchStack({ resend: { apiKey: double.apiKey, baseUrl: double.url } });
  try {
    await loadScenario(stack, double.accepted, record, { clients: 50, seconds: Number(process.env.BENCH_LOAD_SECONDS ?? 300) });
  } finally {
    await stack.stop();
    await double.close();
  }
}

if (only.has('many')) {
  // Scaled out: 3 worker processes and 2 API processes on one Temporal and one PostgreSQL.
  const double = await startResendDouble();
  const stack = await startBenchStack({ resend: { apiKey: double.apiKey, baseUrl: double.url }, workers: 3, apis: 2 });
  try {
    await loadScenario(stack, double.accepted, record, { clients: 50, seconds: Number(process.env.BENCH_LOAD_SECONDS ?? 300), scenario: 'many' });
  } finally {
    await stack.stop();
    await double.close();
  }
}

if (only.has('many') || only.has('manylimit')) {
  // The provider limit is the send queue's, kept by the Temporal server for every worker together.
  const limited = await sendingRun(150, 5, false, 3);
  record({ scenario: 'many', metric: '150 sends at a 5/s limit, 3 workers: steady rate', value: +limited.steadyPerSecond.toFixed(2), unit: '/s', target: '5/s within 10 %' });
  record({ scenario: 'many', metric: '150 sends at a 5/s limit, 3 workers: busiest 5 s', value: +limited.busiest.toFixed(2), unit: '/s', target: '<= 5.5/s' });
}

if (only.has('curve')) {
  const sizes = (process.env.BENCH_CURVE_SIZES ?? '1000,10000,100000').split(',').map(Number);
  await curveScenario(record, sizes, process.env.BENCH_CURVE_SERVER === 'dev' ? 'dev' : 'production');
  console.log(`curve drawn: ${path.relative(process.cwd(), await drawCurve(file))}`);
}

if (only.has('capacity')) {
  const leads = Number(process.env.BENCH_CAPACITY_LEADS ?? 10_000);
  await capacityScenario(record, { leads, dailyCapacity: leads / 10, days: 10 });
}

if (only.has('pool')) {
  for (const pacing of POOL_PACINGS) await poolPacingScenario(record, pacing);
}

// EXPLAIN (ANALYZE) at 1,000,000 messages: a lookup that reads a large table whole fails the run.
let scansLargeTable = false;
if (only.has('explain')) {
  for (const r of await explainScenario()) {
    record({ scenario: 'explain', metric: `${r.query}, statement ${r.statement}`, value: r.executionMs, unit: 'ms', target: 'no whole-table read' });
    if (r.problems.length) scansLargeTable = true;
  }
}

save(true);
console.log(`\nwritten ${path.relative(process.cwd(), file)} after ${((Date.now() - started) / 60_000).toFixed(1)} minutes`);
if (scansLargeTable) console.log('explain: a lookup reads a large table whole (see its plan above)');
process.exit(scansLargeTable ? 1 : 0);
