import type { Client } from '@temporalio/client';
import type { Db, Tx } from '../../src/db.js';
import { enrollmentWorkflowId, webhookDeliveryWorkflowId } from '../../src/workflows/contract.js';

/**
 * Barriers a test waits on to prove that something did not happen: facts that can only hold once
 * the system is past the moment it would have happened, so no fixed sleep guesses how long that is.
 */

/**
 * Every enrollment workflow of the campaign still running shows `paused` (visibility): each has met
 * the pause — its delivery withdrawn or finished, its claim refused — and waits to be told, so no
 * provider call of the campaign can begin any more.
 */
export async function everyWorkflowPaused(client: Client, campaignId: string): Promise<boolean> {
  const query = `WorkflowType = 'enrollmentWorkflow' AND CampaignId = '${campaignId}' AND ExecutionStatus = 'Running' AND EnrollmentStatus != 'paused'`;
  return (await client.workflow.count(query)).count === 0;
}

/** Resolves once the enrollment's workflow has completed: nothing of it runs or is scheduled any more. */
export async function workflowEnded(client: Client, enrollmentId: string): Promise<void> {
  await client.workflow.getHandle(enrollmentWorkflowId(enrollmentId)).result();
}

/** Resolves once each event's delivery workflow to the webhook has completed: it sends nothing more. */
export async function deliveriesEnded(client: Client, webhookId: string, eventIds: string[]): Promise<void> {
  await Promise.all(eventIds.map((id) => client.workflow.getHandle(webhookDeliveryWorkflowId(webhookId, id)).result()));
}

/** The PostgreSQL backend running this transaction. */
export async function backendPid(tx: Tx): Promise<number> {
  const [row] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
  return row!.pid;
}

/** How many backends wait for a lock `pid` holds (or is queued for ahead of them). */
export async function waitingBehind(db: Db, pid: number): Promise<number> {
  const [row] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${pid}::int = ANY(pg_blocking_pids(pid))`;
  return row!.n;
}

/** Whether backend `pid` waits for a lock another holds (or is queued for ahead of it). */
export async function isWaitingForLock(db: Db, pid: number): Promise<boolean> {
  const [row] = await db.$queryRaw<{ waiting: boolean }[]>`SELECT cardinality(pg_blocking_pids(${pid}::int)) > 0 AS waiting`;
  return row!.waiting;
}

/** How long (ms) the longest wait behind a lock `pid` holds has lasted, by PostgreSQL's own clock; 0 when none waits. */
export async function longestWaitBehind(db: Db, pid: number): Promise<number> {
  const [row] = await db.$queryRaw<{ ms: number }[]>`
    SELECT COALESCE(max(extract(epoch FROM clock_timestamp() - state_change) * 1000), 0)::float8 AS ms
      FROM pg_stat_activity WHERE ${pid}::int = ANY(pg_blocking_pids(pid))`;
  return row!.ms;
}
