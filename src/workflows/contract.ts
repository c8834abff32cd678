/**
 * The one contract between the API, the worker and the workflows: task queue defaults, workflow
 * inputs, signals, queries, search attributes and workflow-ID builders. Safe to import from
 * workflow code (no I/O).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PruneTarget } from '../domain/retention.js';
import type { EnrollmentInput } from '../domain/enrollment-plan.js';
import type { EnrollmentPhase, StopReason } from '../domain/enrollment-status.js';
export type { EnrollmentInput, EnrollmentPlan } from '../domain/enrollment-plan.js';
export type { EnrollmentPhase, StopReason } from '../domain/enrollment-status.js';
export { SEND_RETRY } from '../domain/send-budget.js';
/** Provider calls (`deliverStep`, and the legacy `sendStep`) run on their own queue so the provider's rate limit can be enforced on it alone. */
export const sendTaskQueue = (taskQueue: string) => `${taskQueue}-send`;
/** Webhook deliveries run on their own queue so they never wait behind enrollment tasks. */
export const webhookTaskQueue = (taskQueue: string) => `${taskQueue}-webhooks`;
/**
 * A campaign's fan-out (its start, pause and resume sweeps) runs on its own queue: after a bulk
 * import the main queue holds a first task per fresh workflow, and a pause queued behind them
 * came into line minutes late (BENCHMARKS, the cost curve).
 */
export const campaignTaskQueue = (taskQueue: string) => `${taskQueue}-campaigns`;

export const campaignIdKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const workspaceIdKey = defineSearchAttributeKey('WorkspaceId', SearchAttributeType.KEYWORD);
export const leadEmailKey = defineSearchAttributeKey('LeadEmail', SearchAttributeType.KEYWORD);
export const enrollmentStatusKey = defineSearchAttributeKey('EnrollmentStatus', SearchAttributeType.KEYWORD);

/** Registered on the dev server and in production so ops can filter enrollments in the UI. */
export const SEARCH_ATTRIBUTES = [campaignIdKey, workspaceIdKey, leadEmailKey, enrollmentStatusKey] as const;

export type EnrollmentState = {
  status: EnrollmentPhase;
  /** Steps already sent. */
  currentStep: number;
  totalSteps: number;
  /** ISO time the next step is due, or null when nothing is scheduled. */
  nextDueAt: string | null;
};


export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const replySignal = defineSignal<[{ replyId?: string }]>('reply');
export const stopSignal = defineSignal<[{ reason: StopReason }]>('stop');
/** Something a waiting lead waits for may have changed (a sender fixed, capacity added): check now. */
export const wakeSignal = defineSignal('wake');
export const stateQuery = defineQuery<EnrollmentState>('state');

export const enrollmentWorkflowId = (enrollmentId: string) => `enrollment-${enrollmentId}`;

/** `carried`: the request a run handed over (continue-as-new) before it swept it. */
export type CampaignFanoutInput = { campaignId: string; carried?: SyncRequest };

/**
 * Asks the campaign's fan-out workflow to bring every enrollment in line with the campaign's
 * status: start the workflows of enrollments that wait for it and tell running ones to pause or
 * resume (the sweep judges which from the campaign's status). `signalAll` is read by nobody:
 * signals and `carried` inputs recorded by older code hold it and are ignored alike (a field more or
 * less in a payload never breaks replay). It stays in the type only to say that shape is accepted;
 * remove it once no client or worker older than its removal (2026-12-07) runs.
 */
export type SyncRequest = { signalAll?: boolean };
export const syncSignal = defineSignal<[SyncRequest]>('sync');

export const campaignFanoutWorkflowId = (campaignId: string) => `campaign-fanout-${campaignId}`;

export type WebhookDeliveryInput = { webhookId: string; eventId: string };
export const webhookDeliveryWorkflowId = (webhookId: string, eventId: string) => `webhook-${webhookId}-${eventId}`;

/**
 * A pruning job's run, as its schedule starts it (and the input of each batch's activity): delete
 * rows of `target` older than `retentionHours`, `batchSize` per statement.
 */
export type PruneInput = { target: PruneTarget; retentionHours: number; batchSize: number };

/**
 * The workflows' signatures, as the client starts them: the client never imports workflow code, and
 * src/workflows/index.ts holds each workflow to its signature here.
 */
export type EnrollmentWorkflow = (input: EnrollmentInput) => Promise<EnrollmentState>;
export type CampaignFanoutWorkflow = (input: CampaignFanoutInput) => Promise<{ sweeps: number }>;
export type WebhookDeliveryWorkflow = (input: WebhookDeliveryInput) => Promise<{ delivered: boolean; attempts: number }>;
