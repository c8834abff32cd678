import { beforeAll, describe, expect, it } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { isLive } from '../../src/domain/enrollment-status.js';
import { DAY_MS } from '../../src/domain/time.js';
import { createLogger } from '../../src/logger.js';
import { createResendTransport } from '../../src/mail/resend-transport.js';
import { startEdgeStack, TWO_STEPS } from '../helpers/edge-stack.js';
import { workflowEnded } from '../helpers/barriers.js';
import { enrollmentHistory } from '../helpers/history.js';
import { eventually } from '../helpers/worker.js';

// The provider's answer while it is down; Retry-After keeps the retries a second apart.
const OUTAGE = { status: 500, name: 'application_error', message: 'Internal server error', retryAfter: '1' };

describe('every provider attempt is guarded, retries included (real worker, real database, the Resend double)', () => {
  let stack: Awaited<ReturnType<typeof startEdgeStack>>;
  beforeAll(async () => {
    stack = await startEdgeStack();
  });

  /** Step 1 sent, step 2 failing at the provider and being retried. */
  async function failingStepTwo() {
    const c = await stack.campaign(TWO_STEPS);
    const enrollment = c.enrollmentOf(c.emails[0]!);
    stack.double.failWhen((key) => key === `${enrollment.id}/2`, OUTAGE);
    await eventually(async () => stack.postsFor(enrollment.id, 2).length >= 2, 30_000, 'step 2 retried');
    return { ...c, enrollment };
  }

  /**
   * The provider recovers; once `past` holds (the workflow ended, or went to sleep instead of
   * retrying) the failed step can no longer go out, and nothing more went out for the lead.
   */
  async function recoverAndExpectNothing(enrollmentId: string, since: number, past: () => Promise<unknown>) {
    stack.double.clearFailures();
    await past();
    expect(stack.postsFor(enrollmentId, 2).filter((p) => p.at > since)).toEqual([]);
    expect(stack.acceptedFor(enrollmentId, 2)).toEqual([]);
  }

  it('sends nothing more to a lead who unsubscribed while its step was failing at the provider', async () => {
    const { api, id, enrollment } = await failingStepTwo();
    const first = await stack.message(enrollment.id, 1);
    const res = await stack.app.request(`/u/${first!.unsubscribeToken}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    const unsubscribedAt = Date.now();
    await recoverAndExpectNothing(enrollment.id, unsubscribedAt, () => workflowEnded(stack.deps.temporal, enrollment.id));

    const timeline = (await api.get(`/v1/campaigns/${id}/leads/${enrollment.leadId}`)).body.data;
    expect(timeline.status).toBe('unsubscribed');
    expect(timeline.messages.map((m: any) => [m.stepNumber, m.status])).toEqual([
      [1, 'sent'],
      [2, 'cancelled'],
    ]);
    expect((await api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics.sent).toBe(1);
  }, 60_000);

  it('sends nothing more to a lead who replied while its step was failing at the provider', async () => {
    const { api, id, emails, enrollment } = await failingStepTwo();
    const reply = await api.post('/v1/replies', { email: emails[0], campaignId: id, text: 'Sounds interesting, tell me more.' });
    expect(reply.status).toBe(201);
    await recoverAndExpectNothing(enrollment.id, Date.now(), () => workflowEnded(stack.deps.temporal, enrollment.id));
    expect((await stack.message(enrollment.id, 2))!.status).toBe('cancelled');
    expect((await api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics).toMatchObject({ sent: 1, replied: 1 });
    expect((await api.get(`/v1/campaigns/${id}/leads/${enrollment.leadId}`)).body.data.status).toBe('replied');
  }, 60_000);

  it('holds a lead whose out-of-office came while its step was failing: the retry waits for the resume day', async () => {
    const { api, id, emails, enrollment } = await failingStepTwo();
    const back = new Date(Date.now() + 10 * DAY_MS).toISOString().slice(0, 10);
    const reply = await api.post('/v1/replies', { email: emails[0], campaignId: id, text: `I am out of the office until ${back}.` });
    expect(reply.body.data.classification).toBe('out_of_office');
    // The retry after the recovery meets the hold and the workflow sleeps until the resume day.
    const history = enrollmentHistory(stack.deps.temporal, enrollment.id);
    await recoverAndExpectNothing(enrollment.id, Date.now(), () => eventually(() => history.asleep(), 30_000, 'asleep until the resume day'));
    const lead = (await api.get(`/v1/campaigns/${id}/leads/${enrollment.leadId}`)).body.data;
    expect(lead).toMatchObject({ status: 'active', waitingFor: 'out_of_office' });
    expect(Date.parse(lead.nextSendAt)).toBeGreaterThan(Date.parse(back));
    expect((await api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics).toMatchObject({ sent: 1, replied: 0 });
  }, 60_000);

  it('holds a lead when the provider refuses the account (401), and sends it once the account is fixed', async () => {
    const c = await stack.campaign(TWO_STEPS.slice(0, 1));
    const enrollment = c.enrollmentOf(c.emails[0]!);
    stack.double.failWhen((key) => key === `${enrollment.id}/1`, { status: 401, name: 'missing_api_key', message: 'Missing API key in the authorization header.' });

    const sender = await eventually(async () => {
      const found = (await c.api.get('/v1/sender-accounts')).body.data[0];
      return found.status === 'error' ? found : null;
    }, 30_000, 'sender in error');
    expect(sender.lastError).toMatch(/401 missing_api_key/);
    const lead = (await c.api.get(`/v1/campaigns/${c.id}/leads/${enrollment.leadId}`)).body.data;
    expect(lead).toMatchObject({ status: 'active', waitingFor: 'sender_unavailable' });
    expect(lead.messages[0]).toMatchObject({ status: 'sending' });
    const health = (await c.api.get(`/v1/campaigns/${c.id}/health`)).body.data;
    expect(health.status).toBe('blocked');
    expect(health.reasons).toContainEqual(expect.objectContaining({ code: 'sender_error', count: 1 }));
    const refusals = stack.postsFor(enrollment.id).length;

    stack.double.clearFailures();
    const fixed = await c.api.patch(`/v1/sender-accounts/${sender.id}`, { status: 'active' });
    expect(fixed.body.data).toMatchObject({ status: 'active', lastError: null });
    await eventually(async () => (await stack.message(enrollment.id, 1))?.status === 'sent', 30_000, 'sent after the fix');
    expect(stack.acceptedFor(enrollment.id)).toHaveLength(1);
    expect(refusals).toBe(1);
    await eventually(async () => (await c.api.get(`/v1/campaigns/${c.id}/leads/${enrollment.leadId}`)).body.data.status === 'completed', 30_000, 'completed');
  }, 60_000);

  it('does not report a message the provider refused for good as sent when its step is attempted again', async () => {
    const c = await stack.campaign(TWO_STEPS.slice(0, 1));
    const enrollment = c.enrollmentOf(c.emails[0]!);
    stack.double.failWhen((key) => key === `${enrollment.id}/1`, { status: 422, name: 'validation_error', message: 'Invalid `to` field.' });
    await eventually(async () => (await stack.message(enrollment.id, 1))?.status === 'failed', 30_000, 'failed');
    stack.double.clearFailures();

    // A retry of the step (a replay, a duplicate activity) must find the failure, not a send.
    const { config, db, temporal } = stack.deps;
    const activities = activitiesFromConfig(config, { db, client: temporal, logger: createLogger('silent', 'test'), mailer: createResendTransport({ apiKey: stack.double.apiKey, baseUrl: stack.double.url }) });
    const again = await activities.claimStep({ enrollmentId: enrollment.id, stepNumber: 1 });
    expect(again).toMatchObject({ kind: 'ended', status: 'failed' });
    expect(stack.acceptedFor(enrollment.id)).toEqual([]);
    expect((await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data.metrics.sent).toBe(0);
  }, 60_000);

  it('lets replies, suppressions and stops race sends in flight without a deadlock, a lost count or a send after the end', async () => {
    stack.gate.delayMs = 200; // every provider call holds its locks a while
    try {
      const c = await stack.campaign(TWO_STEPS, 24);
      await eventually(async () => stack.gate.entered > 0, 30_000, 'sending');
      const [replying, suppressing, stopping] = [c.emails.slice(0, 8), c.emails.slice(8, 16), c.emails.slice(16, 20)];
      const answers = await Promise.all([
        ...replying.map((email) => c.api.post('/v1/replies', { email, campaignId: c.id, text: 'Interested, call me.' })),
        c.api.post('/v1/suppression-list', { emails: suppressing }),
        ...stopping.map((email) => c.api.post(`/v1/campaigns/${c.id}/leads/${c.enrollmentOf(email).leadId}/stop`)),
      ]);
      expect(answers.map((a) => a.status).filter((s) => s >= 300)).toEqual([]);
      const endedAt = Date.now();

      const { db } = stack.deps;
      const enrollments = await eventually(async () => {
        const rows = await db.enrollment.findMany({ where: { campaignId: c.id } });
        return rows.every((e) => !isLive(e.status)) ? rows : null;
      }, 60_000, 'every lead finished');
      const messages = await db.message.findMany({ where: { campaignId: c.id } });
      const counters = await db.campaignCounters.findUniqueOrThrow({ where: { campaignId: c.id } });
      expect(counters).toMatchObject({
        enrolled: 24,
        finished: 24,
        sent: messages.filter((m) => m.sentAt).length,
        replied: enrollments.filter((e) => e.repliedAt).length,
      });
      expect(counters.replied).toBe(8);
      expect(messages.filter((m) => m.status !== 'sent' && m.status !== 'cancelled')).toEqual([]);
      // Nothing went to a lead after its reply, suppression or stop had answered.
      for (const email of [...replying, ...suppressing, ...stopping]) {
        expect(stack.postsFor(c.enrollmentOf(email).id).filter((p) => p.at > endedAt)).toEqual([]);
      }
      // Each (lead, step) reached the provider at most once.
      const keys = c.emails.flatMap((email) => stack.acceptedFor(c.enrollmentOf(email).id).map((a) => a.idempotencyKey));
      expect(new Set(keys).size).toBe(keys.length);
    } finally {
      stack.gate.delayMs = 0;
    }
  }, 90_000);
});
