import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import { IDEMPOTENCY_TTL_HOURS, MIN_EVENT_RETENTION_DAYS, type PruneTarget } from '../domain/retention.js';
import type { PruneInput } from '../workflows/contract.js';
import type { pruneWorkflow } from '../workflows/index.js';

export const EVENT_RELAY_SCHEDULE_ID = 'sequent-event-relay';

/** The pruning jobs' schedules (SPEC §9: every pruning job visible in the Temporal UI). */
export const PRUNE_SCHEDULES: Record<PruneTarget, string> = { idempotency: 'sequent-prune-idempotency', events: 'sequent-prune-events' };
const PRUNE_BATCH = 1_000;

export type ScheduleSettings = { eventRetentionDays?: number };

/**
 * Creates the schedules Sequent relies on, once per namespace; every worker calls it at start.
 * The relay's is left as found; a pruning schedule is brought to this worker's settings (a changed
 * EVENT_RETENTION_DAYS applies from the next worker start), keeping whatever pause an operator set.
 */
export async function ensureSchedules(client: Client, taskQueue: string, settings: ScheduleSettings = {}): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: EVENT_RELAY_SCHEDULE_ID,
      spec: { intervals: [{ every: '1 minute' }] },
      action: { type: 'startWorkflow', workflowType: 'eventRelayWorkflow', taskQueue, args: [] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const retentionHours = { idempotency: IDEMPOTENCY_TTL_HOURS, events: (settings.eventRetentionDays ?? MIN_EVENT_RETENTION_DAYS) * 24 };
  for (const target of ['idempotency', 'events'] as const) {
    await upsertSchedule(client, pruneSchedule(target, taskQueue, { target, retentionHours: retentionHours[target], batchSize: PRUNE_BATCH }));
  }
}

function pruneSchedule(target: PruneTarget, taskQueue: string, input: PruneInput): ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof pruneWorkflow>> {
  return {
    scheduleId: PRUNE_SCHEDULES[target],
    spec: { intervals: [{ every: '1 hour' }] },
    action: { type: 'startWorkflow', workflowType: 'pruneWorkflow', taskQueue, args: [input] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP },
    state: { note: `Deletes ${target === 'idempotency' ? 'idempotency records' : 'events'} older than ${input.retentionHours} h, ${input.batchSize} rows per statement (SPEC §9).` },
  };
}

async function upsertSchedule(client: Client, options: ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof pruneWorkflow>>): Promise<void> {
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const { spec, action, policies } = options;
    await client.schedule.getHandle(options.scheduleId).update<typeof pruneWorkflow>((previous) => ({ spec, action, policies, state: previous.state }));
  }
}
