/**
 * How long Sequent keeps what it keeps only for a while (SPEC §9), and the floors no setting may
 * go below: an idempotency record must outlive a client's retries for 24 h, and the event feed
 * promises 30 days.
 */
export const IDEMPOTENCY_TTL_HOURS = 24;
export const MIN_EVENT_RETENTION_DAYS = 30;

/** What a pruning job deletes: expired idempotency records, or events past their retention. */
export type PruneTarget = 'idempotency' | 'events';

export function retentionFloorHours(target: PruneTarget): number {
  return target === 'idempotency' ? IDEMPOTENCY_TTL_HOURS : MIN_EVENT_RETENTION_DAYS * 24;
}

