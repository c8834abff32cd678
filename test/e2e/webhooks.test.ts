import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createApp } from '../../src/api/app.js';
import { emitEvent, relayUndispatched } from '../../src/webhooks/events.js';
import { EVENT_RELAY_SCHEDULE_ID, ensureSchedules } from '../../src/worker/schedules.js';
import { apiClient, newWorkspace, testApp, testConfig, testDeps } from '../helpers/deps.js';
import { startReceiver } from '../helpers/receiver.js';
import { servicesOf } from '../../src/api/context.js';
import { createLogger } from '../../src/logger.js';
import { startEventDispatcher } from '../../src/worker/event-dispatcher.js';
import { eventually, startTestWorker } from '../helpers/worker.js';
import { uniq } from '../helpers/fixtures.js';
import { deliveriesEnded } from '../helpers/barriers.js';
import { temporalOrchestrator } from '../../src/workflows/client.js';

const ALL = ['campaign.started', 'campaign.paused', 'message.sent', 'message.delivered', 'message.bounced', 'reply.received', 'lead.completed'];

describe('webhooks out', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    await startTestWorker();
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it('delivers every event type once per occurrence, signed so a receiver can verify it', async () => {
    const { api, deps, workspaceId } = await testApp();
    const created = await api.post('/v1/webhooks', { url: receiver.url, events: ALL });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ id: expect.stringMatching(/^wh_/), url: receiver.url, events: ALL, status: 'active', secret: expect.stringMatching(/^whsec_/) });
    const { secret, id: webhookId } = created.body.data;

    const campaign = (await api.post('/v1/campaigns', { name: 'hooks', sequenceSteps: [{ delayDays: 0, subject: 'Hi', bodyHtml: '<p>x</p>' }] })).body.data.id;
    const [done, replier] = [`done-${uniq()}@acme.com`, `replier-${uniq()}@acme.com`];
    await api.post(`/v1/campaigns/${campaign}/leads/bulk`, { leads: [{ email: done }, { email: replier }] });
    await api.post(`/v1/campaigns/${campaign}/start`);
    await eventually(async () => (await api.get(`/v1/campaigns/${campaign}/leads?status=completed`)).body.data.length === 2, 30_000, 'completed');
    await api.post('/v1/replies', { email: replier, campaignId: campaign, text: 'Yes, interested!' });
    await api.post(`/v1/campaigns/${campaign}/pause`);

    const mine = () =>
      receiver.received
        .map((r) => ({ ...r, payload: new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as any }))
        .filter((r) => r.payload.data.campaignId === campaign || r.payload.data.reply?.campaignId === campaign);
    const expected = ['campaign.started', 'message.sent', 'message.sent', 'message.delivered', 'message.delivered', 'lead.completed', 'lead.completed', 'reply.received', 'campaign.paused'];
    await eventually(async () => mine().length >= expected.length, 30_000, 'all events delivered');
    // Every subscribed event's delivery has ended (one workflow per webhook and event): nothing more arrives.
    const subscribed = await deps.db.event.findMany({ where: { workspaceId, type: { in: ALL } }, select: { id: true } });
    expect(subscribed).toHaveLength(expected.length);
    await deliveriesEnded(deps.temporal, webhookId, subscribed.map((e) => e.id));
    const got = mine();
    expect(got.map((r) => r.payload.event).sort()).toEqual([...expected].sort());
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(got.length);
    const sent = got.find((r) => r.payload.event === 'message.sent')!.payload;
    expect(sent).toMatchObject({ id: expect.stringMatching(/^evt_/), timestamp: expect.any(String), data: { campaignId: campaign, messageId: expect.stringMatching(/^msg_/), sequenceStep: 1, email: expect.any(String), leadId: expect.any(String) } });
    expect(got.find((r) => r.payload.event === 'reply.received')!.payload.data.reply).toMatchObject({ email: replier, classification: 'interested' });

    const log = await api.get(`/v1/webhooks/${webhookId}/deliveries`);
    expect(log.body.data).toHaveLength(expected.length);
    expect(log.body.data.every((d: any) => d.succeeded && d.responseStatus === 200 && d.attempt === 1)).toBe(true);
    const events = await api.get('/v1/events?type=message.sent');
    expect(events.body.data.filter((e: any) => e.data.campaignId === campaign)).toHaveLength(2);
  });

  it('refuses webhook URLs on loopback or private ranges, or not https, unless the operator allows it', async () => {
    const deps = testDeps();
    const { apiKey } = await testApp();
    const strict = apiClient(createApp({ ...deps, config: testConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }) }), apiKey);
    for (const url of ['https://127.0.0.1/hook', 'https://10.0.0.8/hook', 'https://192.168.0.2/hook', 'https://[::1]/hook', 'https://localhost/hook', 'http://example.com/hook']) {
      const res = await strict.post('/v1/webhooks', { url, events: ['message.sent'] });
      expect([url, res.status, res.body.error.code, res.body.errors[0].field]).toEqual([url, 422, 'validation_failed', 'url']);
    }
    expect((await strict.get('/v1/webhooks')).body.data).toEqual([]);
    expect((await strict.post('/v1/webhooks', { url: 'https://1.1.1.1/hook', events: ['nope'] })).status).toBe(422);
  });

  it('relays an event whose dispatch a crash interrupted, exactly once', async () => {
    const { api, deps, workspaceId } = await testApp();
    const webhookId = (await api.post('/v1/webhooks', { url: receiver.url, events: ['campaign.paused'] })).body.data.id as string;
    // Committed with its cause, but the process died before handing it to Temporal.
    const event = await emitEvent(deps.db, workspaceId, 'campaign.paused', { campaignId: `camp_relay_${uniq()}` });
    const services = { db: deps.db, orchestrator: temporalOrchestrator({ client: deps.temporal, taskQueue: deps.config.TEMPORAL_TASK_QUEUE }), now: () => new Date() };
    expect(await relayUndispatched(services, { olderThanMs: 0, workspaceId })).toBeGreaterThanOrEqual(1);
    await eventually(async () => receiver.received.some((r) => r.headers['webhook-id'] === event.id), 30_000, 'relayed');
    expect((await deps.db.event.findUniqueOrThrow({ where: { id: event.id } })).dispatchedAt).toBeInstanceOf(Date);
    await relayUndispatched(services, { olderThanMs: 0, workspaceId });
    // The event's one delivery (its workflow id is the webhook's and the event's) has ended.
    await deliveriesEnded(deps.temporal, webhookId, [event.id]);
    expect(receiver.received.filter((r) => r.headers['webhook-id'] === event.id)).toHaveLength(1);
  });

  it('creates the relay schedule once, however many workers start', async () => {
    const { temporal, config } = testDeps();
    await ensureSchedules(temporal, config.TEMPORAL_TASK_QUEUE);
    await ensureSchedules(temporal, config.TEMPORAL_TASK_QUEUE);
    const description = await temporal.schedule.getHandle(EVENT_RELAY_SCHEDULE_ID).describe();
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'eventRelayWorkflow' });
  });

  it("hands an event no request dispatches (a lead's ending) to its webhook at once, through the database's notification", async () => {
    const deps = testDeps();
    const dispatcher = startEventDispatcher(servicesOf(deps), deps.config.DATABASE_URL!, createLogger('silent', 'test'));
    try {
      const { api } = await testApp();
      const { secret } = (await api.post('/v1/webhooks', { url: receiver.url, events: ['lead.stopped'] })).body.data;
      const campaign = (await api.post('/v1/campaigns', { name: 'stops', sequenceSteps: [{ delayDays: 3, subject: 'Hi', bodyHtml: '<p>x</p>' }] })).body.data.id;
      await api.post(`/v1/campaigns/${campaign}/leads/bulk`, { leads: [{ email: `stop-${uniq()}@acme.com` }] });
      const [lead] = (await api.get(`/v1/campaigns/${campaign}/leads`)).body.data;
      await api.post(`/v1/campaigns/${campaign}/leads/${lead.leadId}/stop`);
      // The minute relay only takes events 30 s old: inside 15 s only the notified dispatcher delivers.
      const stopped = await eventually(
        async () =>
          receiver.received
            .flatMap((r) => {
              try {
                return [new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as any];
              } catch {
                return []; // another test's webhook, signed with its own secret
              }
            })
            .find((p) => p.event === 'lead.stopped' && p.data.campaignId === campaign),
        15_000,
        'lead.stopped delivered',
      );
      expect(stopped.data).toMatchObject({ leadId: lead.leadId, status: 'stopped', reason: 'stopped by API' });
    } finally {
      await dispatcher.stop();
    }
  });

  it('takes a burst of notified events in one window, not one drain per commit', async () => {
    const deps = testDeps();
    const dispatcher = startEventDispatcher(servicesOf(deps), deps.config.DATABASE_URL!, createLogger('silent', 'test'), { settleMs: 600 });
    try {
      const { workspaceId } = await newWorkspace(deps.db);
      await eventually(async () => dispatcher.drains() > 0, 10_000, 'the first drain, for what was written before it listened');
      const before = dispatcher.drains();
      const ids: string[] = [];
      // 30 commits over about 300 ms: each notifies; at most the window and the one after it drain them.
      for (let i = 0; i < 30; i++) {
        ids.push((await emitEvent(deps.db, workspaceId, 'lead.stopped', { i })).id);
        await new Promise((r) => setTimeout(r, 10));
      }
      await eventually(async () => (await deps.db.event.count({ where: { id: { in: ids }, dispatchedAt: { not: null } } })) === ids.length, 15_000, 'every event dispatched');
      expect(dispatcher.drains() - before).toBeLessThanOrEqual(3);
    } finally {
      await dispatcher.stop();
    }
  });

  it('lists and deletes webhooks; the secret is shown only at creation', async () => {
    const { api } = await testApp();
    const hook = (await api.post('/v1/webhooks', { url: receiver.url, events: ['message.sent'] })).body.data;
    const list = await api.get('/v1/webhooks');
    expect(list.body.data).toEqual([{ id: hook.id, url: receiver.url, events: ['message.sent'], status: 'active', createdAt: hook.createdAt }]);
    expect((await api.delete(`/v1/webhooks/${hook.id}`)).status).toBe(200);
    expect((await api.get('/v1/webhooks')).body.data).toEqual([]);
    expect((await api.delete(`/v1/webhooks/${hook.id}`)).body.error.code).toBe('webhook_not_found');
    expect((await api.get(`/v1/webhooks/${hook.id}/deliveries`)).status).toBe(404);
  });
});
