/** Enrollment statuses after which nothing more is sent. */
export const TERMINAL_STATUSES = ['completed', 'replied', 'bounced', 'unsubscribed', 'stopped', 'failed'] as const;
/** Enrollments that may still send. */
export const LIVE_STATUSES = ['pending', 'active', 'paused'] as const;

export const isTerminal = (status: string) => (TERMINAL_STATUSES as readonly string[]).includes(status);
