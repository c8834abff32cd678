// The engine's own baselines: the same Temporal server and SDK doing nothing but the bare work.
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function noopWorkflow(): Promise<void> {}

export async function noopActivityWorkflow(): Promise<void> {
  await noop();
}
