import { randomBytes } from 'node:crypto';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { createApp } from '../../src/api/app.js';
import { createLogger } from '../../src/logger.js';
import { buildWorker, type SequentWorker } from '../../src/worker/build-worker.js';
import { startResendDouble, type ResendDouble } from '../resend-double/server.js';
import { apiClient, testConfig, testDeps } from '../helpers/deps.js';
import { startReceiver } from '../helpers/receiver.js';
import { eventually, testWorkflowBundle } from '../helpers/worker.js';
import { uniq } from '../helpers/fixtures.js';

const ALL_EVENTS = ['campaign.started', 'campaign.paused', 'message.sent', 'message.delivered', 'message.bounced', 'reply.received', 'lead.completed'];

/**
 * Runs the API and a worker with every log line at trace level captured, through a scenario that
 * handles every secret Sequent knows (API keys valid, revoked and unknown, the admin token, a
 * webhook's signing secret, the Resend API key, the Resend webhook secret), then searches every
 * line for each of them.
 */
describe('no secrets in logs', () => {
  const lines: string[] = [];
  const sink = { write: (line: string) => void lines.push(line) };
  const adminToken = `admin-${randomBytes(24).toString('hex')}`;
  const resendWebhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  let double: ResendDouble;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let worker: SequentWorker;
  let running: Promise<void>;
  let connection: NativeConnection;

  beforeAll(async () => {
    double = await startResendDouble();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await connection?.close();
    await Promise.all([double.close(), receiver.close()]);
  });

  it('never writes a key, token or secret to a log line', async () => {
    const deps = testDeps();
    const config = testConfig({
      LOG_LEVEL: 'trace',
      ADMIN_TOKEN: adminToken,
      RESEND_API_KEY: double.apiKey,
      RESEND_BASE_URL: double.url,
      RESEND_WEBHOOK_SECRET: resendWebhookSecret,
    });
    const app = createApp({ ...deps, config, logger: createLogger(config.LOG_LEVEL, 'api', sink) });
    const tight = createApp({ ...deps, config: { ...config, API_RATE_LIMIT: 1, API_RATE_BURST: 1 }, logger: createLogger(config.LOG_LEVEL, 'api', sink) });
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    worker = await buildWorker({
      workflowBundle: testWorkflowBundle(),
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      // The real activities as the worker process builds them: Resend (the double) from RESEND_API_KEY.
      activities: activitiesFromConfig(config, { db: deps.db, logger: createLogger(config.LOG_LEVEL, 'worker', sink), client: deps.temporal }),
    });
    running = worker.run();

    // Operator: the admin token creates a workspace and keys; a wrong token and the token used as an API key fail.
    const admin = apiClient(app, adminToken);
    const created = await admin.post('/admin/workspaces', { name: `logs-${uniq()}` });
    expect(created.status).toBe(201);
    const apiKey: string = created.body.data.apiKey;
    const workspaceId: string = created.body.data.workspace.id;
    const second = await admin.post(`/admin/workspaces/${workspaceId}/api-keys`);
    const revokedKey: string = second.body.data.apiKey;
    expect((await admin.delete(`/admin/api-keys/${second.body.data.id}`)).status).toBe(200);
    expect((await apiClient(app, `wrong-${adminToken}`).post('/admin/workspaces', { name: 'x' })).status).toBe(401);
    expect((await admin.get('/v1/campaigns')).status).toBe(401);

    // Keys: valid, revoked, unknown, malformed, in a query string, pasted into a path.
    const api = apiClient(app, apiKey);
    const unknownKey = `sk_live_${randomBytes(30).toString('hex')}`;
    expect((await api.get('/v1/campaigns')).status).toBe(200);
    expect((await apiClient(app, revokedKey).get('/v1/campaigns')).status).toBe(401);
    expect((await apiClient(app, unknownKey).get('/v1/campaigns')).status).toBe(401);
    expect((await apiClient(app).get('/v1/campaigns', { authorization: `Basic ${apiKey}` })).status).toBe(401);
    await api.get(`/v1/campaigns?api_key=${apiKey}`);
    expect((await api.get(`/v1/campaigns/${apiKey}`)).status).toBe(404);
    const limited = apiClient(tight, apiKey);
    await limited.get('/v1/campaigns');
    expect((await limited.get('/v1/campaigns')).status).toBe(429);

    // A webhook (its signing secret) that every event is delivered to, signed with that secret.
    const hook = await api.post('/v1/webhooks', { url: receiver.url, events: ALL_EVENTS });
    expect(hook.status).toBe(201);
    const webhookSecret: string = hook.body.data.secret;

    // Sending through Resend (the API key), with one permanent provider failure logged by the worker.
    await api.post('/v1/sender-accounts', { email: `ada-${uniq()}@acme.com`, name: 'Ada', dailyLimit: 100, minGapSeconds: 0, jitterSeconds: 0 });
    const campaign = (await api.post('/v1/campaigns', { name: 'logs', sequenceSteps: [{ delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>Hello</p>' }] })).body.data.id;
    const [lead, failing] = [`lead-${uniq()}@example.com`, `failing-${uniq()}@example.com`];
    await api.post(`/v1/campaigns/${campaign}/leads/bulk`, { leads: [{ email: lead, firstName: 'Lea' }] });
    expect((await api.post(`/v1/campaigns/${campaign}/start`)).status).toBe(200);
    const message = await eventually(async () => deps.db.message.findFirst({ where: { campaignId: campaign, status: 'sent' } }), 30_000, 'sent');
    double.failNext(1, { status: 422, name: 'validation_error', message: 'The `to` field is invalid.' });
    await api.post(`/v1/campaigns/${campaign}/leads/bulk`, { leads: [{ email: failing }] });
    await eventually(async () => deps.db.message.findFirst({ where: { campaignId: campaign, status: 'failed' } }), 30_000, 'failed');

    // Resend's events (the webhook secret): delivered, inbound reply (fetched with the API key), bad and stale signatures.
    const deliver = (event: unknown, options: { secret?: string; at?: Date } = {}) => {
      const signed = double.signEvent(options.secret ?? resendWebhookSecret, event, options);
      return app.request('/v1/providers/resend/events', { method: 'POST', headers: signed.headers, body: signed.body });
    };
    expect((await deliver({ type: 'email.delivered', created_at: new Date().toISOString(), data: { email_id: message.providerId } })).status).toBe(200);
    const inbound = double.receive({ from: lead, to: ['ada@acme.com'], subject: 'Re: Hi', text: 'Not interested, thanks.', headers: { 'In-Reply-To': message.rfcMessageId! } });
    expect((await deliver(inbound)).status).toBe(200);
    expect((await deliver({ type: 'email.delivered', data: {} }, { secret: `whsec_${randomBytes(24).toString('base64')}` })).status).toBe(401);
    expect((await deliver({ type: 'email.delivered', data: {} }, { at: new Date(Date.now() - 3_600_000) })).status).toBe(401);
    const unsigned = await app.request('/v1/providers/resend/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'svix-id': 'msg_x', 'svix-timestamp': '1', 'svix-signature': `v1,${resendWebhookSecret}` },
      body: '{}',
    });
    expect(unsigned.status).toBe(401);

    // The unsubscribe link's token.
    expect((await app.request(`/u/${message.unsubscribeToken}`)).status).toBe(200);
    expect((await app.request(`/u/${message.unsubscribeToken}`, { method: 'POST' })).status).toBe(200);

    // Wait until the worker has signed and delivered the webhook events (the secret in use).
    await eventually(async () => receiver.received.filter((r) => r.body.includes(campaign)).length >= 4, 30_000, 'webhooks delivered');
    worker.shutdown();
    await running;

    const parsed = lines.map((l) => JSON.parse(l) as { name: string; level: number; msg: string; status?: number; path?: string });
    // The capture saw the whole scenario: both processes, refusals, provider events, the provider failure.
    expect(parsed.filter((l) => l.name === 'api' && l.msg === 'request').length).toBeGreaterThan(20);
    expect(parsed.some((l) => l.msg === 'request' && l.status === 401)).toBe(true);
    expect(parsed.some((l) => l.msg === 'request' && l.status === 429)).toBe(true);
    expect(parsed.filter((l) => l.msg === 'provider event')).toHaveLength(2);
    expect(parsed.some((l) => l.name === 'worker' && l.msg === 'message failed permanently')).toBe(true);
    expect(parsed.some((l) => l.path === `/v1/campaigns/sk_live_[redacted]`)).toBe(true);
    expect(parsed.some((l) => l.path === '/u/[redacted]')).toBe(true);

    const secrets: Record<string, string> = {
      'API key': apiKey,
      'revoked API key': revokedKey,
      'unknown API key': unknownKey,
      'admin token': adminToken,
      'webhook signing secret': webhookSecret,
      'webhook signing secret (key part)': webhookSecret.slice('whsec_'.length),
      RESEND_API_KEY: double.apiKey,
      RESEND_WEBHOOK_SECRET: resendWebhookSecret,
      'RESEND_WEBHOOK_SECRET (key part)': resendWebhookSecret.slice('whsec_'.length),
      'unsubscribe token': message.unsubscribeToken!,
    };
    const leaks = Object.entries(secrets).flatMap(([what, value]) => lines.filter((l) => l.includes(value)).map((l) => `${what}: ${l}`));
    expect(leaks).toEqual([]);
  });
});
