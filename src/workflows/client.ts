/**
 * The Temporal client side of Sequent: every start and signal of Sequent's workflows, typed by the
 * definitions in contract.ts. Used by the API, the domain services and activities; never imported
 * by workflow code (it does I/O).
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  campaignFanoutWorkflowId,
  campaignTaskQueue,
  campaignIdKey,
  enrollmentStatusKey,
  enrollmentWorkflowId,
  leadEmailKey,
  pauseSignal,
  replySignal,
  resumeSignal,
  stopSignal,
  syncSignal,
  wakeSignal,
  webhookDeliveryWorkflowId,
  webhookTaskQueue,
  workspaceIdKey,
  type EnrollmentInput,
  type StopReason,
} from './contract.js';
import type { campaignFanoutWorkflow, enrollmentWorkflow, webhookDeliveryWorkflow } from './index.js';

/**
 * A Temporal client and the task queue Sequent's workflows run on. `eagerStart` is set where the
 * client shares a worker's NativeConnection (the worker process): a webhook delivery started there
 * gets its first task back in the start's answer instead of a trip through matching.
 */
export type Orchestrator = { client: Client; taskQueue: string; eagerStart?: boolean };

/** A start that finds the workflow already there (running, or closed for good) has nothing to do. */
async function startOnce(start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Wakes (or starts) the campaign's fan-out workflow; one RPC whatever the campaign's size. */
export async function requestCampaignSync({ client, taskQueue }: Orchestrator, campaignId: string, signalAll: boolean) {
  await client.workflow.signalWithStart<typeof campaignFanoutWorkflow, [{ signalAll: boolean }]>('campaignFanoutWorkflow', {
    workflowId: campaignFanoutWorkflowId(campaignId),
    taskQueue: campaignTaskQueue(taskQueue),
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
  await startOnce(() =>
    client.workflow.start<typeof enrollmentWorkflow>('enrollmentWorkflow', {
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
    }),
  );
}

/** One durable delivery per (webhook, event): a repeated dispatch finds it and delivers nothing twice. */
export async function startWebhookDelivery({ client, taskQueue, eagerStart }: Orchestrator, webhookId: string, eventId: string): Promise<void> {
  await startOnce(() =>
    client.workflow.start<typeof webhookDeliveryWorkflow>('webhookDeliveryWorkflow', {
      workflowId: webhookDeliveryWorkflowId(webhookId, eventId),
      taskQueue: webhookTaskQueue(taskQueue),
      args: [{ webhookId, eventId }],
      ...(eagerStart ? { requestEagerStart: true } : {}),
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    }),
  );
}

export type EnrollmentSignal = { name: 'pause' | 'resume' | 'wake' | 'reply' } | { name: 'stop'; reason: StopReason };

/** Signals an enrollment; one whose workflow has already finished has nothing left to change. */
export async function signalEnrollment({ client }: Orchestrator, enrollmentId: string, signal: EnrollmentSignal): Promise<void> {
  const handle = client.workflow.getHandle(enrollmentWorkflowId(enrollmentId));
  try {
    switch (signal.name) {
      case 'pause':
        return await handle.signal(pauseSignal);
      case 'resume':
        return await handle.signal(resumeSignal);
      case 'wake':
        return await handle.signal(wakeSignal);
      case 'reply':
        return await handle.signal(replySignal, {});
      case 'stop':
        return await handle.signal(stopSignal, { reason: signal.reason });
    }
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}
