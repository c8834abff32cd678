import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { newId } from '../../src/domain/ids.js';
import { startResendDouble, type ResendDouble } from '../resend-double/server.js';
import { seedEnrollment, uniq } from '../helpers/fixtures.js';
import { newWorkspace, testConfig, testDeps } from '../helpers/deps.js';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const MINUTE = 60_000;

/**
 * Svix-signed Resend events: a valid signature is not enough. A timestamp outside the svix
 * library's 5-minute tolerance is refused (so a captured request cannot be replayed later), and a
 * replay inside the window — sequential or concurrent — is applied once per svix-id.
 */
describe('provider events: replay protection', () => {
  let double: ResendDouble;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    double = await startResendDouble();
    app = createApp({ ...testDeps(), config: testConfig({ RESEND_WEBHOOK_SECRET: secret, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url }) });
  });
  afterAll(() => double.close());

  const post = (signed: { body: string; headers: Record<string, string> }) =>
    app.request('/v1/providers/resend/events', { method: 'POST', headers: signed.headers, body: signed.body });

  /** A lead with one sent message, written directly (no worker needed). */
  async function sentMessage() {
    const { db } = testDeps();
    const { workspaceId } = await newWorkspace(db);
    const email = `lead-${uniq()}@example.com`;
    const { campaign, lead, enrollment } = await seedEnrollment(db, workspaceId, {
      steps: [{ delayDays: 0, subject: 'Hello', bodyHtml: '<p>1</p>' }, { delayDays: 3, subject: '', bodyHtml: '<p>2</p>' }],
      lead: { email },
    });
    await db.enrollment.update({ where: { id: enrollment.id }, data: { status: 'active', currentStep: 1 } });
    const message = await db.message.create({
      data: {
        id: newId('msg'),
        workspaceId,
        campaignId: campaign.id,
        enrollmentId: enrollment.id,
        leadId: lead.id,
        stepNumber: 1,
        status: 'sent',
        idempotencyKey: `${enrollment.id}/1`,
        toEmail: email,
        fromEmail: 'ada@acme.com',
        subject: 'Hello',
        bodyHtml: '<p>1</p>',
        providerId: `re_${uniq()}`,
        rfcMessageId: `<${uniq()}@acme.com>`,
        sentAt: new Date(),
      },
    });
    return { db, workspaceId, email, campaign, enrollment, message };
  }

  const bounce = (providerId: string | null) => ({
    type: 'email.bounced',
    created_at: new Date().toISOString(),
    data: { email_id: providerId, bounce: { type: 'Permanent', subType: 'General', message: '550 5.1.1 user unknown' } },
  });

  it.each([
    ['6 minutes old', -6 * MINUTE],
    ['an hour old', -60 * MINUTE],
    ['6 minutes in the future', 6 * MINUTE],
  ])('refuses a correctly signed event whose timestamp is %s: 401, nothing written', async (_what, offset) => {
    const { db, workspaceId, message } = await sentMessage();
    const svixId = `msg_${uniq()}`;
    const res = await post(double.signEvent(secret, bounce(message.providerId), { id: svixId, at: new Date(Date.now() + offset) }));
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error).toEqual({ code: 'authentication_failed', message: expect.any(String) });
    expect(await db.providerEvent.findUnique({ where: { svixId } })).toBeNull();
    expect((await db.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe('sent');
    expect(await db.suppression.count({ where: { workspaceId } })).toBe(0);
    expect(await db.event.count({ where: { workspaceId } })).toBe(0);
  });

  it('accepts a timestamp inside the window (4 minutes old)', async () => {
    const { db, message } = await sentMessage();
    const res = await post(double.signEvent(secret, bounce(message.providerId), { at: new Date(Date.now() - 4 * MINUTE) }));
    expect(res.status).toBe(200);
    expect((await db.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe('bounced');
  });

  it('applies a byte-identical replay inside the window once (200 duplicate, no second effect)', async () => {
    const { db, workspaceId, message, enrollment } = await sentMessage();
    const signed = double.signEvent(secret, bounce(message.providerId), { id: `msg_${uniq()}` });
    const first = await post(signed);
    expect([first.status, ((await first.json()) as any).data.result]).toEqual([200, 'processed']);
    const afterFirst = await db.message.findUniqueOrThrow({ where: { id: message.id } });
    for (let i = 0; i < 3; i++) {
      const replay = await post(signed);
      expect([replay.status, ((await replay.json()) as any).data.result]).toEqual([200, 'duplicate']);
    }
    // Svix's own redelivery keeps the id and signs a new timestamp: also a duplicate.
    const redelivered = await post(double.signEvent(secret, bounce(message.providerId), { id: signed.headers['svix-id'] }));
    expect(((await redelivered.json()) as any).data.result).toBe('duplicate');

    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toEqual(afterFirst);
    expect(await db.event.count({ where: { workspaceId, type: 'message.bounced' } })).toBe(1);
    expect(await db.suppression.count({ where: { workspaceId } })).toBe(1);
    expect((await db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id } })).status).toBe('bounced');
  });

  it('applies concurrent identical replays of a bounce once', async () => {
    const { db, workspaceId, message } = await sentMessage();
    const signed = double.signEvent(secret, bounce(message.providerId), { id: `msg_${uniq()}` });
    const answers = await Promise.all(Array.from({ length: 8 }, async () => post(signed)));
    const results = await Promise.all(answers.map(async (r) => [r.status, ((await r.json()) as any).data.result]));
    expect(results.filter(([, result]) => result === 'processed')).toHaveLength(1);
    expect(results.every(([status]) => status === 200)).toBe(true);
    expect(await db.event.count({ where: { workspaceId, type: 'message.bounced' } })).toBe(1);
  });

  it('applies concurrent identical replays of an inbound reply once: one reply, one event, counted once', async () => {
    const { db, workspaceId, email, campaign, message } = await sentMessage();
    const event = double.receive({
      from: `Lead <${email}>`,
      to: ['ada@acme.com'],
      subject: 'Re: Hello',
      text: 'Sounds interesting, can we talk on Friday?',
      headers: { 'In-Reply-To': message.rfcMessageId!, References: message.rfcMessageId! },
    });
    const signed = double.signEvent(secret, event, { id: `msg_${uniq()}` });
    const answers = await Promise.all(Array.from({ length: 8 }, async () => post(signed)));
    const results = await Promise.all(answers.map(async (r) => [r.status, ((await r.json()) as any).data.result]));
    expect(results.every(([status]) => status === 200)).toBe(true);
    expect(results.filter(([, result]) => result === 'processed')).toHaveLength(1);
    expect(await db.reply.count({ where: { workspaceId } })).toBe(1);
    expect(await db.event.count({ where: { workspaceId, type: 'reply.received' } })).toBe(1);
    expect((await db.campaignCounters.findUnique({ where: { campaignId: campaign.id } }))?.replied).toBe(1);

    // And once more, later, in sequence.
    const replay = await post(signed);
    expect(((await replay.json()) as any).data.result).toBe('duplicate');
    expect(await db.reply.count({ where: { workspaceId } })).toBe(1);
  });

  it('answers an inbound mail from a lead of another campaign (a colleague answering) with 200 ignored, once', async () => {
    const { db, workspaceId, message } = await sentMessage();
    const colleague = `colleague-${uniq()}@example.com`;
    await seedEnrollment(db, workspaceId, { steps: [{ delayDays: 0, subject: 'Other', bodyHtml: '<p>o</p>' }], lead: { email: colleague } });
    const event = double.receive({
      from: colleague,
      to: ['ada@acme.com'],
      subject: 'Re: Hello',
      text: 'Forwarded to me, not interested.',
      headers: { 'In-Reply-To': message.rfcMessageId! },
    });
    const signed = double.signEvent(secret, event, { id: `msg_${uniq()}` });
    const res = await post(signed);
    expect([res.status, ((await res.json()) as any).data.result]).toEqual([200, 'ignored']);
    expect(await db.providerEvent.findUnique({ where: { svixId: signed.headers['svix-id'] } })).not.toBeNull();
    expect(((await (await post(signed)).json()) as any).data.result).toBe('duplicate');
    expect(await db.reply.count({ where: { workspaceId } })).toBe(0);
  });
});
