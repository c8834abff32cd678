/**
 * The one contract between the API, the worker and the workflows: task queue defaults, workflow
 * inputs, signals, queries, search attributes and workflow-ID builders. Safe to import from
 * workflow code (no I/O).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { PruneTarget } from '../domain/retention.js';
/** `sendStep` runs on its own queue so the provider's rate limit can be enforced on it alone. */
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

/** Where an enrollment stands, as its workflow needs it (the database has the same facts). */
export type EnrollmentPlan = {
  /** delayDays of every step, in order. */
  delaysDays: number[];
  /** Steps already sent. */
  sentSteps: number;
  /**
   * What the next step's delay counts from (ISO): the last send, or for step 1 when the sequence
   * began for this lead (its enrollment into a running campaign, or the campaign's start).
   */
  anchorAt: string;
  /** Terminal enrollments (replied, stopped, …) have nothing left to do. */
  finished: boolean;
};

export type EnrollmentInput = {
  enrollmentId: string;
  campaignId: string;
  workspaceId: string;
  leadEmail: string;
  /**
   * The plan as the starter read it (a fresh enrollment: nothing sent yet), or as the previous run
   * left it (continue-as-new). Saves the workflow a database round trip at start, which is most of
   * the cost of enrolling 10,000 leads. Without it the workflow loads the plan itself; every send
   * checks the database either way.
   */
  plan?: EnrollmentPlan;
  /** What a run hands the next when it continues as new. */
  carried?: { paused: boolean; recheckMs: number };
};

/** The send retry policy; deliverStep estimates a lead's next attempt (`nextSendAt`) from it. */
export const SEND_RETRY = { initialIntervalMs: 5_000, backoffCoefficient: 2, maximumIntervalMs: 10 * 60_000 } as const;

export type EnrollmentPhase = 'waiting' | 'paused' | 'sending' | 'completed' | 'replied' | 'stopped' | 'failed' | 'bounced' | 'unsubscribed';

export type EnrollmentState = {
  status: EnrollmentPhase;
  /** Steps already sent. */
  currentStep: number;
  totalSteps: number;
  /** ISO time the next step is due, or null when nothing is scheduled. */
  nextDueAt: string | null;
};

export type StopReason = 'replied' | 'stopped' | 'bounced' | 'unsubscribed';

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
 * status: start the workflows of enrollments that wait for it and, with `signalAll`, tell running
 * ones to pause or resume.
 */
export type SyncRequest = { signalAll: boolean };
export const syncSignal = defineSignal<[SyncRequest]>('sync');

export const campaignFanoutWorkflowId = (campaignId: string) => `campaign-fanout-${campaignId}`;

export type WebhookDeliveryInput = { webhookId: string; eventId: string };
export const webhookDeliveryWorkflowId = (webhookId: string, eventId: string) => `webhook-${webhookId}-${eventId}`;

/**
 * A pruning job's run, as its schedule starts it (and the input of each batch's activity): delete
 * rows of `target` older than `retentionHours`, `batchSize` per statement.
 */
export type PruneInput = { target: PruneTarget; retentionHours: number; batchSize: number };
