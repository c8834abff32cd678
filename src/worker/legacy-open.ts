/**
 * The legacy paths: code kept only for workflows begun on older code, each with the visibility
 * query that finds the open runs still needing it (README, "Legacy paths"; `scripts/legacy-open.ts`
 * prints the counts). A query finds every such run and may find more (a newer run that has not yet
 * reached the point where it records its marker), never fewer. Once every worker runs the code that
 * made a path legacy, no run begun after takes it: a count that has read 0 once means none is left,
 * and the path may go as `removal` says, even if newer runs raise the count again later.
 *
 * Markers: the SDK's `patched(id)` adds `id` to the run's TemporalChangeVersion search attribute
 * (a keyword list the server always has) in the task that first calls it. The dates a change
 * shipped are its commit's; a run started between the commit and its deploy still began on the
 * older code, which is why no query bounds StartTime by them.
 */
import type { Client } from '@temporalio/client';
import { FANOUT_CONTINUE_AS_NEW } from '../workflows/campaign-fanout-workflow.js';
import { CLAIM_THEN_DELIVER, COMPLETED_BY_LAST_SEND } from '../workflows/enrollment-workflow.js';
import { PLAN_WITH_START, WITHDRAW_QUEUED_SEND } from '../workflows/enrollment-workflow-v1.js';
import type * as workflows from '../workflows/index.js';

export type LegacyPath = {
  /** The code, and where it lives. */
  path: string;
  /** The change that made it legacy: commit date and hash. */
  since: string;
  /** The open runs that may still need it (a visibility query). */
  query: string;
  /** What goes once the query counts 0. */
  removal: string;
};

const running = (workflowType: keyof typeof workflows) => `WorkflowType = "${workflowType}" AND ExecutionStatus = "Running"`;
/** Runs that recorded none of these markers (or none at all). */
const without = (...patchIds: string[]) => `(TemporalChangeVersion IS NULL OR TemporalChangeVersion NOT IN (${patchIds.map((id) => `"${id}"`).join(', ')}))`;

/** Every legacy path of the workflows a worker on `taskQueue` (TEMPORAL_TASK_QUEUE) runs. */
export function legacyPaths(taskQueue: string): LegacyPath[] {
  const legacyEnrollments = `${running('enrollmentWorkflow')} AND ${without(CLAIM_THEN_DELIVER)}`;
  return [
    {
      path: `legacyEnrollmentWorkflow (src/workflows/enrollment-workflow-v1.ts), behind patched('${CLAIM_THEN_DELIVER}')`,
      since: '2026-12-01 f5849c8',
      query: legacyEnrollments,
      removal: `delete enrollment-workflow-v1.ts; patched('${CLAIM_THEN_DELIVER}') becomes deprecatePatch(), itself removed once no enrollment run started before that deploy is open`,
    },
    {
      path: 'the sendStep activity (src/activities/enrollment-activities.ts, served on the send queue by build-worker.ts)',
      since: '2026-12-01 f5849c8',
      query: legacyEnrollments,
      removal: 'delete it and its registration, with legacyEnrollmentWorkflow (its only caller)',
    },
    {
      path: `patched('${WITHDRAW_QUEUED_SEND}') in legacyEnrollmentWorkflow`,
      since: '2026-11-26 9c7cb02',
      query: `${running('enrollmentWorkflow')} AND ${without(CLAIM_THEN_DELIVER, WITHDRAW_QUEUED_SEND)}`,
      removal: 'its pre-patch branch may go (behind deprecatePatch); the whole file goes with legacyEnrollmentWorkflow anyway',
    },
    {
      path: `patched('${PLAN_WITH_START}') in legacyEnrollmentWorkflow`,
      since: '2026-11-26 f2c4087',
      query: `${running('enrollmentWorkflow')} AND ${without(CLAIM_THEN_DELIVER, PLAN_WITH_START)}`,
      removal: 'its pre-patch branch may go (behind deprecatePatch); the whole file goes with legacyEnrollmentWorkflow anyway',
    },
    {
      path: `patched('${COMPLETED_BY_LAST_SEND}') in enrollmentWorkflow (src/workflows/enrollment-workflow.ts)`,
      since: '2026-12-02 282bf74',
      // Only a run whose last send completed on the older code and is still finishing needs it:
      // such a run shows "sending", the value the code of that time wrote.
      query: `${running('enrollmentWorkflow')} AND EnrollmentStatus = "sending" AND ${without(COMPLETED_BY_LAST_SEND)}`,
      removal: 'drop the patched() call, no deprecatePatch step (the marker is written in the task that ends the run)',
    },
    {
      path: `patched('${FANOUT_CONTINUE_AS_NEW}') in campaignFanoutWorkflow (src/workflows/campaign-fanout-workflow.ts)`,
      since: '2026-12-07 b9b4417',
      query: `${running('campaignFanoutWorkflow')} AND ${without(FANOUT_CONTINUE_AS_NEW)}`,
      removal: 'drop the patched() call, no deprecatePatch step (the marker is written in the task that continues as new)',
    },
    {
      path: `campaign fan-outs on the main queue: syncCampaign on the main worker (src/worker/build-worker.ts)`,
      since: '2026-12-02 2a29e80',
      query: `${running('campaignFanoutWorkflow')} AND TaskQueue = "${taskQueue}"`,
      removal: 'take syncCampaign out of the main worker',
    },
    {
      path: `webhook deliveries on the main queue: deliverWebhook on the main worker (src/worker/build-worker.ts)`,
      since: '2026-12-02 2c2d230',
      query: `${running('webhookDeliveryWorkflow')} AND TaskQueue = "${taskQueue}"`,
      removal: 'take deliverWebhook out of the main worker',
    },
  ];
}

/**
 * How many open runs each legacy path still has. `within` narrows every query (a clause ANDed to
 * it, e.g. `CampaignId = "camp_…"`). Visibility lags a moment behind the workflows.
 */
export async function countLegacyOpen(client: Client, options: { taskQueue: string; within?: string }): Promise<(LegacyPath & { open: number })[]> {
  return Promise.all(
    legacyPaths(options.taskQueue).map(async (legacy) => {
      const query = options.within ? `(${options.within}) AND ${legacy.query}` : legacy.query;
      return { ...legacy, open: (await client.workflow.count(query)).count };
    }),
  );
}
