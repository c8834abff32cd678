import { beforeAll, describe, expect, it } from 'vitest';
import { wakeSignal } from '../../src/workflows/contract.js';
import { ONE_STEP, startEdgeStack } from '../helpers/edge-stack.js';
import { enrollmentHistory } from '../helpers/history.js';
import { eventually } from '../helpers/worker.js';

const REFUSED = { status: 401, name: 'missing_api_key', message: 'Missing API key in the authorization header.' };

/**
 * SPEC §10 "no herd": a lead whose thread sender is in `error` is held by its claim, which costs no
 * provider-rate token, not by a delivery task on the rate-limited send queue each time it re-checks.
 */
describe('a lead held for its sender in error (real worker, real database, the Resend double)', () => {
  let stack: Awaited<ReturnType<typeof startEdgeStack>>;
  beforeAll(async () => {
    stack = await startEdgeStack();
  });

  it('re-checks at the claim without a delivery task, and sends the held step once the sender is fixed', async () => {
    const c = await stack.campaign(ONE_STEP);
    const enrollment = c.enrollmentOf(c.emails[0]!);
    stack.double.failWhen((key) => key === `${enrollment.id}/1`, REFUSED);
    const history = enrollmentHistory(stack.deps.temporal, enrollment.id);
    // The refusal put the sender in error and the lead to sleep until told.
    await eventually(async () => (await stack.deps.db.senderAccount.findUniqueOrThrow({ where: { id: c.sender.id } })).status === 'error', 30_000, 'sender in error');
    await eventually(() => history.asleep(), 30_000, 'asleep until told');
    stack.double.clearFailures();
    const sleeps = await history.sleeps();
    const deliveries = await history.deliveries();

    // Each wake is a re-check (as the hourly one is); it is over once the workflow sleeps again.
    for (let i = 1; i <= 3; i++) {
      await history.handle.signal(wakeSignal);
      await eventually(async () => (await history.sleeps()) === sleeps + i && (await history.asleep()), 30_000, `re-check ${i} over`);
    }
    expect((await history.deliveries()) - deliveries).toBe(0);
    expect(await stack.deps.db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id } })).toMatchObject({ waitingFor: 'sender_unavailable', nextSendAt: null });
    expect(stack.postsFor(enrollment.id)).toHaveLength(1);

    expect((await c.api.patch(`/v1/sender-accounts/${c.sender.id}`, { status: 'active' })).body.data.status).toBe('active');
    await eventually(async () => (await stack.message(enrollment.id, 1))?.status === 'sent', 30_000, 'sent after the fix');
    expect(stack.acceptedFor(enrollment.id)).toHaveLength(1);
    expect((await history.deliveries()) - deliveries).toBe(1);
  }, 60_000);
});
