import { MAY_WAIT_FOR_LOCKS, type Db } from '../db.js';
import type { Orchestrator } from '../campaigns/orchestration.js';
import { endEnrollments, notifyEnded } from '../leads/endings.js';
import { suppressAddress } from '../replies/suppression.js';

/**
 * Suppresses the address a message went to (workspace-wide) and ends every live enrollment of
 * that lead. Idempotent: mail clients may POST the one-click link more than once.
 */
export async function unsubscribeByToken(db: Db, orchestrator: Orchestrator, token: string): Promise<{ email: string } | null> {
  const message = await db.message.findUnique({ where: { unsubscribeToken: token }, select: { workspaceId: true, leadId: true, toEmail: true } });
  if (!message) return null;
  const ended = await db.$transaction(async (tx) => {
    const ended = await endEnrollments(tx, { leadIds: [message.leadId] }, 'unsubscribed', 'unsubscribed via link', new Date());
    await suppressAddress(tx, message.workspaceId, message.toEmail, 'unsubscribed');
    return ended;
  }, MAY_WAIT_FOR_LOCKS);
  await notifyEnded(orchestrator, ended, 'stop', 'unsubscribed');
  return { email: message.toEmail };
}
