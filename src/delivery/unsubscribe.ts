import type { Db } from '../db.js';
import { signalEnrollment, type Orchestrator } from '../campaigns/orchestration.js';

const LIVE = ['pending', 'active', 'paused'] as const;

/**
 * Suppresses the address a message went to (workspace-wide) and ends every live enrollment of
 * that lead. Idempotent: mail clients may POST the one-click link more than once.
 */
export async function unsubscribeByToken(db: Db, orchestrator: Orchestrator, token: string): Promise<{ email: string } | null> {
  const message = await db.message.findUnique({ where: { unsubscribeToken: token }, select: { workspaceId: true, leadId: true, toEmail: true } });
  if (!message) return null;
  const stopped = await db.$transaction(async (tx) => {
    await tx.suppression.upsert({
      where: { workspaceId_email: { workspaceId: message.workspaceId, email: message.toEmail } },
      create: { workspaceId: message.workspaceId, email: message.toEmail, reason: 'unsubscribed' },
      update: {},
    });
    const live = await tx.enrollment.findMany({ where: { leadId: message.leadId, status: { in: [...LIVE] } }, select: { id: true, workflowStartedAt: true } });
    await tx.enrollment.updateMany({
      where: { id: { in: live.map((e) => e.id) }, status: { in: [...LIVE] } },
      data: { status: 'unsubscribed', stopReason: 'unsubscribed via link', finishedAt: new Date(), nextSendAt: null },
    });
    return live.filter((e) => e.workflowStartedAt);
  });
  // The rows already stop every send; the signals end the workflows now instead of at their next step.
  await Promise.all(stopped.map((e) => signalEnrollment(orchestrator, e.id, 'stop', { reason: 'unsubscribed' })));
  return { email: message.toEmail };
}
