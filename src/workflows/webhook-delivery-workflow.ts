import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { WebhookDeliveryInput } from './contract.js';

// SPEC §7: after the first attempt, retries at +1 m, +5 m, +30 m, +2 h, +8 h.
export const RETRY_DELAYS = ['1 minute', '5 minutes', '30 minutes', '2 hours', '8 hours'] as const;

// One attempt is one activity run; its own retries cover only infrastructure trouble (database),
// while a receiver's failure is an answer, recorded and retried on the schedule above.
const { deliverWebhook } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** One per (webhook, event): durable across restarts, so a delivery survives any crash. */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<{ delivered: boolean; attempts: number }> {
  for (let attempt = 1; attempt <= RETRY_DELAYS.length + 1; attempt++) {
    const result = await deliverWebhook({ ...input, attempt });
    if (result === 'delivered') return { delivered: true, attempts: attempt };
    if (result === 'gone') return { delivered: false, attempts: attempt };
    const delay = RETRY_DELAYS[attempt - 1];
    if (delay) await sleep(delay);
  }
  return { delivered: false, attempts: RETRY_DELAYS.length + 1 };
}
