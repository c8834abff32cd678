import type { Db } from '../db.js';
import { SEND_BUDGET } from '../domain/send-budget.js';

/**
 * The longest an attempt waits in the activity for its slot. Past it the attempt is retried later
 * instead: the wait is one link of the send's time budget, before the provider call's own.
 */
export const MAX_SLOT_WAIT_MS = SEND_BUDGET.slotWaitMs;

export type ProviderSlot = { kind: 'now'; waitMs: number } | { kind: 'later'; retryInMs: number };

/**
 * Takes the provider's next free slot, held in PostgreSQL so every worker process shares one
 * limit: slots are 1/rate apart on one virtual clock (the database's), and an attempt takes the
 * next only if it is at most MAX_SLOT_WAIT_MS away; otherwise it is told when to come back. One
 * statement on one row: a slot is never given twice, whichever process asks.
 */
export async function takeProviderSlot(db: Db, provider: string, perSecond: number): Promise<ProviderSlot> {
  const intervalUs = Math.max(1, Math.round(1_000_000 / perSecond));
  const [taken] = await db.$queryRaw<{ waitMs: number }[]>`
    INSERT INTO "ProviderRate" AS r (provider, "nextSlotAt") VALUES (${provider}, clock_timestamp() + make_interval(secs => ${intervalUs} / 1e6))
    ON CONFLICT (provider) DO UPDATE SET "nextSlotAt" = GREATEST(r."nextSlotAt", clock_timestamp()) + make_interval(secs => ${intervalUs} / 1e6)
     WHERE r."nextSlotAt" <= clock_timestamp() + make_interval(secs => ${MAX_SLOT_WAIT_MS} / 1e3)
    RETURNING (EXTRACT(EPOCH FROM (r."nextSlotAt" - clock_timestamp())) * 1000 - ${intervalUs} / 1e3)::float8 AS "waitMs"`;
  if (taken) return { kind: 'now', waitMs: Math.max(0, taken.waitMs) };
  const [queue] = await db.$queryRaw<{ aheadMs: number }[]>`
    SELECT (EXTRACT(EPOCH FROM ("nextSlotAt" - clock_timestamp())) * 1000)::float8 AS "aheadMs" FROM "ProviderRate" WHERE provider = ${provider}`;
  return { kind: 'later', retryInMs: Math.max(100, Math.ceil((queue?.aheadMs ?? 0) - MAX_SLOT_WAIT_MS)) };
}
