import { MAY_WAIT_FOR_LOCKS } from '../db.js';
import { endEnrollments, notifyEnded } from '../leads/endings.js';
import { suppressAddress } from '../replies/suppression.js';
import type { ServiceDeps } from '../services.js';

// Tokens are 24 random bytes in base64url; anything else (a NUL, a stray byte) is no link of ours
// and must not reach the database, which refuses such text with an error.
const isToken = (token: string) => /^[A-Za-z0-9_-]{16,128}$/.test(token);

/** The address an unsubscribe link stands for, or null for no link of ours. */
export async function unsubscribeTarget({ db }: ServiceDeps, token: string): Promise<{ email: string } | null> {
  if (!isToken(token)) return null;
  const message = await db.message.findUnique({ where: { unsubscribeToken: token }, select: { toEmail: true } });
  return message ? { email: message.toEmail } : null;
}

/**
 * Suppresses the address a message went to (workspace-wide) and ends every live enrollment of
 * that lead. Idempotent: mail clients may POST the one-click link more than once.
 */
export async function unsubscribeByToken({ db, orchestrator, now }: ServiceDeps, token: string): Promise<{ email: string } | null> {
  if (!isToken(token)) return null;
  const message = await db.message.findUnique({ where: { unsubscribeToken: token }, select: { workspaceId: true, leadId: true, toEmail: true } });
  if (!message) return null;
  const ended = await db.$transaction(async (tx) => {
    const ended = await endEnrollments(tx, { leadIds: [message.leadId] }, 'unsubscribed', 'unsubscribed via link', now());
    await suppressAddress(tx, message.workspaceId, message.toEmail, 'unsubscribed');
    return ended;
  }, MAY_WAIT_FOR_LOCKS);
  await notifyEnded(orchestrator, ended, 'unsubscribed');
  return { email: message.toEmail };
}
