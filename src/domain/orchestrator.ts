/**
 * What the services ask of the workflow engine, and nothing of how: start a lead's sequence, signal
 * it, ask a campaign's fan-out to sweep, deliver a webhook event. `src/workflows/client.ts` is the
 * Temporal implementation; the worker and the API build it and pass it in (ServiceDeps).
 */
import type { EnrollmentInput } from './enrollment-plan.js';
import type { StopReason } from './enrollment-status.js';

export type EnrollmentSignal = { name: 'pause' | 'resume' | 'wake' | 'reply' } | { name: 'stop'; reason: StopReason };

export interface Orchestrator {
  /** Starts an enrollment's workflow exactly once: a running one is reused, a closed one never restarted. */
  startEnrollment(input: EnrollmentInput): Promise<void>;
  /** Signals an enrollment; one whose workflow has finished has nothing left to change. */
  signalEnrollment(enrollmentId: string, signal: EnrollmentSignal): Promise<void>;
  /** Wakes (or starts) the campaign's fan-out, which brings every enrollment in line with the campaign. */
  requestCampaignSync(campaignId: string): Promise<void>;
  /** One durable delivery per (webhook, event): a repeated dispatch delivers nothing twice. */
  startWebhookDelivery(webhookId: string, eventId: string): Promise<void>;
}
