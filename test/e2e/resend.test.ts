import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountMailError, KeyAlreadyUsedMailError, PermanentMailError, RetryableMailError } from '../../src/mail/mailer.js';
import { createResendTransport } from '../../src/mail/resend-transport.js';
import { startResendDouble, type ResendDouble } from '../resend-double/server.js';
import { testApp } from '../helpers/deps.js';
import { eventually, startTestWorker } from '../helpers/worker.js';
import { workflowEnded } from '../helpers/barriers.js';
import { uniq } from '../helpers/fixtures.js';

const mail = (over: object = {}) => ({
  from: 'Ada <ada@acme.com>',
  to: 'lead@example.com',
  subject: 'Hello',
  html: '<p>Hi</p>',
  idempotencyKey: `enr_${uniq()}/1`,
  ...over,
});

describe('Resend transport: error mapping, case by case', () => {
  let double: ResendDouble;
  beforeAll(async () => {
    double = await startResendDouble();
  });
  afterAll(() => double.close());

  const transport = () => createResendTransport({ apiKey: double.apiKey, baseUrl: double.url });

  it('sends with the idempotency key and returns the provider id; a retry gets the same id', async () => {
    const m = mail();
    const first = await transport().send(m);
    const again = await transport().send(m);
    expect(first).toEqual({ providerId: expect.any(String), delivered: false });
    expect(again.providerId).toBe(first.providerId);
    expect(double.accepted.filter((e) => e.idempotencyKey === m.idempotencyKey)).toHaveLength(1);
  });

  it.each([
    [{ status: 429, name: 'rate_limit_exceeded', retryAfter: '2' }, RetryableMailError, 2000],
    [{ status: 429, name: 'daily_quota_exceeded' }, RetryableMailError, 15 * 60 * 1000],
    [{ status: 500, name: 'application_error' }, RetryableMailError, undefined],
    [{ status: 503, name: 'internal_server_error' }, RetryableMailError, undefined],
    [{ status: 409, name: 'concurrent_idempotent_requests' }, RetryableMailError, undefined],
    [{ status: 409, name: 'invalid_idempotent_request' }, KeyAlreadyUsedMailError, undefined],
    [{ status: 422, name: 'validation_error' }, PermanentMailError, undefined],
    [{ status: 403, name: 'invalid_api_key' }, AccountMailError, undefined],
    [{ status: 401, name: 'restricted_api_key' }, AccountMailError, undefined],
    [{ status: 401, name: 'missing_api_key' }, AccountMailError, undefined],
    [{ status: 403, name: 'validation_error', message: 'The acme.com domain is not verified. Please, add and verify your domain.' }, AccountMailError, undefined],
    [{ status: 422, name: 'invalid_from_address', message: 'Invalid `from` field.' }, AccountMailError, undefined],
  ])('maps %o', async (failure, kind, retryAfterMs) => {
    double.failNext(1, failure);
    const error = await transport().send(mail()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(kind);
    if (error instanceof RetryableMailError) expect(error.retryAfterMs).toBe(retryAfterMs);
  });

  it('treats a validation failure found by the provider as permanent', async () => {
    const error = await transport().send(mail({ to: 'not an address' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentMailError);
    expect((error as Error).message).toMatch(/422 validation_error/);
  });

  it('treats an unreachable provider as transient', async () => {
    const dead = createResendTransport({ apiKey: double.apiKey, baseUrl: 'http://127.0.0.1:1' });
    expect(await dead.send(mail()).catch((e: unknown) => e)).toBeInstanceOf(RetryableMailError);
  });
});

describe('sending through Resend end to end (real worker, the Resend double)', () => {
  let double: ResendDouble;
  beforeAll(async () => {
    double = await startResendDouble();
    await startTestWorker({ mailer: createResendTransport({ apiKey: double.apiKey, baseUrl: double.url }) });
  });
  afterAll(() => double.close());

  async function campaign(steps: object[], leads: number) {
    const ctx = await testApp();
    await ctx.api.post('/v1/sender-accounts', { email: `ada-${uniq()}@acme.com`, name: 'Ada Sales', dailyLimit: 100, minGapSeconds: 0, jitterSeconds: 0 });
    const id = (await ctx.api.post('/v1/campaigns', { name: 'resend', sequenceSteps: steps })).body.data.id;
    const emails = Array.from({ length: leads }, (_, i) => `lead${i}-${uniq()}@example.com`);
    await ctx.api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: emails.map((email) => ({ email, firstName: 'Lee' })) });
    return { ...ctx, id, emails };
  }

  it('threads step 2 under step 1 and marks every message with unsubscribe headers and tags', async () => {
    const { api, deps, id, emails, workspaceId } = await campaign(
      [
        { delayDays: 0, subject: 'Quick question, {{firstName}}', bodyHtml: '<p>1</p>' },
        { delayDays: 0, subject: '', bodyHtml: '<p>2</p>' },
      ],
      1,
    );
    await api.post(`/v1/campaigns/${id}/start`);
    await eventually(async () => (await deps.db.message.count({ where: { campaignId: id, status: 'sent' } })) === 2, 60_000, 'both sent');

    const sent = double.accepted.filter((e) => e.to[0] === emails[0]);
    expect(sent.map((e) => e.subject)).toEqual(['Quick question, Lee', 'Re: Quick question, Lee']);
    const [one, two] = sent;
    expect(one!.from).toMatch(/^Ada Sales <ada-.*@acme\.com>$/);
    expect(one!.headers['Message-ID']).toMatch(/^<msg_[0-9a-z]{26}@acme\.com>$/);
    expect(two!.headers['In-Reply-To']).toBe(one!.headers['Message-ID']);
    expect(two!.headers.References).toBe(one!.headers['Message-ID']);
    expect(one!.headers['List-Unsubscribe']).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/u\/[A-Za-z0-9_-]{32}>$/);
    expect(one!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const messages = await deps.db.message.findMany({ where: { campaignId: id }, orderBy: { stepNumber: 'asc' } });
    expect(Object.fromEntries(one!.tags.map((t) => [t.name, t.value]))).toEqual({
      workspace_id: workspaceId,
      campaign_id: id,
      enrollment_id: messages[0]!.enrollmentId,
      message_id: messages[0]!.id,
    });
    expect(messages.map((m) => m.providerId)).toEqual([one!.id, two!.id]);
    expect(messages[0]!.rfcMessageId).toBe(one!.headers['Message-ID']);
    expect(one!.idempotencyKey).toBe(`${messages[0]!.enrollmentId}/1`);
  }, 90_000);

  it('ends a 429 storm with every step accepted exactly once', async () => {
    const { api, deps, id, emails } = await campaign([{ delayDays: 0, subject: 'Storm', bodyHtml: '<p>s</p>' }], 5);
    double.failNext(8, { status: 429, name: 'rate_limit_exceeded', message: 'Too many requests', retryAfter: '1' });
    await api.post(`/v1/campaigns/${id}/start`);
    await eventually(async () => (await deps.db.message.count({ where: { campaignId: id, status: 'sent' } })) === 5, 90_000, 'all sent');
    const mine = double.accepted.filter((e) => emails.includes(e.to[0]!));
    expect(mine).toHaveLength(5);
    expect(new Set(mine.map((e) => e.idempotencyKey)).size).toBe(5);
    expect((await api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics.sent).toBe(5);
  }, 120_000);

  it('fails a message the provider rejects for good, with its reason, and does not retry it', async () => {
    const { api, deps, id } = await campaign([{ delayDays: 0, subject: 'Bad', bodyHtml: '<p>b</p>' }], 1);
    double.failNext(1, { status: 422, name: 'validation_error', message: 'Invalid `to` field.' });
    const before = double.requests;
    await api.post(`/v1/campaigns/${id}/start`);
    const failed = await eventually(async () => deps.db.message.findFirst({ where: { campaignId: id, status: 'failed' } }), 60_000, 'failed');
    expect(failed.failureReason).toMatch(/422 validation_error: Invalid `to` field/);
    await eventually(async () => (await api.get(`/v1/campaigns/${id}/leads?status=failed`)).body.data.length === 1, 30_000, 'enrollment failed');
    // Once its workflow has ended no retry of the step can follow: the one request was the last.
    await workflowEnded(deps.temporal, failed.enrollmentId);
    expect(double.requests - before).toBe(1);
  }, 90_000);

  it('unsubscribes from the link: GET confirms, POST suppresses and stops the lead everywhere', async () => {
    const { api, app, deps, id, emails, workspaceId } = await campaign(
      [
        { delayDays: 0, subject: 'One', bodyHtml: '<p>1</p>' },
        { delayDays: 5, subject: 'Two', bodyHtml: '<p>2</p>' },
      ],
      1,
    );
    await api.post(`/v1/campaigns/${id}/start`);
    const message = await eventually(async () => deps.db.message.findFirst({ where: { campaignId: id, status: 'sent' } }), 60_000, 'sent');
    const path = `/u/${message.unsubscribeToken}`;

    const page = await app.request(path);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain(emails[0]);
    expect(await deps.db.suppression.count({ where: { workspaceId } })).toBe(0); // GET changes nothing

    const oneClick = await app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await deps.db.suppression.findFirst({ where: { workspaceId, email: emails[0] } })).toMatchObject({ reason: 'unsubscribed' });
    const list = await api.get(`/v1/campaigns/${id}/leads`);
    expect(list.body.data[0]).toMatchObject({ status: 'unsubscribed' });
    expect((await app.request(path, { method: 'POST' })).status).toBe(200); // repeat is harmless
    expect((await app.request('/u/not-a-real-token')).status).toBe(404);

    const again = await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: emails[0] }] });
    expect(again.body.data).toEqual({ enrolled: 0, updated: 0, skipped: 1, total: 0 });
  }, 90_000);
});
