import { beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { startEdgeStack, TWO_STEPS } from '../helpers/edge-stack.js';
import { eventually } from '../helpers/worker.js';

const METRICS = ['sent', 'delivered', 'bounced', 'complained', 'replied'] as const;
type Metrics = Record<(typeof METRICS)[number], number>;
const sum = (rows: { metrics: Metrics }[]) => Object.fromEntries(METRICS.map((m) => [m, rows.reduce((n, r) => n + r.metrics[m], 0)]));

/**
 * SPEC §12 breakdowns through the API, while the real worker sends and the Resend double reports
 * deliveries, bounces and complaints: every grouping sums to the ungrouped totals.
 */
describe('stats by step, variant and day', () => {
  let stack: Awaited<ReturnType<typeof startEdgeStack>>;
  beforeAll(async () => {
    stack = await startEdgeStack({ sendRatePerSecond: 50 });
  });

  it('sum to the totals under concurrent sends and provider events, and count a reply on the step it answered', async () => {
    stack.emitProviderEvents({ bounceRate: 0.1, complaintRate: 0.05 });
    const c = await stack.campaign(TWO_STEPS, 30, { settings: { autoPause: null } });
    const totals = async () => (await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data;
    await eventually(async () => (await totals()).metrics.queued === 0, 60_000, 'every lead done');
    // Leads that got both steps (a bounce on step 1 ends a lead before step 2).
    const completed = await stack.deps.db.enrollment.findMany({ where: { campaignId: c.id, status: 'completed' }, include: { lead: true }, take: 4 });
    expect(completed).toHaveLength(4);
    for (const email of completed.map((e) => e.lead.email)) expect((await c.api.post('/v1/replies', { email, campaignId: c.id, text: 'Sounds good, call me.' })).status).toBe(201);
    stack.emitProviderEvents({});
    // Provider events arrive a moment after each send. The totals are final once every event the
    // double emitted has had its answer and none is kept waiting for its message (ProviderEvent).
    const { emitted } = stack.double;
    const providerIds = (await stack.deps.db.message.findMany({ where: { campaignId: c.id }, select: { providerId: true } })).flatMap((m) => (m.providerId ? [m.providerId] : []));
    await eventually(
      async () => emitted.answered === emitted.bounced + emitted.complained && (await stack.deps.db.providerEvent.count({ where: { pendingEmailId: { in: providerIds } } })) === 0,
      30_000,
      'every provider event applied',
    );
    const { metrics } = await totals();
    expect(metrics.bounced).toBeGreaterThan(0);
    const expected = Object.fromEntries(METRICS.map((m) => [m, metrics[m]]));

    const bySteps = (await c.api.get(`/v1/campaigns/${c.id}/stats?groupBy=step`)).body.data;
    expect(bySteps).toMatchObject({ campaignId: c.id, groupBy: 'step', from: null, to: null });
    expect(bySteps.rows.map((r: any) => r.key)).toEqual(['1', '2']);
    for (const rows of [bySteps.rows]) for (const r of rows) expect(Object.keys(r.metrics).sort()).toEqual([...METRICS, 'replyRate'].sort());
    expect(sum(bySteps.rows)).toEqual(expected);
    expect(bySteps.rows[0].metrics.sent).toBe(30);
    // Each replier had both steps: the reply answers step 2.
    expect(bySteps.rows.map((r: any) => r.metrics.replied)).toEqual([0, 4]);

    const byVariant = (await c.api.get(`/v1/campaigns/${c.id}/stats?groupBy=variant`)).body.data;
    expect(byVariant.rows.map((r: any) => [r.key, r.variantId])).toEqual([['1', null], ['2', null]]);
    expect(sum(byVariant.rows)).toEqual(expected);

    const today = DateTime.now().setZone(bySteps.timezone).toISODate()!;
    const byDay = (await c.api.get(`/v1/campaigns/${c.id}/stats?groupBy=day&from=${DateTime.fromISO(today).minus({ days: 2 }).toISODate()}&to=${today}`)).body.data;
    expect(byDay.rows).toHaveLength(3);
    expect(byDay.rows[2].key).toBe(today);
    expect(sum(byDay.rows.slice(0, 2))).toEqual({ sent: 0, delivered: 0, bounced: 0, complained: 0, replied: 0 });
    expect(sum(byDay.rows)).toEqual(expected);
    expect(Object.keys(byDay.rows[2].metrics).sort()).toEqual([...METRICS, 'replyRate'].sort());
    const before = (await c.api.get(`/v1/campaigns/${c.id}/stats?groupBy=step&to=${DateTime.fromISO(today).minus({ days: 1 }).toISODate()}`)).body.data;
    expect(sum(before.rows)).toEqual({ sent: 0, delivered: 0, bounced: 0, complained: 0, replied: 0 });
  });

  it('refuses a range that cannot be read, with a 4xx naming it', async () => {
    const c = await stack.campaign(TWO_STEPS, 1, { start: false });
    const stats = (query: string) => c.api.get(`/v1/campaigns/${c.id}/stats?${query}`);
    const refused = async (query: string, status: number, text: string) => {
      const res = await stats(query);
      expect(res.status, query).toBe(status);
      expect(JSON.stringify(res.body.error), query).toContain(text);
    };
    await refused('from=2026-01-01', 400, 'groupBy');
    await refused('groupBy=week', 400, 'groupBy');
    await refused('groupBy=day&from=2026-13-01', 400, 'from');
    await refused('groupBy=day&to=2026-02-30', 400, 'to');
    await refused('groupBy=day&from=2026-03-02&to=2026-03-01', 422, 'after');
    await refused('groupBy=day&from=2025-01-01&to=2026-03-01', 422, '366');
    const empty = (await stats('groupBy=step')).body.data;
    expect(empty.rows.map((r: any) => [r.key, r.metrics.sent])).toEqual([['1', 0], ['2', 0]]);
  });
});
