import type { Tx } from '../db.js';
import { localDay, startOfLocalDay } from '../domain/schedule.js';

export type Sender = { id: string | null; email: string; name: string };

// A booked day's leads wake in 12 groups, 5 minutes apart, over its first hour.
const WAKE_SLOTS = 12;
const WAKE_SLOT_MS = 5 * 60 * 1000;
export type Reservation =
  | { kind: 'reserved'; sender: Sender }
  /** Today's capacity is used up; `key` names whose (a sender's, or the workspace pool's). */
  | { kind: 'exhausted'; key: string; capacity: number }
  /** No account that may send: the thread's sender is paused or in error, or every account is. */
  | { kind: 'unavailable' };

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
 * capacity left (rotation).
 */
export async function reserveSender(
  tx: Tx,
  options: { workspaceId: string; timezone: string; threadSenderId: string | null; now: Date; fallback: Sender },
): Promise<Reservation> {
  const day = localDay(options.now, options.timezone);

  if (options.threadSenderId) {
    const sender = await take(tx, options.threadSenderId, day);
    if (sender) return { kind: 'reserved', sender };
    const account = await tx.senderAccount.findUnique({ where: { id: options.threadSenderId }, select: { status: true, dailyLimit: true } });
    if (!account) return { kind: 'reserved', sender: options.fallback }; // its account was deleted
    if (account.status !== 'active' || account.dailyLimit <= 0) return { kind: 'unavailable' };
    return { kind: 'exhausted', key: options.threadSenderId, capacity: account.dailyLimit };
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
  const accounts = await tx.senderAccount.findMany({ where: { workspaceId: options.workspaceId }, select: { status: true, dailyLimit: true } });
  // A workspace with no sender accounts sends as MAIL_FROM, without a daily limit.
  if (accounts.length === 0) return { kind: 'reserved', sender: options.fallback };
  const capacity = accounts.filter((a) => a.status === 'active').reduce((n, a) => n + a.dailyLimit, 0);
  return capacity > 0 ? { kind: 'exhausted', key: `pool:${options.workspaceId}`, capacity } : { kind: 'unavailable' };
}

/**
 * Promises a lead that waits for capacity the first future day (workspace time) that still has
 * room under `key`'s daily capacity, and answers when that day begins. Each reset then wakes about
 * as many leads as can send, instead of every waiting lead to be refused again (SPEC §10 "no
 * herd"). A booking is a forecast, not a reservation: the lead claims capacity like any other when
 * it wakes, and books again if others took it first.
 */
export async function bookCapacity(
  tx: Tx,
  options: { enrollmentId: string; key: string; capacity: number; timezone: string; now: Date },
): Promise<Date> {
  await releaseBookings(tx, [options.enrollmentId]);
  // One booker per key at a time, so two leads never take the last place of a day together.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${options.key}))`;
  const today = localDay(options.now, options.timezone);
  const [free] = await tx.$queryRaw<{ day: string }[]>`
    SELECT to_char(${today}::date + g, 'YYYY-MM-DD') AS day
      FROM generate_series(1, 3660) AS g
      LEFT JOIN "CapacityBooking" b ON b.key = ${options.key} AND b.day = to_char(${today}::date + g, 'YYYY-MM-DD')
     WHERE COALESCE(b.booked, 0) < ${options.capacity}
     ORDER BY g LIMIT 1`;
  const day = free!.day;
  const [row] = await tx.$queryRaw<{ booked: number }[]>`
    INSERT INTO "CapacityBooking" (key, day, booked) VALUES (${options.key}, ${day}, 1)
    ON CONFLICT (key, day) DO UPDATE SET booked = "CapacityBooking".booked + 1
    RETURNING booked`;
  await tx.enrollment.update({ where: { id: options.enrollmentId }, data: { capacityKey: options.key, capacityDay: day } });
  // The day's leads wake in groups over its first hour, not all at midnight: the provider takes
  // them one at a time anyway, and the database and workers need not take them all at once.
  const place = (row!.booked - 1) % options.capacity;
  const slot = Math.floor(place / Math.ceil(options.capacity / WAKE_SLOTS));
  return new Date(startOfLocalDay(day, options.timezone).getTime() + slot * WAKE_SLOT_MS);
}

/** Gives back the bookings of these enrollments (they sent, ended or booked anew). */
export async function releaseBookings(tx: Tx, enrollmentIds: string[]): Promise<void> {
  if (enrollmentIds.length === 0) return;
  await tx.$executeRaw`
    WITH released AS (
      UPDATE "Enrollment" e SET "capacityKey" = NULL, "capacityDay" = NULL
        FROM "Enrollment" old
       WHERE e.id = old.id AND e.id = ANY(${enrollmentIds}::text[]) AND old."capacityKey" IS NOT NULL
      RETURNING old."capacityKey" AS key, old."capacityDay" AS day)
    UPDATE "CapacityBooking" b SET booked = GREATEST(b.booked - r.n, 0)
      FROM (SELECT key, day, count(*)::int AS n FROM released GROUP BY key, day) r
     WHERE b.key = r.key AND b.day = r.day`;
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
