import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordReply } from '../../src/replies/intake.js';
import { endLocked, lockEnrollments } from '../../src/leads/endings.js';
import { startResendDouble, type ResendDouble } from '../resend-double/server.js';
import { testDeps } from '../helpers/deps.js';
import { HOUR, sendFixture } from '../helpers/send-fixture.js';
import { eventually } from '../helpers/worker.js';
import { temporalOrchestrator } from '../../src/workflows/client.js';

// The services with no task queue anyone polls: their signals find no workflow, which is fine here.
const services = () => ({ db: testDeps().db, orchestrator: temporalOrchestrator({ client: testDeps().temporal, taskQueue: 'none' }), now: () => new Date() });

/**
 * Attempts whose answer never comes (SPEC §9): the provider took the mail, the caller never heard.
 * The activities run directly with a clock the test moves, against the Resend double.
 */
describe('an attempt whose outcome is unknown is never resent blind', () => {
  let double: ResendDouble;
  const clock = { now: new Date('2026-11-30T10:00:00Z') };
  let activities: ReturnType<typeof sendFixture>['activities'];
  // A second worker whose PUBLIC_URL differs (the API moved): its retries must send the same mail.
  let movedActivities: typeof activities;
  let fixture: ReturnType<typeof sendFixture>;

  beforeAll(async () => {
    double = await startResendDouble();
    fixture = sendFixture(double, clock);
    activities = fixture.activities;
    movedActivities = sendFixture(double, clock, { config: { PUBLIC_URL: 'https://moved.example.com' } }).activities;
  });
  afterAll(() => double.close());

  const enrolled = () => fixture.enrolled();
  const attemptWithoutAnswer = (step: { enrollmentId: string; stepNumber: number }) => fixture.attemptWithoutAnswer(step);

  it('keeps the step unconfirmed, and a retry under the same key records one send', async () => {
    const e = await enrolled();
    await attemptWithoutAnswer(e.step);
    expect(await e.message()).toMatchObject({ status: 'sending', unconfirmedSince: clock.now });
    expect(e.accepted()).toHaveLength(1);

    clock.now = new Date(clock.now.getTime() + HOUR);
    expect(await activities.deliverStep(e.step)).toMatchObject({ kind: 'sent' });
    expect(e.accepted()).toHaveLength(1); // the provider answered the retry from its idempotency record
    expect(await e.message()).toMatchObject({ status: 'sent', unconfirmedSince: null, providerId: e.accepted()[0]!.id });
    expect(await e.sent()).toBe(1);
  });

  it('retries byte for byte the first attempt, even from a worker whose PUBLIC_URL has changed since', async () => {
    const e = await enrolled();
    await attemptWithoutAnswer(e.step);
    const first = e.accepted()[0]!;
    expect(first.headers['List-Unsubscribe']).toBe(`<${(await e.message()).unsubscribeUrl}>`);

    clock.now = new Date(clock.now.getTime() + HOUR);
    const posts = double.posts.length;
    expect(await movedActivities.deliverStep(e.step)).toMatchObject({ kind: 'sent' });
    // The provider saw the same key and the same payload: it answered from its record (200), no 409.
    expect(double.posts.slice(posts).map((p) => p.status)).toEqual([200]);
    expect(e.accepted()).toHaveLength(1);
    expect(await e.message()).toMatchObject({ status: 'sent', providerId: first.id });
  });

  it('settles a step as unknown, not failed, when the provider had its key with another payload (409)', async () => {
    const e = await enrolled();
    double.failWhen((key) => key === `${e.enrollment.id}/1`, { status: 409, name: 'invalid_idempotent_request', message: 'Same idempotency key used with a different request payload.' });
    try {
      expect((await activities.claimStep(e.step)).kind).toBe('attempt');
      expect(await activities.deliverStep(e.step)).toMatchObject({ kind: 'sent', unknown: true, completed: true });
    } finally {
      double.clearFailures();
    }
    expect(await e.message()).toMatchObject({ status: 'unknown', failureReason: expect.stringMatching(/409 invalid_idempotent_request/) });
    expect(await e.db.enrollment.findUniqueOrThrow({ where: { id: e.enrollment.id } })).toMatchObject({ status: 'completed', currentStep: 1 });
    // Settled: another attempt calls nobody and answers the same.
    const posts = double.posts.length;
    expect(await activities.deliverStep(e.step)).toMatchObject({ kind: 'sent', unknown: true });
    expect(double.posts.length).toBe(posts);
  });

  it('settles the step as unknown, not cancelled, when the lead ends after an unanswered attempt; a provider event then tells', async () => {
    const e = await enrolled();
    await attemptWithoutAnswer(e.step);
    await recordReply(services(), e.workspaceId, { email: e.lead.email, campaignId: e.campaign.id, text: 'Interested!' });
    expect((await e.message()).status).toBe('unknown');
    expect(await activities.deliverStep(e.step)).toMatchObject({ kind: 'sent', unknown: true });
    expect(e.accepted()).toHaveLength(1);
    expect(await e.sent()).toBe(0);

    // The provider's delivered event, matched by the message tag, settles it: it went out.
    const { handleResendEvent } = await import('../../src/replies/provider-events.js');
    const tags = Object.fromEntries(e.accepted()[0]!.tags.map((t) => [t.name, t.value]));
    await handleResendEvent(services(), null, `msg_${Date.now()}`, {
      type: 'email.delivered',
      created_at: clock.now.toISOString(),
      data: { email_id: e.accepted()[0]!.id, tags },
    });
    expect(await e.message()).toMatchObject({ status: 'delivered', providerId: e.accepted()[0]!.id });
    expect(await e.sent()).toBe(1);
  });

  it('does not retry an unanswered attempt after the provider forgets its key (24 h): the step becomes unknown, nothing is sent again', async () => {
    const e = await enrolled();
    await attemptWithoutAnswer(e.step);
    // The campaign was paused the next 25 hours; on resume the step's outcome is still unknown.
    const posts = double.posts.length;
    clock.now = new Date(clock.now.getTime() + 25 * HOUR);
    expect(await activities.claimStep(e.step)).toMatchObject({ kind: 'attempt' });
    expect(await activities.deliverStep(e.step)).toMatchObject({ kind: 'sent', unknown: true });
    expect(double.posts.length).toBe(posts);
    expect(await e.message()).toMatchObject({ status: 'unknown' });
    expect(await e.db.enrollment.findUniqueOrThrow({ where: { id: e.enrollment.id } })).toMatchObject({ currentStep: 1 });
  });

  it('cancels, not marks unknown, a step the provider answered with an error before the lead ended', async () => {
    const e = await enrolled();
    double.failWhen((key) => key === `${e.enrollment.id}/1`, { status: 500, name: 'application_error' });
    expect((await activities.claimStep(e.step)).kind).toBe('attempt');
    await expect(activities.deliverStep(e.step)).rejects.toThrow(/500/);
    double.clearFailures();
    expect((await e.message()).unconfirmedSince).toBeNull();
    await recordReply(services(), e.workspaceId, { email: e.lead.email, campaignId: e.campaign.id, text: 'Interested!' });
    expect((await e.message()).status).toBe('cancelled');
    expect(await activities.deliverStep(e.step)).toMatchObject({ kind: 'ended', status: 'replied' });
    expect(e.accepted()).toEqual([]);
  });
  it('cancels, not marks unknown, a step whose attempt had marked it but met the ending before it could call', async () => {
    const e = await enrolled();
    expect((await activities.claimStep(e.step)).kind).toBe('attempt');
    // The stop holds the lead while the attempt marks the step and waits for the lead; it ends the
    // lead with the mark already on the row, and only then lets the attempt look.
    let delivering!: ReturnType<typeof activities.deliverStep>;
    await e.db.$transaction(async (tx) => {
      await lockEnrollments(tx, [e.enrollment.id]);
      delivering = activities.deliverStep(e.step);
      await eventually(async () => (await e.message()).unconfirmedSince !== null, 10_000, 'the attempt marked the step');
      await endLocked(tx, [e.enrollment.id], 'stopped', 'stopped by API', clock.now);
    });
    expect(await delivering).toMatchObject({ kind: 'ended', status: 'stopped' });
    expect(e.accepted()).toEqual([]);
    expect(await e.message()).toMatchObject({ status: 'cancelled', unconfirmedSince: null });
  });

  it('keeps unknown a step two overlapping attempts marked: neither can vouch that the other did not call', async () => {
    const e = await enrolled();
    expect((await activities.claimStep(e.step)).kind).toBe('attempt');
    let attempts!: Promise<unknown>[];
    await e.db.$transaction(async (tx) => {
      await lockEnrollments(tx, [e.enrollment.id]);
      attempts = [activities.deliverStep(e.step), activities.deliverStep(e.step)];
      await eventually(async () => (await e.message()).unconfirmedMarks === 2, 10_000, 'both attempts marked the step');
      await endLocked(tx, [e.enrollment.id], 'stopped', 'stopped by API', clock.now);
    });
    for (const result of await Promise.all(attempts)) expect(result).toMatchObject({ kind: 'sent', unknown: true });
    expect(await e.message()).toMatchObject({ status: 'unknown' });
  });
});
