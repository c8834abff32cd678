import { beforeAll, describe, expect, it } from 'vitest';
import { FOLLOW_UP_LATER, ONE_STEP, startEdgeStack } from '../helpers/edge-stack.js';
import { eventually } from '../helpers/worker.js';

describe('provider events are never lost and counters stay exact (real worker, real database, the Resend double)', () => {
  let stack: Awaited<ReturnType<typeof startEdgeStack>>;
  beforeAll(async () => {
    stack = await startEdgeStack();
  });

  async function sent(steps = FOLLOW_UP_LATER) {
    const c = await stack.campaign(steps);
    const enrollment = c.enrollmentOf(c.emails[0]!);
    const message = await eventually(async () => {
      const m = await stack.message(enrollment.id, 1);
      return m?.status === 'sent' ? m : null;
    }, 30_000, 'step 1 sent');
    const metrics = async () => (await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data.metrics;
    return { ...c, enrollment, message, metrics };
  }
  const event = (type: string, emailId: string | null, extra: object = {}) => ({
    type,
    created_at: new Date().toISOString(),
    data: { ...(emailId ? { email_id: emailId } : {}), ...extra },
  });

  it.each([
    ['without tags: kept, and applied once the message records the id', false],
    ['with the message tag: matched at once, applied after the send commits', true],
  ])('applies an event that arrives before its message records the provider id (%s)', async (_name, withTags) => {
    // The provider takes the mail at once and answers 2 s later: its event comes first.
    stack.double.answerLate(2_000);
    try {
      const c = await stack.campaign(ONE_STEP);
      const enrollment = c.enrollmentOf(c.emails[0]!);
      const accepted = await eventually(async () => stack.acceptedFor(enrollment.id)[0], 30_000, 'accepted');
      expect((await stack.message(enrollment.id, 1))!.providerId).toBeNull();
      const tags = withTags ? { tags: Object.fromEntries(accepted.tags.map((t) => [t.name, t.value])) } : {};
      const res = await stack.providerEvent(event('email.delivered', accepted.id, tags));
      expect(res.status).toBe(200);
      expect(res.body.data.result).toBe(withTags ? 'processed' : 'pending');

      const message = await eventually(async () => {
        const m = await stack.message(enrollment.id, 1);
        return m?.status === 'delivered' ? m : null;
      }, 30_000, 'delivered');
      expect(message.providerId).toBe(accepted.id);
      expect((await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data.metrics).toMatchObject({ sent: 1, delivered: 1 });
    } finally {
      stack.double.answerLate(0);
    }
  }, 60_000);

  it('counts a lead once when several of its replies race', async () => {
    const { api, id, emails, metrics, enrollment } = await sent();
    const texts = ['Yes, interested!', 'Sure, call me', 'Sounds good', 'Interested — Tuesday?', 'Let us talk', 'Yes please'];
    const answers = await Promise.all(texts.map((text) => api.post('/v1/replies', { email: emails[0], campaignId: id, text })));
    expect(answers.map((a) => a.status)).toEqual(texts.map(() => 201));
    expect(await metrics()).toMatchObject({ replied: 1, sent: 1 });
    expect((await api.get(`/v1/replies?campaignId=${id}`)).body.data).toHaveLength(texts.length);
    expect((await stack.message(enrollment.id, 2))).toBeNull();
  });

  it('counts a reply after the last step, and the lead becomes replied', async () => {
    const c = await sent(ONE_STEP);
    await eventually(async () => (await c.api.get(`/v1/campaigns/${c.id}/leads/${c.enrollment.leadId}`)).body.data.status === 'completed', 30_000, 'completed');
    await c.api.post('/v1/replies', { email: c.emails[0], campaignId: c.id, text: 'Late, but yes — interested.' });
    expect((await c.api.get(`/v1/campaigns/${c.id}/leads/${c.enrollment.leadId}`)).body.data).toMatchObject({ status: 'replied', stopReason: 'reply: interested' });
    expect(await c.metrics()).toMatchObject({ replied: 1, queued: 0 });
    const events = (await c.api.get('/v1/events?type=lead.replied')).body.data.filter((e: any) => e.data.campaignId === c.id);
    expect(events.map((e: any) => e.data)).toMatchObject([{ leadId: c.enrollment.leadId, status: 'replied', reason: 'reply: interested' }]);
  });

  it('counts a bounce notice that comes back as a reply as a bounce, not a reply', async () => {
    const c = await sent();
    const res = await c.api.post('/v1/replies', {
      email: c.emails[0],
      campaignId: c.id,
      subject: 'Undelivered Mail Returned to Sender',
      text: 'This is the mail system at host mx.example.com. The mail could not be delivered: user unknown.',
    });
    expect(res.body.data.classification).toBe('bounce');
    expect(await c.metrics()).toMatchObject({ replied: 0, bounced: 1 });
    expect((await stack.message(c.enrollment.id, 1))!.status).toBe('bounced');
  });

  it('records a complaint as its own metric, suppresses the address and stops the lead', async () => {
    const c = await sent();
    await stack.providerEvent(event('email.delivered', c.message.providerId));
    await stack.providerEvent(event('email.complained', c.message.providerId));
    expect(await c.metrics()).toMatchObject({ sent: 1, delivered: 1, bounced: 0, complained: 1 });
    const lead = (await c.api.get(`/v1/campaigns/${c.id}/leads/${c.enrollment.leadId}`)).body.data;
    expect(lead).toMatchObject({ status: 'stopped', stopReason: 'spam complaint' });
    expect(lead.messages[0]).toMatchObject({ status: 'delivered', complainedAt: expect.any(String) });
    const suppressed = (await c.api.get('/v1/suppression-list')).body.data;
    expect(suppressed).toContainEqual(expect.objectContaining({ email: c.emails[0], reason: 'complained' }));
  });

  it('moves a message bounced after delivery from delivered to bounced', async () => {
    const c = await sent();
    await stack.providerEvent(event('email.delivered', c.message.providerId));
    expect(await c.metrics()).toMatchObject({ delivered: 1, bounced: 0 });
    await stack.providerEvent(event('email.bounced', c.message.providerId, { bounce: { type: 'Permanent', message: 'mailbox does not exist' } }));
    expect(await c.metrics()).toMatchObject({ sent: 1, delivered: 0, bounced: 1, replyRate: 0 });
    expect((await c.api.get(`/v1/campaigns/${c.id}/leads/${c.enrollment.leadId}`)).body.data.status).toBe('bounced');
  });

  it('records a soft bounce on the timeline without counting it or stopping the lead', async () => {
    const c = await sent();
    const res = await stack.providerEvent(event('email.bounced', c.message.providerId, { bounce: { type: 'Transient', message: 'mailbox full' } }));
    expect(res.body.data.result).toBe('processed');
    expect(await c.metrics()).toMatchObject({ bounced: 0 });
    const lead = (await c.api.get(`/v1/campaigns/${c.id}/leads/${c.enrollment.leadId}`)).body.data;
    expect(lead.status).toBe('active');
    expect(lead.messages[0]).toMatchObject({ status: 'sent', softBouncedAt: expect.any(String), failureReason: 'mailbox full' });
    expect(await stack.deps.db.suppression.count({ where: { workspaceId: c.workspaceId } })).toBe(0);
  });
});
