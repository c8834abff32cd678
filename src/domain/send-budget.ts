/**
 * One delivery attempt's time, as one chain (docs/decisions.md, 77), in one place: the workflow
 * takes the activity's timeout from here, deliverStep its transaction's, the Resend transport its
 * call's and the provider-rate limiter its longest wait.
 *
 * Why a chain: the attempt's transaction holds the lead and the campaign across the provider call,
 * so that no pause, reply or stop commits under a call. The call must therefore end (and be
 * recorded) before Prisma's transaction timeout rolls back and frees those rows, and the whole
 * attempt before Temporal's start-to-close timeout lets another attempt begin beside it:
 *
 *   pool wait + (guard + slot wait + provider call + commit = transaction) + around = activity
 *
 * deliverStep enforces it: a call begins only while it can still run its full timeout inside both
 * (see AttemptClock), so none begins after the transaction may have been rolled back.
 */

/** The provider call: Resend answers in well under a second; past this it is "no answer". */
const PROVIDER_CALL_MS = 15_000;
/** From the transaction's start to the call: the locks and the guard's reads. */
const GUARD_MS = 4_000;
/** Then the provider-rate slot: a slot further away is not waited for (the attempt comes back). */
const SLOT_WAIT_MS = 3_000;
/** After the call: recording the answer and committing. */
const COMMIT_MS = 2_000;
/** Prisma's timeout starts once the transaction has its connection (after the pool wait). */
const TRANSACTION_MS = GUARD_MS + SLOT_WAIT_MS + PROVIDER_CALL_MS + COMMIT_MS;
/** Prisma's maxWait: a connection for the transaction. */
const POOL_WAIT_MS = 2_000;
/** Outside the transaction: the mark before it; events, pending provider events and the guard's judgement after. */
const AROUND_MS = 4_000;

export const SEND_BUDGET = {
  providerCallMs: PROVIDER_CALL_MS,
  guardMs: GUARD_MS,
  slotWaitMs: SLOT_WAIT_MS,
  commitMs: COMMIT_MS,
  transactionMs: TRANSACTION_MS,
  poolWaitMs: POOL_WAIT_MS,
  aroundMs: AROUND_MS,
  /** deliverStep's start-to-close timeout: 30 s, as it was before the chain was written down. */
  activityMs: POOL_WAIT_MS + TRANSACTION_MS + AROUND_MS,
} as const;

/** The send retry policy; deliverStep estimates a lead's next attempt (`nextSendAt`) from it. */
export const SEND_RETRY = { initialIntervalMs: 5_000, backoffCoefficient: 2, maximumIntervalMs: 10 * 60_000 } as const;
