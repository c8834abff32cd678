import pg from 'pg';
import { inject } from 'vitest';

export type Statement = { text: string; values?: unknown[] };

const connect = async () => {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  return client;
};

/** Polls `check` (every 10 ms) until it holds. */
async function until(check: () => Promise<boolean>, timeoutMs: number, label: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${label} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Runs each list of statements in a transaction of its own, on a connection of its own, all at the
 * same time. Two barriers make them overlap for real instead of by luck: every transaction has
 * begun before any of them writes, and none commits before every one has written or waits for a
 * lock another one holds. Answers each transaction's error (it was rolled back), or null.
 */
export async function race(transactions: Statement[][], timeoutMs = 20_000): Promise<(Error | null)[]> {
  const clients = await Promise.all(transactions.map(connect));
  const monitor = await connect();
  try {
    const pids = await Promise.all(clients.map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
    await Promise.all(clients.map((c) => c.query('BEGIN')));
    let finished = 0;
    const outcomes = transactions.map(async (statements, i) => {
      try {
        for (const s of statements) await clients[i]!.query(s);
        return null;
      } catch (err) {
        return err as Error;
      } finally {
        finished++;
      }
    });
    const waiting = async () =>
      (await monitor.query<{ n: number }>('SELECT count(*)::int AS n FROM unnest($1::int[]) p WHERE cardinality(pg_blocking_pids(p)) > 0', [pids])).rows[0]!.n;
    // A transaction between two of its statements is neither: the state is stable only when none is.
    await until(async () => finished + (await waiting()) === transactions.length, timeoutMs, 'every transaction written or waiting');
    // Each ends once its own writes are done; those waiting go on as the others commit.
    return await Promise.all(outcomes.map(async (outcome, i) => {
      const error = await outcome;
      await clients[i]!.query(error ? 'ROLLBACK' : 'COMMIT');
      return error;
    }));
  } finally {
    await Promise.all([...clients, monitor].map((c) => c.end()));
  }
}
