/**
 * A lead's states, the one vocabulary: what an enrollment's row says (`EnrollmentStatus`,
 * live or terminal), why it ended (`EndedStatus`, `StopReason`), what its workflow shows
 * (`EnrollmentPhase`, the EnrollmentStatus search attribute) and what a live one waits for
 * (`WaitReason`). Every other module imports these; raw SQL takes the lists as parameters
 * (`status = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[])`), never retyped. The Prisma enums
 * `EnrollmentStatus` and `WaitReason` are held to these lists by test/unit/enrollment-status.test.ts
 * (at compile time) and the counter trigger's `sequent_finished` by test/db/enrollment-status.test.ts.
 */

/** Enrollments that may still send: enrolled, running, or paused one by one. */
export const LIVE_STATUSES = ['pending', 'active', 'paused'] as const;
/** Live and not paused one by one: a workflow runs for them, or starts with their campaign. */
export const RUNNABLE_STATUSES = ['pending', 'active'] as const satisfies readonly LiveStatus[];
/** Enrollment statuses after which nothing more is sent. */
export const TERMINAL_STATUSES = ['completed', 'replied', 'bounced', 'unsubscribed', 'stopped', 'failed'] as const;
/** Every status of an enrollment's row, in the order of the database enum. */
export const ENROLLMENT_STATUSES = [...LIVE_STATUSES, ...TERMINAL_STATUSES] as const;

export type LiveStatus = (typeof LIVE_STATUSES)[number];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];
/** How a lead ends other than by running out of steps. */
export type EndedStatus = Exclude<TerminalStatus, 'completed'>;
/** How a running enrollment's workflow is told to end (the stop signal's reason): every ending but a failed send, which the workflow learns itself. */
export type StopReason = Exclude<EndedStatus, 'failed'>;

export const isTerminal = (status: string): status is TerminalStatus => (TERMINAL_STATUSES as readonly string[]).includes(status);
export const isLive = (status: string): status is LiveStatus => (LIVE_STATUSES as readonly string[]).includes(status);

/** What an enrollment's workflow is doing while it runs (its state query and search attribute). */
export const RUNNING_PHASES = ['waiting', 'paused', 'sending'] as const;
/** The workflow's phase: running, or the terminal status it ended with. */
export type EnrollmentPhase = (typeof RUNNING_PHASES)[number] | TerminalStatus;

/** SPEC §9: what a live enrollment waits for (the enrollment's `waitingFor`), in the order of the database enum. */
export const WAIT_REASONS = [
  'delay',
  'window',
  'capacity',
  'pacing',
  'daily_new_leads',
  'campaign_paused',
  'lead_paused',
  'provider_retry',
  'provider_rate',
  'sender_unavailable',
  'out_of_office',
] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];
/** Why a lead's schedule plans a step later than now (GET …/schedule): the waits a plan can foresee. */
export const PLAN_REASONS = ['delay', 'out_of_office', 'window', 'daily_new_leads', 'capacity', 'pacing'] as const satisfies readonly WaitReason[];
export type PlanReason = (typeof PLAN_REASONS)[number];
