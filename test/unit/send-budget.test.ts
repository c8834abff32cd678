import { describe, expect, it } from 'vitest';
import { SEND_BUDGET } from '../../src/domain/send-budget.js';
import { AttemptClock, OutOfTimeError } from '../../src/delivery/send-deadline.js';
import { MAX_SLOT_WAIT_MS } from '../../src/delivery/provider-rate.js';
import { PROVIDER_TIMEOUT_MS } from '../../src/mail/resend-transport.js';

describe('one delivery attempt runs on one time budget', () => {
  it('fits the call and its record inside the transaction, and the transaction inside the activity', () => {
    const b = SEND_BUDGET;
    expect(b.guardMs + b.slotWaitMs + b.providerCallMs + b.commitMs).toBeLessThanOrEqual(b.transactionMs);
    expect(b.poolWaitMs + b.transactionMs).toBeLessThan(b.activityMs);
    expect(b.activityMs).toBe(30_000);
    // The links the transport and the rate limiter use are the same numbers, not copies.
    expect(PROVIDER_TIMEOUT_MS).toBe(b.providerCallMs);
    expect(MAX_SLOT_WAIT_MS).toBe(b.slotWaitMs);
  });

  it('lets a call begin only while it can still run its full timeout before the transaction ends', () => {
    const clock = new AttemptClock();
    clock.transactionBegan();
    expect(() => clock.ensureCanCall('the call')).not.toThrow();
    expect(() => clock.ensureCanCall('a slot', SEND_BUDGET.guardMs)).not.toThrow();
    expect(() => clock.ensureCanCall('a slot', SEND_BUDGET.guardMs + SEND_BUDGET.slotWaitMs + 1)).toThrow(OutOfTimeError);

    const late = new AttemptClock();
    late.transactionBegan(Date.now() - SEND_BUDGET.guardMs - SEND_BUDGET.slotWaitMs - 1);
    expect(() => late.ensureCanCall('the call')).toThrow(/no provider call was made/);
  });

  it('counts the time before the transaction (the mark, the pool wait) against the activity', () => {
    const clock = new AttemptClock(Date.now() - (SEND_BUDGET.activityMs - SEND_BUDGET.aroundMs - SEND_BUDGET.commitMs - SEND_BUDGET.providerCallMs) - 1);
    clock.transactionBegan();
    expect(() => clock.ensureCanCall('the call')).toThrow(OutOfTimeError);
  });
});
