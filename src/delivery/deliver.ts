import type { Db, Tx } from '../db.js';
import type { Message } from '../generated/prisma/client.js';
import type { Logger } from '../logger.js';
import type { Sent, SendStepResult } from '../domain/step-result.js';
import { AccountMailError, KeyAlreadyUsedMailError, PermanentMailError, RetryableMailError, type Mailer, type OutgoingMail, type SendOutcome } from '../mail/mailer.js';
import { armedBySend, armedFrom, checkAutoPause } from '../campaigns/auto-pause.js';
import { endLocked } from '../leads/endings.js';
import { applyPendingProviderEvents } from '../replies/provider-events.js';
import { dispatchEvents, emitEvent, emitMessageSent, messageEventData, messageEvents, type StoredEvent } from '../webhooks/events.js';
import type { Orchestrator } from '../domain/orchestrator.js';
import { SEND_BUDGET, SEND_RETRY } from '../domain/send-budget.js';
import { TryAgainLater } from '../domain/try-again.js';
import { earlierCall, markAttempt, recordCall, withdrawMark, withdrawOwnMark, type Mark } from './attempt-mark.js';
import { AttemptClock, OutOfTimeError } from './send-deadline.js';
import { advance, advancePast, answerBlocked, settledResult } from './step-state.js';
import { keepCapsOnLeaving } from './carried.js';
import { takeCallTurn } from './paced-call.js';
import { outgoingMail } from './compose.js';
import { checkSendable, lockForSend, senderBlocked, type SendTarget } from './send-guard.js';
import { recordWait } from './waiting.js';
import { takeProviderSlot } from './provider-rate.js';
import { movesFrom } from '../domain/message-states.js';
import { localDay } from '../domain/schedule.js';

/**
 * Resend keeps an idempotency key 24 hours. Past that, a retry under the key could send a second
 * mail, so an attempt whose answer never came is not retried after this long (an hour's margin).
 */
export const PROVIDER_IDEMPOTENCY_WINDOW_MS = 23 * 60 * 60 * 1000;

export type DeliverDeps = {
  db: Db;
  mailer: Mailer;
  now: () => Date;
  publicUrl: string;
  orchestrator: Orchestrator;
  logger: Logger;
  /** SEND_RATE_LIMIT: provider calls per second across every worker; none without a limit. */
  sendRatePerSecond?: number | undefined;
};

type Attempted =
  | { kind: 'done'; result: SendStepResult; events?: StoredEvent[]; providerId?: string; replayed?: Message; judge?: boolean }
  | { kind: 'failed'; error: unknown; message: Message; target: SendTarget; mark: Mark | null }
  /** The provider's rate limit has no slot near enough: no call, come back then. */
  | { kind: 'rate'; retryInMs: number };

const done = (result: SendStepResult): Attempted => ({ kind: 'done', result });

/** One attempt as it goes: its step, its mark, its clock, and whether its provider call has begun. */
type Attempt = { enrollmentId: string; stepNumber: number; mark: Mark | null; clock: AttemptClock; called: boolean };

/**
 * One provider attempt at a claimed step, first or retry. Its transaction re-checks the guard and
 * holds the campaign (FOR SHARE) and enrollment (FOR UPDATE) rows across the provider call: a
 * pause cannot commit while a call is in flight, and every call begins after the guard passed
 * under those locks — so none begins after a pause's 200, a reply, a stop or an unsubscribe.
 * The wait this adds to a pause is bounded by the transaction's time (SEND_BUDGET), and no call
 * begins that could outlive it: once the transaction may have been rolled back, none begins.
 */
