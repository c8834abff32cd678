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

export type SendStepResult =
  | { kind: 'sent'; messageId: string; sentAt: string }
  | {
      kind: 'deferred';
      reason: 'campaign_paused' | 'enrollment_paused' | 'capacity' | 'window';
      /** When to try again; null means "on resume". */
      until: string | null;
    }
  | { kind: 'ended'; status: 'replied' | 'stopped' | 'bounced' | 'unsubscribed' | 'failed' | 'completed'; reason: string };
