// The load scenario: many clients at once mixing bulk upserts, stats reads and pause/start on a few
// campaigns while their mail goes out through the Resend double; then an audit that no lead got any
// step twice (and, once the campaigns finish, that every lead got every step).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AcceptedEmail } from '../test/resend-double/server.js';
import { percentile, type startBenchStack } from './stack.js';

type Stack = Awaited<ReturnType<typeof startBenchStack>>;
type Recorder = (r: { scenario: string; metric: string; value: number; unit: string; target?: string }) => void;
type Op = 'bulk' | 'stats' | 'pause/start';

const CAMPAIGNS = 5;
const POOL = 400; // addresses per campaign: repeats turn inserts into updates, and the sends stay drainable
const BULK_SIZE = 50;
const HOOKED = ['campaign.started', 'campaign.paused', 'lead.completed'] as const;
const STEPS = [
  { delayDays: 0, subject: 'Step 1 for {{firstName}}', bodyHtml: '<p>Hello {{firstName}}</p>' },
  { delayDays: 0, subject: 'Step 2 for {{firstName}}', bodyHtml: '<p>Again, {{firstName}}</p>' },
];
const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;

export async function loadScenario(stack: Stack, accepted: AcceptedEmail[], record: Recorder, options: { clients: number; seconds: number; scenario?: string }) {
  const scenario = options.scenario ?? 'load';
  // A real sender: the default MAIL_FROM (sequent@localhost) is refused by Resend's validation.
  await stack.call('POST', '/v1/sender-accounts', { email: 'load@acme.com', name: 'Load', dailyLimit: 100_000, minGapSeconds: 0, jitterSeconds: 0 });
  const ids: string[] = [];
  for (let c = 0; c < CAMPAIGNS; c++) {
    const id = (await stack.call('POST', '/v1/campaigns', { name: `load ${c}`, sequenceSteps: STEPS })).body.data.id as string;
    // A campaign without leads cannot start (400 no_leads_enrolled): seed one first.
    await stack.call('POST', `/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: `l0-${id}@load.example.com`, firstName: 'F0' }] });
    await stack.call('POST', `/v1/campaigns/${id}/start`);
    ids.push(id);
  }

  // A healthy webhook for what the load makes most of besides mail: every start, pause and ending.
  const hook = await startLatencyReceiver();
  const hooked = new Date();
  await stack.call('POST', '/v1/webhooks', { url: hook.url, events: HOOKED });

  const latencies: Record<Op, number[]> = { bulk: [], stats: [], 'pause/start': [] };
  let errors = 0;
  const firstErrors: string[] = [];
  const timed = async (op: Op, method: string, url: string, body: unknown, ok: number[]) => {
    const t = performance.now();
    try {
      const res = await stack.call(method, url, body);
      if (!ok.includes(res.status)) throw new Error(`${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    } catch (err) {
      errors++;
      if (firstErrors.length < 5) firstErrors.push(`${op} ${url}: ${String(err)}`);
    }
    latencies[op].push(performance.now() - t);
  };

  const end = performance.now() + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (performance.now() < end) {
        const id = pick(ids);
        const roll = Math.random();
        if (roll < 0.4) {
          const leads = Array.from({ length: BULK_SIZE }, () => {
            const n = Math.floor(Math.random() * POOL);
            return { email: `l${n}-${id}@load.example.com`, firstName: `F${n}` };
          });
          await timed('bulk', 'POST', `/v1/campaigns/${id}/leads/bulk`, { leads }, [200]);
        } else if (roll < 0.85) {
          await timed('stats', 'GET', `/v1/campaigns/${id}/stats`, undefined, [200]);
        } else {
          // Either order may race another client's: a pause of a paused campaign is a no-op.
          await timed('pause/start', 'POST', `/v1/campaigns/${id}/${Math.random() < 0.5 ? 'pause' : 'start'}`, undefined, [200]);
        }
      }
    }),
  );

  const all = Object.values(latencies).flat().sort((a, b) => a - b);
  record({ scenario, metric: `${options.clients} clients for ${options.seconds} s: requests`, value: all.length, unit: '' });
  record({ scenario, metric: 'error rate (5xx, network, unexpected status)', value: +((100 * errors) / all.length).toFixed(3), unit: '%', target: '0' });
  for (const [op, times] of Object.entries(latencies)) {
    times.sort((a, b) => a - b);
    record({ scenario, metric: `${op} p50 (${times.length} calls)`, value: +percentile(times, 50).toFixed(0), unit: 'ms' });
    record({ scenario, metric: `${op} p99`, value: +percentile(times, 99).toFixed(0), unit: 'ms' });
  }
  record({ scenario, metric: 'all requests p99', value: +percentile(all, 99).toFixed(0), unit: 'ms' });
  for (const line of firstErrors) console.log(`  load error: ${line}`);

  // The audit: finish every campaign, then count what reached the provider per (lead, step).
  for (const id of ids) await stack.call('POST', `/v1/campaigns/${id}/start`);
  const enrolled = await stack.db.enrollment.count({ where: { campaignId: { in: ids } } });
  const deadline = Date.now() + 10 * 60_000;
  while ((await stack.db.enrollment.count({ where: { campaignId: { in: ids }, status: 'completed' } })) < enrolled) {
    if (Date.now() > deadline) throw new Error('the load campaigns did not finish within 10 minutes');
    await new Promise((r) => setTimeout(r, 500));
  }
  const perLeadStep = new Map<string, number>();
  for (const mail of accepted) {
    const campaign = mail.tags.find((t) => t.name === 'campaign_id')?.value;
    if (!campaign || !ids.includes(campaign)) continue;
    const key = `${mail.to.join(',')} ${mail.subject.split(' for ')[0]}`;
    perLeadStep.set(key, (perLeadStep.get(key) ?? 0) + 1);
  }
  const duplicates = [...perLeadStep.values()].filter((n) => n > 1).length;
  const missing = enrolled * STEPS.length - perLeadStep.size;
  const messages = await stack.db.message.count({ where: { campaignId: { in: ids } } });
  record({ scenario, metric: 'audit: leads enrolled', value: enrolled, unit: '' });
  record({ scenario, metric: 'audit: sends at the provider', value: perLeadStep.size, unit: '' });
  record({ scenario, metric: 'audit: (lead, step) sent more than once', value: duplicates, unit: '', target: '0' });
  record({ scenario, metric: 'audit: (lead, step) never sent', value: missing, unit: '', target: '0' });
  record({ scenario, metric: 'audit: message rows minus provider sends', value: messages - perLeadStep.size, unit: '', target: '0' });

  // Event to first delivery at a healthy webhook, and its parts: until a delivery workflow was
  // started (dispatch), until its first attempt was scheduled (the workflow's first task), and from
  // there to the receiver (the activity's pickup and the POST).
  const hookedEvents = { type: { in: [...HOOKED] }, createdAt: { gt: hooked } };
  const events = await stack.db.event.count({ where: hookedEvents });
  const settle = Date.now() + 60_000;
  while (hook.arrivals.size < events && Date.now() < settle) await new Promise((r) => setTimeout(r, 500));
  await hook.close();
  const rows = await stack.db.event.findMany({ where: hookedEvents, select: { id: true, createdAt: true, dispatchedAt: true } });
  const attempts = await stack.db.webhookDelivery.findMany({ where: { attempt: 1, eventId: { in: rows.map((e) => e.id) } }, select: { eventId: true, attemptedAt: true } });
  const scheduledAt = new Map(attempts.map((a) => [a.eventId, a.attemptedAt.getTime()]));
  const parts = { dispatch: [] as number[], 'first attempt scheduled': [] as number[], 'scheduled to arrival': [] as number[], 'first delivery': [] as number[] };
  for (const e of rows) {
    const created = e.createdAt.getTime();
    const arrived = hook.arrivals.get(e.id);
    const scheduled = scheduledAt.get(e.id);
    if (e.dispatchedAt) parts.dispatch.push(e.dispatchedAt.getTime() - created);
    if (scheduled !== undefined) parts['first attempt scheduled'].push(scheduled - created);
    if (arrived !== undefined && scheduled !== undefined) parts['scheduled to arrival'].push(arrived - scheduled);
    if (arrived !== undefined) parts['first delivery'].push(arrived - created);
  }
  record({ scenario, metric: 'webhook: events delivered', value: hook.arrivals.size, unit: '', target: `${events}` });
  for (const [part, values] of Object.entries(parts)) {
    const label = part === 'scheduled to arrival' ? `webhook: ${part}` : `webhook: event to ${part}`;
    record({ scenario, metric: `${label} p50`, value: Math.round(percentile(values, 50)), unit: 'ms' });
    record({ scenario, metric: `${label} p99`, value: Math.round(percentile(values, 99)), unit: 'ms', ...(part === 'first delivery' ? { target: '< 5000' } : {}) });
  }
}

/** A webhook receiver that notes when each event id first arrived. */
async function startLatencyReceiver() {
  const arrivals = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string };
      if (!arrivals.has(event.id)) arrivals.set(event.id, Date.now());
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