export async function deliverStep(deps: DeliverDeps, enrollmentId: string, stepNumber: number, attempt: number): Promise<SendStepResult> {
  const clock = new AttemptClock();
  // Marked before the transaction (see markAttempt); an attempt that does not call takes it back.
  const mark = await markAttempt(deps.db, enrollmentId, stepNumber, deps.now());
  const run: Attempt = { enrollmentId, stepNumber, mark, clock, called: false };
  const attempted = await deps.db
    .$transaction(
      (tx) => {
        clock.transactionBegan();
        return attemptInTx(deps, tx, run);
      },
      { timeout: SEND_BUDGET.transactionMs, maxWait: SEND_BUDGET.poolWaitMs },
    )
    .catch((error: unknown) => afterAbortedAttempt(deps, run, error));
  if (attempted.kind === 'failed') return handleFailure(deps, attempted, attempt);
  if (attempted.kind === 'rate') {
    const message = `the provider's rate limit (${deps.sendRatePerSecond}/s) is taken for the next ${attempted.retryInMs} ms`;
    throw new TryAgainLater(message, 'ProviderRateLimited', attempted.retryInMs);
  }
  if (attempted.replayed) {
    // An earlier attempt recorded the send but may have died before telling webhooks: tell them
    // again (deliveries are keyed by webhook and event, so none is sent twice).
    const m = attempted.replayed;
    await dispatchEvents(deps, await messageEvents(deps.db, m));
  }
  await dispatchEvents(deps, attempted.events ?? []);
  if (attempted.providerId) await applyPendingProviderEvents(deps, attempted.providerId);
  if (attempted.judge) await checkAutoPause(deps, (await deps.db.enrollment.findUniqueOrThrow({ where: { id: enrollmentId }, select: { campaignId: true } })).campaignId);
  return attempted.result;
}

/**
 * The transaction failed or was given up (its time ran out, a lost connection, a deadlock): an
 * attempt whose call never began takes its mark back; one whose call began leaves it (it may have
 * gone out). Out of time is retried by Temporal like any transient failure.
 */
async function afterAbortedAttempt(deps: DeliverDeps, run: Attempt, error: unknown): Promise<never> {
  if (!run.called) await withdrawMark(deps.db, run.mark).catch(() => undefined);
  if (error instanceof OutOfTimeError) throw new TryAgainLater(error.message, 'SendOutOfTime');
  throw error;
}

/**
 * Every call takes a slot under the provider's rate limit, as late as it can: after the guard, just
 * before the call, so the spacing the provider sees is not undone by lock waits in between. The
 * slot comes from its own connection (never this transaction's, which would hold the one row
 * across the call). Null: go now; else how long until the limit has room. A slot whose wait would
 * leave the call no time inside the transaction is not waited for (OutOfTimeError).
 */
async function waitForProviderSlot(deps: DeliverDeps, clock: AttemptClock): Promise<number | null> {
  if (!deps.sendRatePerSecond) return null;
  clock.ensureCanCall('taking a provider-rate slot');
  const slot = await takeProviderSlot(deps.db, deps.mailer.name, deps.sendRatePerSecond);
  if (slot.kind === 'later') return slot.retryInMs;
  clock.ensureCanCall('its provider-rate slot', slot.waitMs);
  if (slot.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, slot.waitMs));
  return null;
}

