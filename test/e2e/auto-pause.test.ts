// Slow (~50 s quiet): sends go one at a time (20/s) and each workspace-guard test first sends 100–130 real mails through the worker before its bounces land.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { everyWorkflowPaused } from '../helpers/barriers.js';
import { startEdgeStack } from '../helpers/edge-stack.js';
import { eventually } from '../helpers/worker.js';

const ONE_STEP = [{ delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>1</p>' }];
const LATER = [{ delayDays: 3, subject: 'Later', bodyHtml: '<p>later</p>' }];

/**
 * SPEC §10 end to end: the Resend double reports a share of the mail as bounced or complained
 * (signed events into POST /v1/providers/resend/events), and the guards pause what crosses a line.
 */
describe('auto-pause on bounces and complaints (real worker, real database, signed provider events)', () => {
  let stack: Awaited<ReturnType<typeof startEdgeStack>>;
  beforeAll(async () => {
    // One send at a time, so a threshold is crossed at a known send.
    stack = await startEdgeStack({ sendRatePerSecond: 20 });
  });
  afterEach(() => stack.emitProviderEvents({}));

  const autoPaused = async (c: Awaited<ReturnType<typeof stack.campaign>>) =>
    eventually(async () => {
      const data = (await c.api.get(`/v1/campaigns/${c.id}`)).body.data;
      return data.status === 'paused' ? data : null;
    }, 60_000, 'auto-paused');
  const pauseEvents = async (c: Awaited<ReturnType<typeof stack.campaign>>) =>
    (await c.api.get('/v1/events?type=campaign.auto_paused')).body.data.filter((e: any) => e.data.campaignId === c.id);
  const stats = async (c: Awaited<ReturnType<typeof stack.campaign>>) => (await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data.metrics;

  it('pauses a campaign whose hard bounces pass its bounceRate, judged only from minSent sends on', async () => {
    stack.emitProviderEvents({ bounceRate: 0.25 });
    const c = await stack.campaign(ONE_STEP, 60, { settings: { autoPause: { bounceRate: 0.1, minSent: 20 } } });
    const campaign = await autoPaused(c);
    expect(campaign.pauseReason).toBe('bounce_rate_exceeded');
    const [event] = await pauseEvents(c);
    // A quarter bounced from the first sends on, but nothing was judged before the 20th send.
    expect(event.data).toMatchObject({ pauseReason: 'bounce_rate_exceeded', scope: 'campaign', threshold: 0.1 });
    expect(event.data.sent).toBeGreaterThanOrEqual(20);
    expect(event.data.bounced / event.data.sent).toBeGreaterThan(0.1);
    const health = (await c.api.get(`/v1/campaigns/${c.id}/health`)).body.data;
    expect(health.status).toBe('auto_paused');
    expect(health.reasons[0]).toMatchObject({ code: 'bounce_rate_exceeded' });
    // It stays paused: once every workflow has met the pause none can send, and the rest of the 60
    // were not sent (what the stats say is what the provider took).
    await eventually(() => everyWorkflowPaused(stack.deps.temporal, c.id), 30_000, 'every workflow paused');
    const sent = (await stats(c)).sent;
    expect(sent).toBeLessThan(60);
    expect(sent).toBe(stack.double.accepted.filter((a) => c.emails.includes(a.to[0]!)).length);
  }, 90_000);

  it('does not pause below the threshold', async () => {
    stack.emitProviderEvents({ bounceRate: 0.05 });
    const c = await stack.campaign(ONE_STEP, 40, { settings: { autoPause: { bounceRate: 0.1, minSent: 10 } } });
    await eventually(async () => (await stats(c)).sent === 40, 60_000, 'all sent');
    await eventually(async () => (await stats(c)).bounced === 2, 30_000, 'both bounces in');
    expect((await c.api.get(`/v1/campaigns/${c.id}`)).body.data).toMatchObject({ status: 'running', pauseReason: null });
    expect(await pauseEvents(c)).toEqual([]);
  }, 90_000);

  it('pauses on spam complaints, which count apart from bounces', async () => {
    stack.emitProviderEvents({ complaintRate: 0.2 });
    const c = await stack.campaign(ONE_STEP, 40, { settings: { autoPause: { complaintRate: 0.05, minSent: 10 } } });
    const campaign = await autoPaused(c);
    expect(campaign.pauseReason).toBe('complaint_rate_exceeded');
    const metrics = await stats(c);
    expect(metrics.bounced).toBe(0);
    expect(metrics.complained).toBeGreaterThan(0);
  }, 90_000);

  it('re-arms after a manual resume only once minSent more have been sent', async () => {
    stack.emitProviderEvents({ bounceRate: 0.25 });
    const c = await stack.campaign(ONE_STEP, 80, { settings: { autoPause: { bounceRate: 0.1, minSent: 15 } } });
    await autoPaused(c);
    const first = (await pauseEvents(c))[0].data.sent as number;
    expect((await c.api.post(`/v1/campaigns/${c.id}/resume`)).body.data.status).toBe('running');
    expect((await c.api.get(`/v1/campaigns/${c.id}`)).body.data.pauseReason).toBeNull();
    await eventually(async () => (await pauseEvents(c)).length === 2, 60_000, 'paused again');
    const second = (await pauseEvents(c)).find((e: any) => e.data.sent !== first).data.sent as number;
    expect(second).toBeGreaterThanOrEqual(first + 15);
  }, 120_000);

  it('pauses every running campaign of a workspace past 4 % bounces over its week, even one whose own guard is off', async () => {
    stack.emitProviderEvents({ bounceRate: 0.2 });
    const c = await stack.campaign(ONE_STEP, 130, { settings: { autoPause: null } });
    // A second campaign of the same workspace, running and clean, its leads waiting three days.
    const other = (await c.api.post('/v1/campaigns', { name: 'clean', sequenceSteps: LATER })).body.data.id;
    await c.api.post(`/v1/campaigns/${other}/leads/bulk`, { leads: [{ email: `clean-${c.id}@example.com` }] });
    await c.api.post(`/v1/campaigns/${other}/start`);

    const campaign = await autoPaused(c);
    expect(campaign.pauseReason).toBe('workspace_bounce_rate_exceeded');
    const [event] = await pauseEvents(c);
    expect(event.data).toMatchObject({ scope: 'workspace', threshold: 0.04 });
    expect(event.data.sent).toBeGreaterThanOrEqual(100);
    const second = (await c.api.get(`/v1/campaigns/${other}`)).body.data;
    expect(second).toMatchObject({ status: 'paused', pauseReason: 'workspace_bounce_rate_exceeded' });
  }, 120_000);

  /**
   * SPEC §9 "every guard is judged on every event": A has sent 100 clean mails, B (same workspace)
   * is running with its lead three days out; then hard bounces land on A's mails, one signed event
   * at a time. Each event's request judges the guards before it answers, so the answer to the last
   * is the barrier: by then B must be paused for the workspace.
   */
  async function bouncesOnA(settings: object, pauseAFirst: boolean) {
    const a = await stack.campaign(ONE_STEP, 100, { settings });
    await eventually(async () => (await stats(a)).sent === 100, 60_000, 'A sent 100');
    const b = (await a.api.post('/v1/campaigns', { name: 'clean', sequenceSteps: LATER })).body.data.id as string;
    await a.api.post(`/v1/campaigns/${b}/leads/bulk`, { leads: [{ email: `clean-${a.id}@example.com` }] });
    await a.api.post(`/v1/campaigns/${b}/start`);
    if (pauseAFirst) expect((await a.api.post(`/v1/campaigns/${a.id}/pause`)).body.data.status).toBe('paused');
    const sent = await stack.deps.db.message.findMany({ where: { campaignId: a.id }, orderBy: { id: 'asc' }, take: 5 });
    // 5 of the workspace's 100 sends: 5 % over its week, past the 4 % line.
    for (const m of sent) {
      const bounce = { type: 'Permanent', subType: 'General', message: '550 5.1.1 no such user' };
      const res = await stack.providerEvent({ type: 'email.bounced', created_at: new Date().toISOString(), data: { email_id: m.providerId, to: [m.toEmail], bounce } });
      expect(res.body.data.result).toBe('processed');
    }
    const view = async (id: string) => (await a.api.get(`/v1/campaigns/${id}`)).body.data;
    const events = (await a.api.get('/v1/events?type=campaign.auto_paused')).body.data.map((e: any) => e.data);
    return { a: await view(a.id), b: await view(b), bEvents: events.filter((e: any) => e.campaignId === b), aEvents: events.filter((e: any) => e.campaignId === a.id) };
  }

  it('judges the workspace guard on bounces from a campaign already paused by hand, and pauses the others', async () => {
    const { a, b, bEvents, aEvents } = await bouncesOnA({ autoPause: null }, true);
    expect(b).toMatchObject({ status: 'paused', pauseReason: 'workspace_bounce_rate_exceeded' });
    expect(bEvents).toEqual([expect.objectContaining({ scope: 'workspace', threshold: 0.04, sent: 100, bounced: 5 })]);
    // The paused campaign keeps its own reason: the guard pauses only running campaigns.
    expect(a).toMatchObject({ status: 'paused', pauseReason: 'manual' });
    expect(aEvents).toEqual([]);
  }, 90_000);

  it('judges the workspace guard on the same event that paused the campaign by its own guard', async () => {
    // A's own line is the workspace's: the fifth bounce crosses both at once.
    const { a, b, bEvents } = await bouncesOnA({ autoPause: { bounceRate: 0.04, minSent: 50 } }, false);
    expect(a).toMatchObject({ status: 'paused', pauseReason: 'bounce_rate_exceeded' });
    expect(b).toMatchObject({ status: 'paused', pauseReason: 'workspace_bounce_rate_exceeded' });
    expect(bEvents).toEqual([expect.objectContaining({ scope: 'workspace' })]);
  }, 90_000);

  it('judges the workspace guard when its sends reach minSent after a complaint that landed before', async () => {
    // Found by the history checker: harm that lands while the workspace has sent fewer than its
    // minSent is judged by nobody, so the send that arms the guard must judge it.
    const a = await stack.campaign(ONE_STEP, 99, { settings: { autoPause: null } });
    await eventually(async () => (await stats(a)).sent === 99, 60_000, 'A sent 99');
    const [m] = await stack.deps.db.message.findMany({ where: { campaignId: a.id }, take: 1 });
    const res = await stack.providerEvent({ type: 'email.complained', created_at: new Date().toISOString(), data: { email_id: m!.providerId, to: [m!.toEmail] } });
    expect(res.body.data.result).toBe('processed');
    expect((await a.api.get(`/v1/campaigns/${a.id}`)).body.data.status).toBe('running');
    const b = (await a.api.post('/v1/campaigns', { name: 'the hundredth', sequenceSteps: ONE_STEP, settings: { autoPause: null } })).body.data.id as string;
    await a.api.post(`/v1/campaigns/${b}/leads/bulk`, { leads: [{ email: `hundredth-${a.id}@example.com` }] });
    await a.api.post(`/v1/campaigns/${b}/start`);
    const paused = await eventually(async () => {
      const [va, vb] = await Promise.all([a.api.get(`/v1/campaigns/${a.id}`), a.api.get(`/v1/campaigns/${b}`)]);
      return va.body.data.status === 'paused' && vb.body.data.status === 'paused' && [va.body.data.pauseReason, vb.body.data.pauseReason];
    }, 30_000, 'both campaigns paused by the workspace guard');
    expect(paused).toEqual(['workspace_complaint_rate_exceeded', 'workspace_complaint_rate_exceeded']);
  }, 90_000);

  it('marks a pause by hand as manual', async () => {
    const c = await stack.campaign(LATER, 1);
    await c.api.post(`/v1/campaigns/${c.id}/pause`);
    expect((await c.api.get(`/v1/campaigns/${c.id}`)).body.data).toMatchObject({ status: 'paused', pauseReason: 'manual', health: { status: 'paused' } });
  });
});
