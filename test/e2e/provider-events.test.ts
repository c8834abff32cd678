import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createResendTransport } from '../../src/mail/resend-transport.js';
import { startResendDouble, type ResendDouble } from '../resend-double/server.js';
import { apiClient, newWorkspace, testConfig, testDeps } from '../helpers/deps.js';
import { eventually, startTestWorker } from '../helpers/worker.js';
import { workflowEnded } from '../helpers/barriers.js';
import { uniq } from '../helpers/fixtures.js';

const secret = `whsec_${randomBytes(24).toString('base64')}`;

describe('Resend events in (Svix-signed)', () => {
  let double: ResendDouble;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    double = await startResendDouble();
    await startTestWorker({ mailer: createResendTransport({ apiKey: double.apiKey, baseUrl: double.url }) });
    const deps = testDeps();
    app = createApp({ ...deps, config: testConfig({ RESEND_WEBHOOK_SECRET: secret, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url }) });
  });
  afterAll(() => double.close());

  const deliver = (event: unknown, options: { id?: string; at?: Date; secret?: string } = {}) => {
    const signed = double.signEvent(options.secret ?? secret, event, options);
    return app.request('/v1/providers/resend/events', { method: 'POST', headers: signed.headers, body: signed.body });
  };

  async function sentCampaign(steps = [{ delayDays: 0, subject: 'Hello', bodyHtml: '<p>1</p>' }, { delayDays: 3, subject: '', bodyHtml: '<p>2</p>' }]) {
    const { db } = testDeps();
    const ws = await newWorkspace(db);
    const api = apiClient(app, ws.apiKey);
    await api.post('/v1/sender-accounts', { email: `ada-${uniq()}@acme.com`, name: 'Ada', dailyLimit: 100, minGapSeconds: 0, jitterSeconds: 0 });
    const id = (await api.post('/v1/campaigns', { name: 'events', sequenceSteps: steps })).body.data.id;
    const email = `lead-${uniq()}@example.com`;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email }] });
    await api.post(`/v1/campaigns/${id}/start`);
    const message = await eventually(async () => db.message.findFirst({ where: { campaignId: id, status: 'sent' } }), 30_000, 'sent');
    return { api, db, id, email, message, workspaceId: ws.workspaceId };
  }

  it('marks a message delivered once, however often the event is delivered', async () => {
    const { api, db, id, message } = await sentCampaign();
    const event = { type: 'email.delivered', created_at: new Date().toISOString(), data: { email_id: message.providerId } };
    const first = await deliver(event, { id: 'msg_delivered_1' + uniq() });
    expect(first.status).toBe(200);
    expect(((await first.json()) as any).data.result).toBe('processed');
    const svixId = `msg_${uniq()}`;
    await deliver(event, { id: svixId });
    const replay = await deliver(event, { id: svixId });
    expect(((await replay.json()) as any).data.result).toBe('duplicate');
    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: 'delivered', deliveredAt: expect.any(Date) });
    expect((await api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics).toMatchObject({ sent: 1, delivered: 1 });
  });

  it('refuses a missing, wrong or stale signature with 401 and changes nothing', async () => {
    const { db, message } = await sentCampaign();
    const event = { type: 'email.delivered', data: { email_id: message.providerId } };
    const unsigned = await app.request('/v1/providers/resend/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    const wrong = await deliver(event, { secret: `whsec_${randomBytes(24).toString('base64')}` });
    const stale = await deliver(event, { at: new Date(Date.now() - 10 * 60 * 1000) });
    const signed = double.signEvent(secret, event);
    const tampered = await app.request('/v1/providers/resend/events', {
      method: 'POST',
      headers: signed.headers,
      body: signed.body.replace('email.delivered', 'email.bounced'),
    });
    for (const res of [unsigned, wrong, stale, tampered]) {
      expect(res.status).toBe(401);
      expect(((await res.json()) as any).error.code).toBe('authentication_failed');
    }
    expect((await db.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe('sent');
  });

  it('suppresses a hard-bounced address, stops its enrollments, and a later upsert skips it', async () => {
    const { api, db, id, email, message, workspaceId } = await sentCampaign();
    const res = await deliver({
      type: 'email.bounced',
      created_at: new Date().toISOString(),
      data: { email_id: message.providerId, bounce: { type: 'Permanent', subType: 'General', message: '550 5.1.1 user unknown' } },
    });
    expect(res.status).toBe(200);
    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: 'bounced', failureReason: '550 5.1.1 user unknown' });
    expect(await db.suppression.findFirst({ where: { workspaceId, email } })).toMatchObject({ reason: 'bounced' });
    expect((await api.get(`/v1/campaigns/${id}/leads`)).body.data[0].status).toBe('bounced');
    expect((await api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics).toMatchObject({ bounced: 1, queued: 0 });
    expect((await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email }] })).body.data.skipped).toBe(1);
    const events = await api.get('/v1/events?type=message.bounced');
    expect(events.body.data).toEqual([
      expect.objectContaining({ event: 'message.bounced', data: expect.objectContaining({ messageId: message.id, bounceType: 'hard', bounceReason: '550 5.1.1 user unknown', sequenceStep: 1 }) }),
    ]);
  });

  it('takes an inbound reply matched by In-Reply-To: the sequence stops before step 2, even one the provider was retrying', async () => {
    // Step 2 is due at once, but the provider fails it: it is being retried when the reply comes.
    double.failWhen((key) => !!key?.endsWith('/2'), { status: 500, name: 'application_error', retryAfter: '1' });
    const { api, db, id, email, message } = await sentCampaign([
      { delayDays: 0, subject: 'Hello', bodyHtml: '<p>1</p>' },
      { delayDays: 0, subject: '', bodyHtml: '<p>2</p>' },
    ]);
    const stepTwo = `${message.enrollmentId}/2`;
    await eventually(async () => double.posts.filter((p) => p.idempotencyKey === stepTwo).length >= 2, 30_000, 'step 2 retried');
    const event = double.receive({
      from: `Lead <${email}>`,
      to: ['ada@acme.com'],
      subject: 'Re: Hello',
      text: 'Interesting — can we talk on Friday?\n\nOn Mon, Ada wrote:\n> Hello',
      headers: { 'In-Reply-To': message.rfcMessageId!, References: message.rfcMessageId! },
    });
    const res = await deliver(event);
    expect(((await res.json()) as any).data.result).toBe('processed');
    expect((await api.get(`/v1/campaigns/${id}/leads`)).body.data[0].status).toBe('replied');
    const replies = await api.get(`/v1/replies?campaignId=${id}`);
    expect(replies.body.data).toEqual([expect.objectContaining({ email, classification: 'interested', threadSnippet: 'Interesting — can we talk on Friday?' })]);
    expect((await api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics).toMatchObject({ replied: 1, sent: 1 });
    // The provider recovers. The reply withdrew the retry: the workflow ends without running it,
    // and once it has ended nothing of the lead can reach the provider any more.
    const repliedAt = Date.now();
    double.clearFailures();
    await workflowEnded(testDeps().temporal, message.enrollmentId);
    expect(double.posts.filter((p) => p.idempotencyKey === stepTwo && p.at > repliedAt)).toEqual([]);
    expect(double.accepted.filter((a) => a.idempotencyKey === stepTwo)).toEqual([]);
    expect((await db.message.findFirstOrThrow({ where: { campaignId: id, stepNumber: 2 } })).status).toBe('cancelled');
  }, 60_000);

  it('records an inbound out-of-office without stopping the sequence', async () => {
    const { api, id, email, message } = await sentCampaign();
    const event = double.receive({
      from: email,
      to: ['ada@acme.com'],
      subject: 'Automatic reply: Hello',
      text: 'I am out of the office until Monday.',
      headers: { 'In-Reply-To': message.rfcMessageId!, 'Auto-Submitted': 'auto-replied' },
    });
    await deliver(event);
    expect((await api.get(`/v1/campaigns/${id}/leads`)).body.data[0].status).toBe('active');
    expect((await api.get(`/v1/replies?campaignId=${id}`)).body.data[0].classification).toBe('out_of_office');
  });
});
