import type { Db } from '../db.js';
import { LIVE_STATUSES } from '../domain/enrollment-status.js';
import { paginate } from '../domain/paginate.js';
import type { Prisma } from '../generated/prisma/client.js';
import { signalEnrollment, type Orchestrator } from '../campaigns/orchestration.js';

type Tx = Prisma.TransactionClient;
const LIVE = LIVE_STATUSES;
export type EndStatus = 'unsubscribed' | 'bounced' | 'stopped' | 'replied';

/**
 * Ends the live enrollments of these leads (in one campaign, or all), inside the caller's
 * transaction; returns the ones whose workflows must be told.
 */
export async function endEnrollments(tx: Tx, where: { leadIds: string[]; campaignId?: string | undefined }, status: EndStatus, reason: string) {
  if (where.leadIds.length === 0) return [];
  const live = await tx.enrollment.findMany({
    where: { leadId: { in: where.leadIds }, status: { in: [...LIVE] }, ...(where.campaignId ? { campaignId: where.campaignId } : {}) },
    select: { id: true, workflowStartedAt: true },
  });
  await tx.enrollment.updateMany({
    where: { id: { in: live.map((e) => e.id) }, status: { in: [...LIVE] } },
    data: { status, stopReason: reason, finishedAt: new Date(), nextSendAt: null },
  });
  return live.filter((e) => e.workflowStartedAt).map((e) => e.id);
}

/** After the transaction commits: the rows already stop every send; the signals end the workflows now. */
export async function notifyEnded(orchestrator: Orchestrator, enrollmentIds: string[], signal: 'reply' | 'stop', reason: EndStatus) {
  await Promise.all(enrollmentIds.map((id) => signalEnrollment(orchestrator, id, signal, signal === 'stop' ? { reason } : {})));
}

/** SPEC §6: up to 1,000 addresses; suppressing an enrolled address stops it. */
export async function suppressEmails(db: Db, orchestrator: Orchestrator, workspaceId: string, emails: string[], reason = 'manual') {
  const unique = [...new Set(emails)];
  const ended = await db.$transaction(async (tx) => {
    const inserted = await tx.$executeRaw`
      INSERT INTO "Suppression" ("workspaceId", email, reason, "createdAt")
      SELECT ${workspaceId}, e, ${reason}, now() FROM unnest(${unique}::text[]) AS e
      ON CONFLICT ("workspaceId", email) DO NOTHING`;
    const leads = await tx.lead.findMany({ where: { workspaceId, email: { in: unique } }, select: { id: true } });
    const ids = await endEnrollments(tx, { leadIds: leads.map((l) => l.id) }, 'stopped', `suppressed (${reason})`);
    return { inserted, ids };
  });
  await notifyEnded(orchestrator, ended.ids, 'stop', 'stopped');
  return { suppressed: ended.inserted, alreadySuppressed: unique.length - ended.inserted, total: unique.length };
}

export async function listSuppressions(db: Db, workspaceId: string, query: { limit: number; cursor?: string | undefined }) {
  const rows = await db.suppression.findMany({
    where: { workspaceId, ...(query.cursor ? { email: { gt: query.cursor } } : {}) },
    orderBy: { email: 'asc' },
    take: query.limit + 1,
  });
  const { page, nextCursor } = paginate(rows, query.limit, (s) => s.email);
  return { data: page.map((s) => ({ email: s.email, reason: s.reason, createdAt: s.createdAt.toISOString() })), nextCursor };
}

export async function unsuppress(db: Db, workspaceId: string, email: string): Promise<boolean> {
  const { count } = await db.suppression.deleteMany({ where: { workspaceId, email } });
  return count > 0;
}
