import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  campaignFanoutWorkflowId,
  campaignIdKey,
  enrollmentStatusKey,
  enrollmentWorkflowId,
  leadEmailKey,
  syncSignal,
  workspaceIdKey,
  type EnrollmentInput,
} from '../workflows/contract.js';
import type { campaignFanoutWorkflow, enrollmentWorkflow } from '../workflows/index.js';

/** The Temporal side of campaign control, shared by the API and the fan-out activity. */
export type Orchestrator = { client: Client; taskQueue: string };

/** Wakes (or starts) the campaign's fan-out workflow; one RPC whatever the campaign's size. */
export async function requestCampaignSync({ client, taskQueue }: Orchestrator, campaignId: string, signalAll: boolean) {
  await client.workflow.signalWithStart<typeof campaignFanoutWorkflow, [{ signalAll: boolean }]>('campaignFanoutWorkflow', {
    workflowId: campaignFanoutWorkflowId(campaignId),
    taskQueue,
    args: [{ campaignId }],
    signal: syncSignal,
    signalArgs: [{ signalAll }],
    typedSearchAttributes: [{ key: campaignIdKey, value: campaignId }],
  });
}

/**
 * Starts an enrollment's workflow exactly once: a running one is reused, and a closed one is never
 * started again (its enrollment is finished).
 */
export async function startEnrollmentWorkflow({ client, taskQueue }: Orchestrator, input: EnrollmentInput): Promise<void> {
  try {
    await client.workflow.start<typeof enrollmentWorkflow>('enrollmentWorkflow', {
      workflowId: enrollmentWorkflowId(input.enrollmentId),
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: campaignIdKey, value: input.campaignId },
        { key: workspaceIdKey, value: input.workspaceId },
        { key: leadEmailKey, value: input.leadEmail },
        { key: enrollmentStatusKey, value: 'waiting' },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Signals an enrollment; one whose workflow has already finished has nothing left to change. */
export async function signalEnrollment(
  { client }: Orchestrator,
  enrollmentId: string,
  signal: 'pause' | 'resume' | 'reply' | 'stop' | 'wake',
  arg?: unknown,
): Promise<void> {
  try {
    const handle = client.workflow.getHandle(enrollmentWorkflowId(enrollmentId));
    await (arg === undefined ? handle.signal(signal) : handle.signal(signal, arg));
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}
