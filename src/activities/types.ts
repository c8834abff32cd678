/** Shapes shared by activities and the workflows that call them (types only: safe in the sandbox). */

export type EnrollmentPlan = {
  /** delayDays of every step, in order. */
  delaysDays: number[];
  /** Steps already sent. */
  sentSteps: number;
  /** When the last step went out (ISO), or null before step 1. */
  lastSentAt: string | null;
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
