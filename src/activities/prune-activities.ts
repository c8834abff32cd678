import { ApplicationFailure } from '@temporalio/activity';
import { retentionFloorHours } from '../domain/retention.js';
import { pruneBatch } from '../retention/prune.js';
import type { PruneInput } from '../workflows/contract.js';
import type { ActivityDeps } from './deps.js';

/** However a schedule is edited, one statement deletes no more than this. */
const MAX_BATCH = 10_000;

export function createPruneActivities({ db, now }: ActivityDeps) {
  /**
   * One batch of a pruning job (pruneWorkflow): rows of `target` older than `retentionHours`.
   * A retention under SPEC §9's floor (24 h, 30 days) is refused, whatever a schedule says.
   */
  async function pruneExpired({ target, retentionHours, batchSize }: PruneInput): Promise<number> {
    const floor = retentionFloorHours(target);
    if (!(retentionHours >= floor)) {
      const promised = target === 'idempotency' ? '24 h' : '30 days';
      throw ApplicationFailure.nonRetryable(`${target} are kept at least ${promised}: retentionHours ${retentionHours} is under ${floor}`, 'RetentionTooShort');
    }
    return pruneBatch(db, target, new Date(now().getTime() - retentionHours * 3_600_000), Math.min(Math.max(1, batchSize), MAX_BATCH));
  }
  return { pruneExpired };
}
