import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { PruneInput } from './contract.js';

const { pruneExpired } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 5 } });

/**
 * Batches one run takes at most: keeps its history short (a few events per batch) and hands
 * what is left to the next run of the schedule instead of running for hours.
 */
const MAX_BATCHES = 500;

/**
 * Run hourly by the `sequent-prune-*` schedules (src/worker/schedules.ts): deletes expired rows a
 * batch per activity until a batch comes back short, so each delete is one short statement.
 * Answers how many rows it deleted.
 */
export async function pruneWorkflow(input: PruneInput): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const count = await pruneExpired(input);
    deleted += count;
    if (count < input.batchSize) break;
  }
  return deleted;
}
