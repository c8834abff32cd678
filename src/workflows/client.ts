/**
 * The Temporal client side of Sequent: the Orchestrator the services are given (src/domain/
 * orchestrator.ts), every start and signal typed by the contract. Built by the worker and the API
 * (composition roots); never imported by workflow code (it does I/O) or by the services.
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
  type CampaignFanoutWorkflow,
  type SyncRequest,
  type EnrollmentInput,
  type EnrollmentWorkflow,
  type WebhookDeliveryWorkflow,
} from './contract.js';
import type { EnrollmentSignal, Orchestrator } from '../domain/orchestrator.js';

/**
 * A Temporal client and the task queue Sequent's workflows run on. `eagerStart` is set where the
 * client shares a worker's NativeConnection (the worker process): a webhook delivery started there
 * gets its first task back in the start's answer instead of a trip through matching.
 */
export type TemporalTarget = { client: Client; taskQueue: string; eagerStart?: boolean };

/** The services' Orchestrator on Temporal. */
export function temporalOrchestrator(target: TemporalTarget): Orchestrator {
  return {
    startEnrollment: (input) => startEnrollmentWorkflow(target, input),
    signalEnrollment: (enrollmentId, signal) => signalEnrollment(target, enrollmentId, signal),
    requestCampaignSync: (campaignId) => requestCampaignSync(target, campaignId),
    startWebhookDelivery: (webhookId, eventId) => startWebhookDelivery(target, webhookId, eventId),
  };
}

/** A start that finds the workflow already there (running, or closed for good) has nothing to do. */
async function startOnce(start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Wakes (or starts) the campaign's fan-out workflow; one RPC whatever the campaign's size. */
async function requestCampaignSync({ client, taskQueue }: TemporalTarget, campaignId: string) {
  await client.workflow.signalWithStart<CampaignFanoutWorkflow, [SyncRequest]>('campaignFanoutWorkflow', {
    workflowId: campaignFanoutWorkflowId(campaignId),
    taskQueue: campaignTaskQueue(taskQueue),
    args: [{ campaignId }],
    signal: syncSignal,
    // The sweep judges what to tell from the campaign's status (syncCampaign): the request says nothing.
    signalArgs: [{}],
    typedSearchAttributes: [{ key: campaignIdKey, value: campaignId }],
  });
}

async function startEnrollmentWorkflow({ client, taskQueue }: TemporalTarget, input: EnrollmentInput): Promise<void> {
  await startOnce(() =>
    client.workflow.start<EnrollmentWorkflow>('enrollmentWorkflow', {
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

async function startWebhookDelivery({ client, taskQueue, eagerStart }: TemporalTarget, webhookId: string, eventId: string): Promise<void> {
  await startOnce(() =>
    client.workflow.start<WebhookDeliveryWorkflow>('webhookDeliveryWorkflow', {
      workflowId: webhookDeliveryWorkflowId(webhookId, eventId),
      taskQueue: webhookTaskQueue(taskQueue),
      args: [{ webhookId, eventId }],
      ...(eagerStart ? { requestEagerStart: true } : {}),
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    }),
  );
}

async function signalEnrollment({ client }: TemporalTarget, enrollmentId: string, signal: EnrollmentSignal): Promise<void> {
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
