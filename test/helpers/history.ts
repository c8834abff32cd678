import type { Client } from '@temporalio/client';
import { enrollmentWorkflowId } from '../../src/workflows/contract.js';

/**
 * What one enrollment's workflow has done so far, read from its Temporal history: durable facts a
 * test can wait on (a barrier) instead of sleeping, and count afterwards.
 */
export function enrollmentHistory(client: Client, enrollmentId: string) {
  const handle = client.workflow.getHandle(enrollmentWorkflowId(enrollmentId));
  const events = async () => (await handle.fetchHistory()).events ?? [];
  return {
    handle,
    /** Sleeps begun (each wait for a delay, a deferral or "until told" starts a timer). */
    sleeps: async () => (await events()).filter((e) => e.timerStartedEventAttributes).length,
    /** Delivery tasks put on the rate-limited send queue. */
    deliveries: async () => (await events()).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'deliverStep').length,
    /** Signals of this name the workflow received. */
    signals: async (name: string) => (await events()).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === name).length,
    /** Whether the last event that is not a workflow task's own is a timer started: it sleeps now. */
    asleep: async () => {
      const last = (await events()).filter((e) => !e.workflowTaskScheduledEventAttributes && !e.workflowTaskStartedEventAttributes && !e.workflowTaskCompletedEventAttributes).at(-1);
      return !!last?.timerStartedEventAttributes;
    },
  };
}
