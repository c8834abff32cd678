// Slow (~2.5 min quiet): a stack of its own, 40 sends at 4/s with PostgreSQL stopped for 20 s in the middle, and the wait until every one is done.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Child } from '../../scripts/lib/children.js';
import { eventually } from '../helpers/worker.js';
import { expectEachStepOnce, finishedStats, ledgerOf, showOutputOnFailure, startStack, type Reply, type Stack } from './stack.js';

const LEADS = 20;
const STEPS = 2;
const OUTAGE_MS = 20_000;

// Asked at `from`, answered at `to` (ms).
type Seen = { from: number; to: number; what: string; reply: Reply };

describe('fault: PostgreSQL stops for 20 s in the middle of a send', () => {
  let stack: Stack;
  let processes: Child[];
  beforeAll(async () => {
    // 4 sends a second: the 40 sends take ~10 s, so PostgreSQL stops with most of them still to go.
    stack = await startStack({ name: 'postgres', sendRateLimit: 4 });
    processes = await Promise.all([stack.startWorker(), stack.startApi()]);
  });
  afterAll(() => stack?.close());

  it('the API answers 503 naming it, sends wait, and nothing is lost or doubled after it returns', async () => {
    showOutputOnFailure(stack);
    const { id, api } = await stack.startCampaign('postgres', { steps: STEPS, leads: LEADS });

    // A client keeps calling throughout — before, during and after the outage — and every answer
    // is recorded: a read, a write, and the readiness probe.
    const seen: Seen[] = [];
    let calling = true;
    const refused = (err: unknown): Reply => ({ status: 0, body: String(err) });
    const client = (async () => {
      while (calling) {
        const from = Date.now();
        const [ready, stats, create] = await Promise.all([
          fetch(`${stack.base}/readyz`).then(async (r) => ({ status: r.status, body: await r.json() }), refused),
          api.get(`/v1/campaigns/${id}/stats`).catch(refused),
          api.post('/v1/campaigns', { name: 'during the outage' }).catch(refused),
        ]);
        const to = Date.now();
        seen.push({ from, to, what: 'readyz', reply: ready }, { from, to, what: 'stats', reply: stats }, { from, to, what: 'create', reply: create });
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    let down = 0;
    let restarting = 0;
    let acceptedAtStop: number;
    let stats: any;
    try {
      await eventually(async () => stack.acceptedFor(id).length >= (LEADS * STEPS) / 4, 120_000, 'a quarter of the sends accepted');
      const stopping = Date.now();
      await stack.stopPostgres();
      down = Date.now();
      acceptedAtStop = stack.acceptedFor(id).length;
      await new Promise((r) => setTimeout(r, OUTAGE_MS - (down - stopping))); // the outage itself, not an assertion
      restarting = Date.now();
      await stack.startPostgres();
      stats = await finishedStats(stack, api, id, 180_000);
    } finally {
      calling = false;
      await client;
    }

    // Every answer, at any moment, was a success or the one 503 shape: never a 500, never a hang.
    for (const { what, reply } of seen) {
      if (reply.status < 300) continue;
      expect({ what, status: reply.status }).toEqual({ what, status: 503 });
      if (what === 'readyz') {
        expect(reply.body).toMatchObject({ error: { code: 'unavailable', message: expect.stringMatching(/postgres/) }, checks: { postgres: { status: 'down' } } });
      } else {
        expect(reply.body).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
      }
    }
    // While it was down, every answer was that 503; readiness named PostgreSQL and only it.
    const duringOutage = seen.filter((s) => s.from > down && s.to < restarting);
    expect(duringOutage.length).toBeGreaterThanOrEqual(3 * 10);
    expect(duringOutage.filter((s) => s.reply.status !== 503)).toEqual([]);
    expect(duringOutage.find((s) => s.what === 'readyz')!.reply.body).toMatchObject({
      error: { message: 'Not ready: postgres is unreachable.' },
      checks: { postgres: { status: 'down', error: expect.stringMatching(/\S/) }, temporal: { status: 'up' } },
    });
    // And once it was back, the API was whole again.
    expect(seen.at(-1)!.reply.status).toBeLessThan(300);

    expect(stats).toMatchObject({ enrolledLeads: LEADS, metrics: { sent: LEADS * STEPS, queued: 0, bounced: 0 } });
    expect(await expectEachStepOnce(stack, id, STEPS)).toEqual({ sent: LEADS * STEPS, failed: 0, enrollments: LEADS });
    // Sends waited: the database guards every send, so nothing reached the provider during the
    // outage that had not been recorded (its message row committed) before PostgreSQL stopped.
    const { messages, accepted } = await ledgerOf(stack, id);
    const acceptedDuring = accepted.filter((a) => Date.parse(a.createdAt) > down && Date.parse(a.createdAt) < restarting);
    for (const a of acceptedDuring) {
      expect(messages.find((m) => m.idempotencyKey === a.idempotencyKey)!.createdAt.getTime()).toBeLessThan(down);
    }
    expect(acceptedAtStop).toBeLessThan(LEADS * STEPS);
    // The worker and the API rode it out: no process exited.
    expect(processes.every(stack.alive)).toBe(true);
    process.stdout.write(
      `[postgres] stopped at ${acceptedAtStop}/${LEADS * STEPS} accepted; ${duringOutage.length} answers during the outage, all 503; ` +
        `${acceptedDuring.length} send(s) begun before it completed during it\n`,
    );
  });
});
