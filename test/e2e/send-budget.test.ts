import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockEnrollments } from '../../src/leads/endings.js';
import { startResendDouble, type ResendDouble } from '../resend-double/server.js';
import { backendPid, longestWaitBehind } from '../helpers/barriers.js';
import { sendFixture } from '../helpers/send-fixture.js';
import { eventually } from '../helpers/worker.js';


/**
 * A send's transaction holds the lead and the campaign across its provider call: that is what
 * keeps a pause, a reply or a stop from committing under a call. Once the transaction's time is
 * up (Prisma rolls it back and the locks go), no call may begin any more.
 */
describe('a provider call never begins after its transaction ran out of time', () => {
  let double: ResendDouble;
  beforeAll(async () => {
    double = await startResendDouble();
  });
  afterAll(() => double.close());

  it('makes no call when the guard and the provider-rate wait outlast the transaction', async () => {
    const provider = `resend-budget-${Math.random().toString(36).slice(2, 10)}`;
    const fixture = sendFixture(double, { now: new Date() }, { provider, config: { SEND_RATE_LIMIT: 1 } });
    const e = await fixture.enrolled();
    expect((await fixture.activities.claimStep(e.step)).kind).toBe('attempt');

    // Another writer holds the lead for 23.5 s (the guard waits), then the provider's next slot is
    // 2.8 s away (the attempt waits again): together past the transaction's time (25 s before the
    // budget was one chain, when the call still began ~1.3 s after the rollback; 24 s now).
    let delivering!: Promise<unknown>;
    await e.db.$transaction(
      async (tx) => {
        await lockEnrollments(tx, [e.enrollment.id]);
        delivering = fixture.activities.deliverStep(e.step).then(
          (result) => result,
          (error: unknown) => error,
        );
        await eventually(async () => (await e.message()).unconfirmedSince !== null, 10_000, 'the attempt marked the step');
        // Not a fixed sleep: until the attempt itself has waited 23.5 s behind this lock.
        const holder = await backendPid(tx);
        await eventually(async () => (await longestWaitBehind(e.db, holder)) >= 23_500, 40_000, 'the attempt waited 23.5 s for the lead');
        await e.db.$executeRaw`INSERT INTO "ProviderRate" (provider, "nextSlotAt") VALUES (${provider}, clock_timestamp() + interval '2.8 seconds')`;
      },
      { timeout: 60_000 },
    );
    const outcome = await delivering;
    expect(outcome).toBeInstanceOf(Error);
    expect(e.posts()).toEqual([]);
    // No call began: the attempt's own mark is gone again, so an ending now would cancel the step.
    expect(await e.message()).toMatchObject({ status: 'sending', unconfirmedSince: null });
  }, 60_000);
});
