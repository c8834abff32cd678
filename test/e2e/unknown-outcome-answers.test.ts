import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { recordReply } from '../../src/replies/intake.js';
import { handleResendEvent } from '../../src/replies/provider-events.js';
import { startResendDouble, type Failure, type ResendDouble } from '../resend-double/server.js';
import { testDeps } from '../helpers/deps.js';
import { HOUR, sendFixture } from '../helpers/send-fixture.js';
import { eventually } from '../helpers/worker.js';
import { temporalOrchestrator } from '../../src/workflows/client.js';

// The services with no task queue anyone polls: their signals find no workflow, which is fine here.
const services = () => ({ db: testDeps().db, orchestrator: temporalOrchestrator({ client: testDeps().temporal, taskQueue: 'none' }), now: () => new Date() });

/**
 * SPEC §9, "an unknown outcome stays unknown until it is known": once an attempt may have reached
 * the provider, no answer to another attempt erases that record. Real activities, real PostgreSQL,
 * the Resend double with its 409 for a key in progress and its 24-hour key expiry.
 */
describe('an answer to a later attempt never erases an earlier unanswered one', () => {
  let double: ResendDouble;
  const clock = { now: new Date('2026-12-01T10:00:00Z') };
  let fixture: ReturnType<typeof sendFixture>;

  beforeAll(async () => {
    double = await startResendDouble();
    fixture = sendFixture(double, clock);
  });
  afterAll(() => double.close());

  /** A provider event for the step's mail, matched by its tags (its answer, and so its id, never came). */
  const eventFor = async (e: Awaited<ReturnType<typeof fixture.enrolled>>, type: string, extra: object = {}) => {
    const mail = e.accepted()[0];
    const tags = mail ? Object.fromEntries(mail.tags.map((t) => [t.name, t.value])) : { message_id: (await e.message()).id, workspace_id: e.workspaceId };
    const data = { email_id: mail?.id ?? randomUUID(), tags, ...extra };
    return handleResendEvent(services(), null, `msg_${randomUUID()}`, { type, created_at: clock.now.toISOString(), data });
  };

  it('keeps the step unconfirmed when a retry meets 409 concurrent_idempotent_requests; a reply then settles it unknown, and its delivery counts', async () => {
    const e = await fixture.enrolled();
    expect((await fixture.activities.claimStep(e.step)).kind).toBe('attempt');
    // The first request reaches the provider, which takes its time; the caller gives up waiting.
    double.answerLate(3_000);
    fixture.network.giveUpAfterMs = 300;
    try {
      await expect(fixture.activities.deliverStep(e.step)).rejects.toThrow(/connection dropped/);
    } finally {
      double.answerLate(0);
      fixture.network.giveUpAfterMs = 0;
    }
    const firstMark = (await e.message()).unconfirmedSince;
    expect(firstMark).toEqual(clock.now);

    // The retry arrives while the first request is still in progress: answered, but it says nothing of the first.
    await expect(fixture.activities.deliverStep(e.step)).rejects.toThrow(/409 concurrent_idempotent_requests/);
    expect(e.posts().map((p) => p.status)).toEqual([0, 409]); // the first still unanswered (0)
    expect((await e.message()).unconfirmedSince).toEqual(firstMark);

    await recordReply(services(), e.workspaceId, { email: e.lead.email, campaignId: e.campaign.id, text: 'Interested!' });
    expect((await e.message()).status).toBe('unknown');
    await eventually(async () => double.answersHeld === 0, 10_000, 'the first request answered');
    expect(e.accepted()).toHaveLength(1);

    await eventFor(e, 'email.delivered');
    expect(await e.message()).toMatchObject({ status: 'delivered', providerId: e.accepted()[0]!.id });
    expect(await e.counters()).toMatchObject({ sent: 1, delivered: 1 });
  });

  const answers: { name: string; failure: Failure }[] = [
    { name: '429', failure: { status: 429, name: 'rate_limit_exceeded', message: 'Too many requests.' } },
    { name: '500', failure: { status: 500, name: 'application_error', message: 'Internal server error.' } },
    { name: '403 (the account)', failure: { status: 403, name: 'invalid_api_key', message: 'API key is invalid.' } },
  ];
  it.each(answers)('does not resend blind after the key expired when a retry was answered $name meanwhile', async ({ failure }) => {
    const e = await fixture.enrolled();
    await fixture.attemptWithoutAnswer(e.step);
    const firstMark = (await e.message()).unconfirmedSince;
    expect(e.accepted()).toHaveLength(1);

    clock.now = new Date(clock.now.getTime() + HOUR);
    double.failWhen((key) => key === e.key, failure);
    try {
      await fixture.activities.deliverStep(e.step).catch(() => undefined);
    } finally {
      double.clearFailures();
    }
    expect(e.posts().map((p) => p.status)).toEqual([200, failure.status]);
    expect((await e.message()).unconfirmedSince).toEqual(firstMark);

    // The sender is fixed (after a 403) and the campaign was paused for a day: the provider has forgotten the key.
    await e.db.senderAccount.updateMany({ where: { workspaceId: e.workspaceId }, data: { status: 'active', lastError: null } });
    clock.now = new Date(clock.now.getTime() + 25 * HOUR);
    double.advanceClock(26 * HOUR);
    expect((await fixture.activities.claimStep(e.step)).kind).toBe('attempt');
    expect(await fixture.activities.deliverStep(e.step)).toMatchObject({ kind: 'sent', unknown: true });
    expect(e.accepted()).toHaveLength(1);
    expect(e.posts()).toHaveLength(2);
    expect((await e.message()).status).toBe('unknown');
  });

  it.each(['email.delivered', 'email.bounced', 'email.complained'])('counts %s for a step settled cancelled as a send', async (type) => {
    const e = await fixture.enrolled();
    expect((await fixture.activities.claimStep(e.step)).kind).toBe('attempt');
    // Settled cancelled (as an erased mark left steps that had gone out); the provider then proves it went.
    await recordReply(services(), e.workspaceId, { email: e.lead.email, campaignId: e.campaign.id, text: 'Interested!' });
    expect((await e.message()).status).toBe('cancelled');

    const bounce = { bounce: { type: 'Permanent', message: '550 5.1.1 no such mailbox' } };
    expect(await eventFor(e, type, type === 'email.bounced' ? bounce : {})).toBe('processed');
    const message = await e.message();
    expect(message.sentAt).not.toBeNull();
    const expected = { 'email.delivered': { status: 'delivered', delivered: 1 }, 'email.bounced': { status: 'bounced', bounced: 1 }, 'email.complained': { status: 'sent', complained: 1 } }[type]!;
    const { status, ...counted } = expected;
    expect(message.status).toBe(status);
    expect(await e.counters()).toMatchObject({ sent: 1, delivered: 0, bounced: 0, complained: 0, ...counted });
  });
});
