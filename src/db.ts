import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from './generated/prisma/client.js';

export type Db = PrismaClient;
export { Prisma } from './generated/prisma/client.js';
/** A client inside an interactive transaction. */
export type Tx = Prisma.TransactionClient;

/**
 * For transactions that may wait on rows others hold: an enrollment or campaign row a send holds
 * across its provider call (at most the provider timeout), a busy campaign's counter row. Prisma's
 * default 5 s would give up first.
 */
export const MAY_WAIT_FOR_LOCKS = { timeout: 30_000, maxWait: 10_000 } as const;

/**
 * One client per process: entry points build it once and pass it in. `waitForConnectionMs`: how
 * long a query waits for a free connection (the API fails fast with a 503; the worker queues).
 */
export function createDb(connectionString: string, options: { max?: number; waitForConnectionMs?: number } = {}): Db {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString, max: options.max ?? 10, connectionTimeoutMillis: options.waitForConnectionMs ?? 5_000 }),
  });
}

// PostgreSQL's deadlock_detected and serialization_failure: the transaction was rolled back whole
// and may simply be run again.
const RETRYABLE_CODES = new Set(['40P01', '40001']);

function isRetryableConflict(err: unknown): boolean {
  const e = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } } | null;
  const code = e?.meta?.driverAdapterError?.cause?.originalCode ?? e?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

/**
 * Runs a transaction again (up to `attempts` times, with a short random pause) when PostgreSQL
 * aborted it as a deadlock victim or a serialization failure; anything else is thrown at once.
 */
export async function retryOnConflict<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= attempts || !isRetryableConflict(err)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}
