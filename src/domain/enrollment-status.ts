/** Enrollment statuses after which nothing more is sent. */
export const TERMINAL_STATUSES = ['completed', 'replied', 'bounced', 'unsubscribed', 'stopped', 'failed'] as const;
/** Enrollments that may still send. */
export const LIVE_STATUSES = ['pending', 'active', 'paused'] as const;

export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
/** How a lead ends other than by running out of steps. */
export type EndedStatus = Exclude<TerminalStatus, 'completed'>;

export const isTerminal = (status: string): status is TerminalStatus => (TERMINAL_STATUSES as readonly string[]).includes(status);

/** How a running enrollment's workflow is told to end (the stop signal's reason). */
export type StopReason = 'replied' | 'stopped' | 'bounced' | 'unsubscribed';
