import type { Db } from '../db.js';
import type { PruneTarget } from '../domain/retention.js';

/**
 * Deletes at most `limit` rows of `target` created before `cutoff`, oldest first, in one short
 * statement: a run of the pruning workflow calls it batch after batch, so no run holds locks on a
 * large table for long. Rows another transaction holds are skipped (the next batch or run takes
 * them). Both tables have an index on createdAt for the inner SELECT.
 */
export async function pruneBatch(db: Db, target: PruneTarget, cutoff: Date, limit: number): Promise<number> {
  if (target === 'idempotency') {
    return db.$executeRaw`
      DELETE FROM "IdempotencyRecord" WHERE ("workspaceId", key) IN (
        SELECT "workspaceId", key FROM "IdempotencyRecord" WHERE "createdAt" < ${cutoff}
         ORDER BY "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
  }
  return db.$executeRaw`
    DELETE FROM "Event" WHERE id IN (
      SELECT id FROM "Event" WHERE "createdAt" < ${cutoff}
       ORDER BY "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
}
