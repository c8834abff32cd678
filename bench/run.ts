// `npm run bench`: starts its own stack, runs each scenario, prints a table and writes
// bench/results/<timestamp>.json. Not part of `npm test`.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createResendTransport } from '../src/mail/resend-transport.js';
import { startResendDouble } from '../test/resend-double/server.js';
import { percentile, startBenchStack } from './stack.js';

type Result = { scenario: string; metric: string; value: number; unit: string; target?: string };
const results: Result[] = [];
const record = (r: Result) => {
  results.push(r);
  console.log(`${r.scenario.padEnd(12)} ${r.metric.padEnd(42)} ${String(r.value).padStart(10)} ${r.unit.padEnd(6)} ${r.target ?? ''}`);
};

// BENCH_SCENARIOS=sending,enrollment,stats runs a subset (all by default).
const only = new Set((process.env.BENCH_SCENARIOS ?? 'sending,enrollment,stats').split(','));
const step = { delayDays: 1, subject: 'Hi {{firstName}}', bodyHtml: '<p>Hello {{firstName}} at {{company}}</p>' };

/** Sends a 1-step, delay-0 campaign to `leads` leads through the Resend double; sends per second. */
async function sendingRun(leads: number, sendRatePerSecond?: number) {
  const double = await startResendDouble();
  const stack = await startBenchStack({ mailer: createResendTransport({ apiKey: double.apiKey, baseUrl: double.url }), sendRatePerSecond });
  try {
    await stack.call('POST', '/v1/sender-accounts', { email: 'bench@acme.com', name: 'Bench', dailyLimit: 100_000 });
    const id = (await stack.call('POST', '/v1/campaigns', { name: 'send', sequenceSteps: [{ ...step, delayDays: 0 }] })).body.data.id;
    const all = Array.from({ length: leads }, (_, i) => ({ email: `s${i}@bench.example.com`, firstName: `F${i}` }));
    for (let i = 0; i < all.length; i += 10_000) await stack.call('POST', `/v1/campaigns/${id}/leads/bulk`, { leads: all.slice(i, i + 10_000) });
    const t0 = performance.now();
    await stack.call('POST', `/v1/campaigns/${id}/start`);
    let firstAt = 0;
    for (;;) {
      const n = double.accepted.length;
      if (n > 0 && !firstAt) firstAt = performance.now();
      if (n >= leads) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const total = (performance.now() - t0) / 1000;
    const steady = (performance.now() - firstAt) / 1000;
    if (new Set(double.accepted.map((e) => e.idempotencyKey)).size !== leads) throw new Error('a step was sent twice');
    return { total, perSecond: leads / total, steadyPerSecond: (leads - 1) / steady };
  } finally {
    await stack.stop();
    await double.close();
  }
}

if (only.has('sending')) {
  const unlimited = await sendingRun(Number(process.env.BENCH_SEND_LEADS ?? 5_000));
  record({ scenario: 'sending', metric: 'sends into the Resend double, no limit', value: Math.round(unlimited.perSecond), unit: '/s' });
  const limited = await sendingRun(60, 2);
  record({ scenario: 'sending', metric: '60 sends with the default limit (2/s)', value: +limited.steadyPerSecond.toFixed(2), unit: '/s', target: '2/s ± 10 %' });
}

const stack = await startBenchStack();
try {
  // 1. Bulk enrollment into a running campaign.
  if (only.has('enrollment')) {
    const id = (await stack.call('POST', '/v1/campaigns', { name: 'bulk', sequenceSteps: [step] })).body.data.id;
    await stack.call('POST', `/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'seed@example.com' }] });
    await stack.call('POST', `/v1/campaigns/${id}/start`);
    const leads = Array.from({ length: 10_000 }, (_, i) => ({ email: `lead${i}@bench.example.com`, firstName: `F${i}`, company: 'Acme', tier: i % 5 }));
    const t0 = performance.now();
    const res = await stack.call('POST', `/v1/campaigns/${id}/leads/bulk`, { leads });
    const bulkMs = performance.now() - t0;
    if (res.body.data?.enrolled !== 10_000) throw new Error(`bulk failed: ${JSON.stringify(res.body)}`);
    record({ scenario: 'enrollment', metric: 'bulk call, 10,000 leads (API latency)', value: Math.round(bulkMs), unit: 'ms', target: '< 3000 ms' });
    for (;;) {
      const started = await stack.db.enrollment.count({ where: { campaignId: id, workflowStartedAt: { not: null } } });
      if (started === 10_001) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const allStartedMs = performance.now() - t0;
    record({ scenario: 'enrollment', metric: 'until all 10,000 workflows started', value: Math.round(allStartedMs), unit: 'ms' });
    record({ scenario: 'enrollment', metric: 'workflow starts per second', value: Math.round(10_000 / (allStartedMs / 1000)), unit: '/s' });
  }

  // 2. Stats at a million messages: rows written directly (250,000 leads × 4 steps).
  if (only.has('stats')) {
    const id = (await stack.call('POST', '/v1/campaigns', { name: 'stats', sequenceSteps: [step, step, step, step] })).body.data.id;
    const t0 = performance.now();
    await stack.db.$executeRawUnsafe(`
      INSERT INTO "Lead" (id, "workspaceId", email, "firstName", "customFields", "createdAt", "updatedAt")
      SELECT 'lead_s' || g, '${stack.workspaceId}', 's' || g || '@stats.example.com', 'F', '{}', now(), now() FROM generate_series(1, 250000) g`);
    await stack.db.$executeRawUnsafe(`
      INSERT INTO "Enrollment" (id, "workspaceId", "campaignId", "leadId", status, "currentStep", "enrolledAt", "workflowStartedAt")
      SELECT 'enr_s' || g, '${stack.workspaceId}', '${id}', 'lead_s' || g,
             (CASE WHEN g % 10 = 0 THEN 'replied' WHEN g % 3 = 0 THEN 'completed' ELSE 'active' END)::"EnrollmentStatus", 4, now(), now()
        FROM generate_series(1, 250000) g`);
    await stack.db.$executeRawUnsafe(`
      INSERT INTO "Message" (id, "workspaceId", "campaignId", "enrollmentId", "leadId", "stepNumber", status, "idempotencyKey",
                             "toEmail", "fromEmail", subject, "bodyHtml", "createdAt", "sentAt", "deliveredAt")
      SELECT 'msg_s' || g || '_' || s, '${stack.workspaceId}', '${id}', 'enr_s' || g, 'lead_s' || g, s, 'delivered',
             'enr_s' || g || '/' || s, 's' || g || '@stats.example.com', 'bench@localhost', 'Hi', '<p>Hi</p>', now(), now(), now()
        FROM generate_series(1, 250000) g, generate_series(1, 4) s`);
    await stack.db.$executeRawUnsafe('VACUUM ANALYZE');
    record({ scenario: 'stats', metric: 'seeding 1,000,000 messages', value: Math.round(performance.now() - t0), unit: 'ms' });
    const messages = await stack.db.message.count({ where: { campaignId: id } });
    if (messages !== 1_000_000) throw new Error(`expected 1,000,000 messages, found ${messages}`);
    const check = (await stack.call('GET', `/v1/campaigns/${id}/stats`)).body.data;
    if (check.metrics.sent !== 1_000_000 || check.enrolledLeads !== 250_000) throw new Error(`stats disagree: ${JSON.stringify(check)}`);

    for (let i = 0; i < 20; i++) await stack.call('GET', `/v1/campaigns/${id}/stats`); // warm-up
    const times: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const t = performance.now();
      const res = await stack.call('GET', `/v1/campaigns/${id}/stats`);
      times.push(performance.now() - t);
      if (res.status !== 200) throw new Error(`stats failed: ${JSON.stringify(res.body)}`);
    }
    times.sort((a, b) => a - b);
    console.log(`slowest: ${times.slice(-8).map((t) => t.toFixed(1)).join(', ')} ms`);
    record({ scenario: 'stats', metric: 'GET /stats p50 (1M messages, 250k leads)', value: +percentile(times, 50).toFixed(1), unit: 'ms' });
    record({ scenario: 'stats', metric: 'GET /stats p99 (1M messages, 250k leads)', value: +percentile(times, 99).toFixed(1), unit: 'ms', target: '< 50 ms' });
  }
} finally {
  await stack.stop();
}

const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
const dir = path.resolve(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2));
console.log(`\nwritten ${path.relative(process.cwd(), file)}`);
process.exit(0);
