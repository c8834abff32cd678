import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const { relayEvents } = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 3 } });

/** Run every minute by the `sequent-event-relay` schedule: the outbox relay for webhook events. */
export async function eventRelayWorkflow(): Promise<number> {
  return relayEvents();
}
