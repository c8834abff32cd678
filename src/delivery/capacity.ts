import type { Prisma } from '../generated/prisma/client.js';
import { localDay, nextLocalMidnight } from '../domain/schedule.js';

type Tx = Prisma.TransactionClient;
export type Sender = { id: string | null; email: string; name: string };
export type Reservation = { kind: 'reserved'; sender: Sender } | { kind: 'none'; until: Date };

// A paused sender holding a lead's thread is checked again after this long.
const PAUSED_SENDER_RECHECK_MS = 60 * 60 * 1000;

/**
 * Takes one unit of a sender's daily limit, atomically: the conditional upsert only adds while
 * `used < dailyLimit`, and the row lock serializes concurrent reservations on any number of workers.
 */
async function take(tx: Tx, senderId: string, day: string): Promise<Sender | null> {
  const rows = await tx.$queryRaw<{ id: string; email: string; name: string }[]>`
    WITH reserved AS (
      INSERT INTO "SenderDailyUsage" AS u ("senderAccountId", day, used)
      SELECT s.id, ${day}, 1 FROM "SenderAccount" s WHERE s.id = ${senderId} AND s.status = 'active' AND s."dailyLimit" > 0
      ON CONFLICT ("senderAccountId", day) DO UPDATE SET used = u.used + 1
        WHERE u.used < (SELECT "dailyLimit" FROM "SenderAccount" WHERE id = u."senderAccountId" AND status = 'active')
      RETURNING "senderAccountId")
    SELECT s.id, s.email, s.name FROM reserved r JOIN "SenderAccount" s ON s.id = r."senderAccountId"`;
  return rows[0] ?? null;
}

/**
 * Picks the sender for a step and reserves its capacity for today (the workspace's day).
 * Follow-ups go from the lead's first sender; step 1 goes from the active account with the most
 * capacity left (rotation). With no capacity left anywhere, the answer is when the day rolls over.
 */
export async function reserveSender(
  tx: Tx,
  options: { workspaceId: string; timezone: string; threadSenderId: string | null; now: Date; fallback: Sender },
): Promise<Reservation> {
  const day = localDay(options.now, options.timezone);
  const nextDay = nextLocalMidnight(options.now, options.timezone);

  if (options.threadSenderId) {
    const sender = await take(tx, options.threadSenderId, day);
    if (sender) return { kind: 'reserved', sender };
    const account = await tx.senderAccount.findUnique({ where: { id: options.threadSenderId }, select: { status: true } });
    if (!account) return { kind: 'reserved', sender: options.fallback }; // its account was deleted
    const paused = account.status !== 'active';
    return { kind: 'none', until: paused ? new Date(options.now.getTime() + PAUSED_SENDER_RECHECK_MS) : nextDay };
  }

  const candidates = await tx.$queryRaw<{ id: string }[]>`
    SELECT s.id FROM "SenderAccount" s
      LEFT JOIN "SenderDailyUsage" u ON u."senderAccountId" = s.id AND u.day = ${day}
     WHERE s."workspaceId" = ${options.workspaceId} AND s.status = 'active'
       AND COALESCE(u.used, 0) < s."dailyLimit"
     ORDER BY s."dailyLimit" - COALESCE(u.used, 0) DESC, s.id`;
  for (const { id } of candidates) {
    const sender = await take(tx, id, day);
    if (sender) return { kind: 'reserved', sender };
  }
  const anyAccount = await tx.senderAccount.findFirst({ where: { workspaceId: options.workspaceId }, select: { id: true } });
  // A workspace with no sender accounts sends as MAIL_FROM, without a daily limit.
  if (!anyAccount) return { kind: 'reserved', sender: options.fallback };
  return { kind: 'none', until: nextDay };
}

/**
 * "Name <email>" for the From header. Control characters (CR/LF above all: a new header line) and
 * angle brackets are dropped; a name with RFC 5322 specials — "Acme, Inc.", "Sales: EU" — becomes a
 * quoted string, so it can neither split into two addresses nor break the provider's parsing.
 */
export function formatFrom(sender: Sender): string {
  const name = sender.name.replace(/[\p{Cc}<>]/gu, '').trim();
  if (!name) return sender.email;
  return /[()[\]:;@\\,."]/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}" <${sender.email}>` : `${name} <${sender.email}>`;
}
