import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { syncSignal, type CampaignFanoutInput } from './contract.js';

// A sweep pages through every enrollment of the campaign; it heartbeats its cursor, so a retry
// (after a worker crash) continues where the last attempt stopped.
const { syncCampaign } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * One per campaign (ID `campaign-fanout-<campaignId>`), started with signal-with-start by the API.
 * Requests that arrive during a sweep are coalesced into one more sweep, which reads the campaign's
 * status afresh, so a quick pause-then-resume ends with every enrollment resumed.
 */
export async function campaignFanoutWorkflow(input: CampaignFanoutInput): Promise<{ sweeps: number }> {
  let requested = false;
  let signalAll = false;
  setHandler(syncSignal, (request) => {
    requested = true;
    signalAll ||= request.signalAll;
  });

  let sweeps = 0;
  // Signal-with-start delivers the first request with the start; wait briefly in case it is late.
  await condition(() => requested, '10 seconds');
  while (requested) {
    const sweep = { campaignId: input.campaignId, signalAll };
    requested = false;
    signalAll = false;
    await syncCampaign(sweep);
    sweeps++;
  }
  return { sweeps };
}
