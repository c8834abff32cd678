import { allHandlersFinished, condition, makeContinueAsNewFunc, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { syncSignal, type CampaignFanoutInput } from './contract.js';

// A sweep pages through every enrollment of the campaign; it heartbeats its cursor, so a retry
// (after a worker crash) continues where the last attempt stopped.
const { syncCampaign } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

// A run that keeps being asked (a campaign imported into or flapping for days) hands over to a
// fresh one (continue-as-new) after this many sweeps, about ten events each, or sooner when its
// history grows past HISTORY_LIMIT (a flood of requests) or Temporal suggests it.
export const SWEEPS_PER_RUN = 50;
const HISTORY_LIMIT = 1_000;
/**
 * Runs begun before the hand-over existed replay (and finish) without it (shipped 2026-12-07,
 * b9b4417). Removal: once `scripts/legacy-open.ts` counts 0 for it (no open fan-out without this
 * marker in TemporalChangeVersion), drop the `patched()` call and hand over unconditionally. No
 * `deprecatePatch` step is needed: the marker is written in the task that continues as new, so no
 * open run's history holds it.
 */
export const FANOUT_CONTINUE_AS_NEW = 'fanout-continue-as-new';

/**
 * One per campaign (ID `campaign-fanout-<campaignId>`), started with signal-with-start by the API.
 * Requests that arrive during a sweep are coalesced into one more sweep, which reads the campaign's
 * status afresh, so a quick pause-then-resume ends with every enrollment resumed. `sweeps` counts
 * this run's; a request the previous run had not swept yet comes in `carried`.
 */
export async function campaignFanoutWorkflow(input: CampaignFanoutInput): Promise<{ sweeps: number }> {
  let requested = input.carried !== undefined;
  // The request's payload says nothing (a `signalAll` in older ones is ignored): the sweep reads the campaign.
  setHandler(syncSignal, () => {
    requested = true;
  });

  let sweeps = 0;
  // Signal-with-start delivers the first request with the start; wait briefly in case it is late.
  if (!requested) await condition(() => requested, '10 seconds');
  while (requested) {
    // Legacy path (no hand-over): when it goes, see FANOUT_CONTINUE_AS_NEW.
    if (timeToHandOver(sweeps) && patched(FANOUT_CONTINUE_AS_NEW)) return handOver(input.campaignId);
    requested = false;
    await syncCampaign({ campaignId: input.campaignId });
    sweeps++;
  }
  return { sweeps };
}

/** Never before a run's first sweep: each run makes progress, whatever floods it. */
function timeToHandOver(sweeps: number): boolean {
  const info = workflowInfo();
  return sweeps > 0 && (sweeps >= SWEEPS_PER_RUN || info.historyLength > HISTORY_LIMIT || info.continueAsNewSuggested);
}

/** Continues as new with the pending request: the next run sweeps first. */
async function handOver(campaignId: string): Promise<never> {
  // Handlers are synchronous; a signal that arrives during the hand-over makes the server refuse
  // it and run another task first, whose request the one carried here covers.
  await condition(allHandlersFinished);
  const continueAsNew = makeContinueAsNewFunc<typeof campaignFanoutWorkflow>({ typedSearchAttributes: workflowInfo().typedSearchAttributes });
  return continueAsNew({ campaignId, carried: {} });
}