async function attemptInTx(deps: DeliverDeps, tx: Tx, run: Attempt): Promise<Attempted> {
  const { now, publicUrl } = deps;
  const { enrollmentId, stepNumber, mark } = run;
  const target = await lockForSend(tx, enrollmentId);
  // After the locks: a lock waited for (a pause, a turn of the workspace's day) may have taken a while.
  const at = now();
  if (!target) return done({ kind: 'ended', status: 'stopped', reason: 'enrollment deleted' });
  const found = await tx.message.findUnique({ where: { enrollmentId_stepNumber: { enrollmentId, stepNumber } } });
  // Never claimed (nothing to send yet): the workflow claims it again now.
  if (!found) return done({ kind: 'deferred', reason: 'delay', until: at.toISOString() });
  const message = await withdrawOwnMark(tx, found, mark);
  const settled = settledResult(message, target.enrollment.status);
  if (settled) {
    if (settled.kind !== 'sent') return { kind: 'done', result: settled, replayed: message };
    return { kind: 'done', ...(await advancePast(tx, target, stepNumber, settled)), replayed: message };
  }
  const blocked = (await checkSendable(tx, target, at)) ?? (await senderBlocked(tx, target));
  if (blocked) {
    // No call: the row says again what the earlier attempts left, so a lead ended right here has its
    // step settled as never sent (cancelled) unless an earlier call may have sent it.
    await withdrawMark(tx, mark);
    return done(await answerBlocked(tx, target, blocked, at));
  }
  // An earlier attempt's call that may have sent it: a retry repeats that call under its key.
  const unconfirmedBefore = mark?.before ? await earlierCall(tx, message.id, mark.marks) : null;
  if (unconfirmedBefore && at.getTime() - unconfirmedBefore.getTime() >= PROVIDER_IDEMPOTENCY_WINDOW_MS) {
    const unknown = await tx.message.update({ where: { id: message.id, status: { in: movesFrom('outcomeLost') } }, data: { status: 'unknown' } });
    const settledUnknown = settledResult(unknown, target.enrollment.status) as Sent;
    return { kind: 'done', ...(await advancePast(tx, target, stepNumber, settledUnknown)) };
  }
  // Caps count on the day the mail leaves: a step claimed earlier moves its reservation here, or waits.
  const capped = await keepCapsOnLeaving(tx, target, message, at, unconfirmedBefore !== null);
  if (capped) {
    await withdrawMark(tx, mark);
    return done(await answerBlocked(tx, target, capped, at));
  }
  const mail = await outgoingMail(tx, message, publicUrl);
  const retryInMs = await waitForProviderSlot(deps, run.clock);
  if (retryInMs !== null) {
    await withdrawMark(tx, mark);
    await recordWait(tx, target.enrollment.id, 'provider_rate', new Date(at.getTime() + retryInMs), at);
    return { kind: 'rate', retryInMs };
  }
  // A retry of a call that may have sent is no new mail: the gap was the first call's to keep.
  const paced = unconfirmedBefore ? null : await takeCallTurn(tx, message.senderAccountId ?? target.enrollment.senderAccountId, deps.now());
  if (paced) {
    await withdrawMark(tx, mark);
    return done(await answerBlocked(tx, target, paced, at));
  }
  // Midnight may have come during the waits since the caps were judged: then they are judged again
  // (a retry, rolled back to here), so the mail counts on the day it leaves (SPEC §9).
  if (!unconfirmedBefore && dayTurnedSince(target, at, deps.now())) throw new TryAgainLater('the day turned between the caps check and the call', 'DayTurned', DAY_TURN_RETRY_MS);
  return callProvider(deps, tx, run, { message, target, mail });
}

const DAY_TURN_RETRY_MS = 100;
const dayTurnedSince = (target: SendTarget, checkedAt: Date, now: Date) => localDay(checkedAt, target.campaign.timezone) !== localDay(now, target.campaign.timezone);

/** The call itself, begun only while it can still end inside the transaction; then its record. */
async function callProvider(deps: DeliverDeps, tx: Tx, run: Attempt, { message, target, mail }: { message: Message; target: SendTarget; mail: OutgoingMail }): Promise<Attempted> {
  await recordCall(deps.db, message.id, run.mark, deps.now());
  // Nothing is awaited between this check and the call's start.
  run.clock.ensureCanCall('the provider call');
  run.called = true;
  let outcome: SendOutcome;
  try {
    outcome = await deps.mailer.send(mail, { signal: run.clock.callSignal() });
  } catch (error) {
    return { kind: 'failed', error, message, target, mark: run.mark };
  }
  const sentAt = deps.now();
  const { events, completed } = await recordSent(tx, target, message, outcome, sentAt);
  const result: Sent = { kind: 'sent', messageId: message.id, sentAt: sentAt.toISOString(), ...(completed ? { completed } : {}) };
  return { kind: 'done', result, events, providerId: outcome.providerId, judge: await armsGuard(tx, target, sentAt) };
}

/** Whether this send arms a deliverability guard after harm already landed: then the rates are judged now. */
function armsGuard(tx: Tx, target: SendTarget, now: Date): Promise<boolean> {
  const { campaignId, workspaceId } = target.enrollment;
  return armedBySend(tx, { campaignId, workspaceId, campaignArmedAt: armedFrom(target.campaign), now });
}

async function recordSent(tx: Tx, target: SendTarget, message: Message, outcome: SendOutcome, sentAt: Date): Promise<{ events: StoredEvent[]; completed: boolean }> {
  const { count } = await tx.message.updateMany({
    where: { id: message.id, status: { in: movesFrom('accepted') } },
    data: {
      status: outcome.delivered ? 'delivered' : 'sent',
      providerId: outcome.providerId,
      sentAt,
      unconfirmedSince: null,
      ...(outcome.delivered ? { deliveredAt: sentAt } : {}),
    },
  });
  await tx.providerCall.deleteMany({ where: { messageId: message.id } });
  // A provider event matched by the message tag may have recorded it first, with its events.
  const data = messageEventData(message);
  const told = count === 0 ? [] : [await emitMessageSent(tx, message)];
  if (count > 0 && outcome.delivered) told.push(await emitEvent(tx, message.workspaceId, 'message.delivered', data));
  // After the message's events, so a feed reader sees the send before the lead's completion.
  const { completed } = await advance(tx, target, message.stepNumber, sentAt);
  return { events: completed ? [...told, completed] : told, completed: !!completed };
}

