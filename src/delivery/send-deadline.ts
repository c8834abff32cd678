import { SEND_BUDGET } from '../domain/send-budget.js';

const { activityMs, aroundMs, commitMs, guardMs, providerCallMs, slotWaitMs } = SEND_BUDGET;

/** A provider call was not begun: it could no longer end inside its transaction and activity. */
export class OutOfTimeError extends Error {
  constructor(what: string) {
    super(`the attempt ran out of its time before ${what}; no provider call was made`);
    this.name = 'OutOfTimeError';
  }
}

/**
 * The wall clock of one delivery attempt (SEND_BUDGET). A call may begin only while it can still
 * run its full provider timeout and be recorded before the transaction's timeout rolls back the
 * locks that guard it, and before the activity's timeout lets Temporal start the next attempt.
 * Real time, not the injected `now`: these are Prisma's and Temporal's timers.
 */
export class AttemptClock {
  private callBy: number;

  constructor(enteredAt = Date.now()) {
    this.callBy = enteredAt + activityMs - aroundMs - commitMs - providerCallMs;
  }

  /**
   * The transaction began: Prisma's timeout runs from about now. Taken in its callback, a moment
   * after Prisma started its timer; the commit's share of the budget covers that moment.
   */
  transactionBegan(at = Date.now()): void {
    this.callBy = Math.min(this.callBy, at + guardMs + slotWaitMs);
  }

  /** Throws unless a call may still begin after waiting `waitMs`. */
  ensureCanCall(what: string, waitMs = 0): void {
    if (Date.now() + waitMs > this.callBy) throw new OutOfTimeError(what);
  }

  /**
   * For the call: aborts it once it would outlive its transaction. A call begun in time is cut
   * by the transport's own timeout first; this one holds whatever that timeout is set to.
   */
  callSignal(): AbortSignal {
    return AbortSignal.timeout(Math.max(0, this.callBy + providerCallMs - Date.now()));
  }
}
