import type { Tx } from '../db.js';
import type { Blocked } from './send-guard.js';

/**
 * The last word on pacing, taken right before the provider call: a paced account's calls begin at
 * least minGapSeconds apart, however their claims were spaced (one that left late must not bring
 * the next one closer). The account's row stays locked until this attempt commits, so the next
 * call of the account reads this one's time. Unpaced accounts match no row and take no lock.
 */
export async function takeCallTurn(tx: Tx, senderAccountId: string | null, at: Date): Promise<Blocked | null> {
  if (!senderAccountId) return null;
  const [account] = await tx.$queryRaw<{ minGapSeconds: number; lastCallAt: Date | null }[]>`
    SELECT "minGapSeconds", "lastCallAt" FROM "SenderAccount" WHERE id = ${senderAccountId} AND "minGapSeconds" > 0 FOR UPDATE`;
  if (!account) return null;
  const turn = (account.lastCallAt?.getTime() ?? 0) + account.minGapSeconds * 1000;
  if (turn > at.getTime()) return { kind: 'deferred', reason: 'pacing', until: new Date(turn) };
  await tx.$executeRaw`UPDATE "SenderAccount" SET "lastCallAt" = ${at} WHERE id = ${senderAccountId}`;
  return null;
}
