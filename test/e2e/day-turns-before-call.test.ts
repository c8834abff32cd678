import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startResendDouble, type ResendDouble } from '../resend-double/server.js';
import { sendFixture } from '../helpers/send-fixture.js';

/**
 * SPEC §9 "Caps are caps on the day a mail leaves", at a midnight of the clock: an attempt judges
 * the day's caps under its locks, then may wait (for the provider's rate limit) before its call.
 * Midnight in that wait must not let the mail leave on the new day counted on the old one.
 */
describe('midnight between the caps check and the provider call', () => {
  let double: ResendDouble;
  beforeAll(async () => {
    double = await startResendDouble();
  });
  afterAll(() => double.close());

  it('judges the caps again on the new day: the mail counts on the day it leaves', async () => {
    // A clock set to an hour of 26 November (UTC, the workspace's day), moved on as the test says.
    const midnight = Date.parse('2026-11-27T00:00:00Z');
    let offset = midnight - 12 * 3_600_000 - Date.now();
    const clock = {
      get now() {
        return new Date(Date.now() + offset);
      },
    };
    const provider = `resend-${Math.random().toString(36).slice(2, 10)}`;
    const { activities: acts } = sendFixture(double, clock, { provider, config: { SEND_RATE_LIMIT: 1 } });
    const { db, workspaceId, step, key } = await sendFixture(double, clock).enrolled();
    expect(await acts.claimStep(step)).toMatchObject({ kind: 'attempt' });
    // Another worker took the provider's next slot: this attempt's call waits 800 ms for its own, past midnight.
    await db.$executeRaw`INSERT INTO "ProviderRate" (provider, "nextSlotAt") VALUES (${provider}, clock_timestamp() + interval '800 milliseconds')`;
    offset = midnight - 400 - Date.now();

    const turned = await acts.deliverStep(step).then(() => null, (error: unknown) => error);
    expect(turned, 'the attempt whose day turned before its call').toMatchObject({ type: 'DayTurned' });
    expect(double.posts.filter((p) => p.idempotencyKey === key)).toEqual([]);
    const sender = await db.senderAccount.findFirstOrThrow({ where: { workspaceId } });
    const usage = () => db.senderDailyUsage.findMany({ where: { senderAccountId: sender.id }, select: { day: true, used: true }, orderBy: { day: 'asc' } });
    expect(await usage()).toEqual([{ day: '2026-11-26', used: 1 }]);
    expect(await db.providerCall.count({ where: { message: { enrollmentId: step.enrollmentId } } })).toBe(0);

    // Temporal's retry: the reservation moves to the new day, and the mail leaves on it.
    expect(await acts.deliverStep(step)).toMatchObject({ kind: 'sent' });
    const message = await db.message.findUniqueOrThrow({ where: { enrollmentId_stepNumber: step } });
    expect({ reservedDay: message.reservedDay, sentOn: message.sentAt!.toISOString().slice(0, 10) }).toEqual({ reservedDay: '2026-11-27', sentOn: '2026-11-27' });
    expect(await usage()).toEqual([{ day: '2026-11-26', used: 0 }, { day: '2026-11-27', used: 1 }]);
  }, 30_000);
});
