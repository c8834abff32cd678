/** Shapes shared by activities and the workflows that call them (types only: safe in the sandbox). */

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

/** SPEC §9: what a live enrollment waits for (the enrollment's `waitingFor`). */
export type WaitReason =
  | 'delay'
  | 'window'
  | 'capacity'
  | 'pacing'
  | 'daily_new_leads'
  | 'campaign_paused'
  | 'lead_paused'
  | 'provider_retry'
  | 'sender_unavailable';

export type EndStatus = 'replied' | 'stopped' | 'bounced' | 'unsubscribed' | 'failed' | 'completed';

export type Deferred = {
  kind: 'deferred';
  reason: WaitReason;
  /** When it can succeed; null means "when told" (a resume, a fixed sender), re-checked now and then. */
  until: string | null;
};
export type Ended = { kind: 'ended'; status: EndStatus; reason: string };
/**
 * The step is done: sent now or before. `unknown` when the provider's answer to it never came and
 * no retry may follow (SPEC §9: never resend blind); the sequence goes on as if it was sent.
 */
export type Sent = { kind: 'sent'; messageId: string; sentAt: string; unknown?: boolean };

/** What one attempt at a step came to. */
export type SendStepResult = Sent | Deferred | Ended;

/** The guard's answer before any provider call: go ahead (`attempt`), or why not. */
export type ClaimResult = { kind: 'attempt'; messageId: string } | SendStepResult;