/** Estimated from the send retry policy (or the provider's Retry-After), for `nextSendAt`. */
function nextRetryAt(now: Date, attempt: number, retryAfterMs: number | undefined): Date {
  const backoff = Math.min(SEND_RETRY.initialIntervalMs * SEND_RETRY.backoffCoefficient ** (attempt - 1), SEND_RETRY.maximumIntervalMs);
  return new Date(now.getTime() + (retryAfterMs ?? backoff));
}

async function handleFailure(deps: DeliverDeps, failed: Extract<Attempted, { kind: 'failed' }>, attempt: number): Promise<SendStepResult> {
  const { db, now, logger } = deps;
  const { error, message, target, mark } = failed;
  const at = now();
  if (error instanceof RetryableMailError) {
    // An answer, even an error, means the provider did not take the mail from this attempt; it
    // says nothing of an earlier one left unanswered (its mark stays, SPEC §9).
    if (error.answered) await withdrawMark(db, mark);
    await recordWait(db, target.enrollment.id, 'provider_retry', nextRetryAt(at, attempt, error.retryAfterMs), at);
    // Temporal retries the activity, which re-checks the guard first; Retry-After sets the pause.
    throw new TryAgainLater(error.message, 'MailTransient', error.retryAfterMs);
  }
  if (error instanceof AccountMailError) {
    await db.$transaction(async (tx) => {
      await withdrawMark(tx, mark);
      const senderId = target.enrollment.senderAccountId;
      if (senderId) await tx.senderAccount.updateMany({ where: { id: senderId }, data: { status: 'error', lastError: error.message, lastErrorAt: at } });
      await recordWait(tx, target.enrollment.id, 'sender_unavailable', null, at);
    });
    logger.error({ messageId: message.id, senderAccountId: target.enrollment.senderAccountId, reason: error.message }, 'the provider refused the sender account');
    return { kind: 'deferred', reason: 'sender_unavailable', until: null };
  }
  if (error instanceof KeyAlreadyUsedMailError) return settleUnknown(deps, failed);
  if (!(error instanceof PermanentMailError)) throw error;
  await db.$transaction(async (tx) => {
    if (!(await lockForSend(tx, target.enrollment.id))) return;
    await tx.message.updateMany({ where: { id: message.id, status: { in: movesFrom('refused') } }, data: { status: 'failed', failureReason: error.message, unconfirmedSince: null } });
    await endLocked(tx, [target.enrollment.id], 'failed', error.message, at);
  });
  logger.warn({ messageId: message.id, reason: error.message }, 'message failed permanently');
  return { kind: 'ended', status: 'failed', reason: error.message };
}

/**
 * The provider saw this step's key before with another payload: an earlier attempt reached it and
 * may have sent the mail. Settled `unknown` (it may have gone; never retried, decision 75),
 * and the lead moves on as after a send.
 */
async function settleUnknown(deps: DeliverDeps, { error, message, target }: Extract<Attempted, { kind: 'failed' }>): Promise<SendStepResult> {
  const reason = (error as Error).message;
  const settled = await deps.db.$transaction(async (tx) => {
    const locked = await lockForSend(tx, target.enrollment.id);
    if (!locked) return null;
    // A provider event may have settled it meanwhile (matched by its tag): that answer stands.
    await tx.message.updateMany({ where: { id: message.id, status: { in: movesFrom('outcomeLost') } }, data: { status: 'unknown', failureReason: reason } });
    const row = await tx.message.findUniqueOrThrow({ where: { id: message.id } });
    const settled = settledResult(row, locked.enrollment.status)!;
    return settled.kind === 'sent' ? advancePast(tx, locked, message.stepNumber, settled) : { result: settled, events: [] };
  });
  deps.logger.warn({ messageId: message.id, reason }, 'the provider had this message\'s key with another payload: settled unknown');
  if (!settled) return { kind: 'ended', status: 'stopped', reason: 'enrollment deleted' };
  await dispatchEvents(deps, settled.events);
  return settled.result;
}
