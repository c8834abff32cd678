import { Prisma, type Tx } from '../db.js';
import { localDay, startOfLocalDay } from '../domain/schedule.js';
import { holdAt, type SendConditions } from '../domain/send-plan.js';
import { effectiveDailyLimit, isPaced, paceGapMs, type Pacing } from '../domain/sending-limits.js';
import { followUpsDueToday, slotsPromisedToday } from './account-day.js';

export type Sender = { id: string | null; email: string; name: string };

// A booked day's leads wake in 12 groups, 5 minutes apart, over its first hour.
const WAKE_SLOTS = 12;
const WAKE_SLOT_MS = 5 * 60 * 1000;
export type Reservation =
  | { kind: 'reserved'; sender: Sender }
  /** The account's pacing puts its next send at `until`; the slot is the lead's (`senderId`). */
  | { kind: 'paced'; senderId: string; until: Date }
  /** Today's capacity is used up; `key` names whose (a sender's, or the workspace pool's). */
  | { kind: 'exhausted'; key: string; capacity: number }
  /** No account that may send: the thread's sender is paused or in error, or every account is. */
  | { kind: 'unavailable' };

type Account = Sender & { id: string; status: string; dailyLimit: number; used: number; nextSlotAt: Date | null; lastSendAt: Date | null } & Pacing & {
  rampStartLimit: number | null;
  rampIncreasePerDay: number | null;
  rampStartedAt: Date | null;
};

// A held slot long past (the lead waited for capacity or a window since) is no longer the lead's.
export const HELD_SLOT_GRACE_MS = 5 * 60 * 1000;

const limitOf = (a: Account, now: Date) =>
  effectiveDailyLimit(a.dailyLimit, a.rampStartLimit === null || !a.rampStartedAt ? null : { startLimit: a.rampStartLimit, increasePerDay: a.rampIncreasePerDay ?? 0, startedAt: a.rampStartedAt }, now);

/** Accounts with today's use. */
async function accounts(tx: Tx, where: { id: string } | { workspaceId: string }, day: string): Promise<Account[]> {
  const filter = 'id' in where ? Prisma.sql`s.id = ${where.id}` : Prisma.sql`s."workspaceId" = ${where.workspaceId}`;
  return tx.$queryRaw<Account[]>`
    SELECT s.id, s.email, s.name, s.status::text AS status, s."dailyLimit", s."minGapSeconds", s."jitterSeconds", s."nextSlotAt", s."lastSendAt",
           s."rampStartLimit", s."rampIncreasePerDay", s."rampStartedAt", COALESCE(u.used, 0)::int AS used
      FROM "SenderAccount" s LEFT JOIN "SenderDailyUsage" u ON u."senderAccountId" = s.id AND u.day = ${day}
     WHERE ${filter} ORDER BY s.id`;
}

/**
 * Takes the lead's pacing slot (its own, reserved earlier and come, or the account's next one,
 * moving it on; under the account's row lock) and, when that slot is now, one unit of today's
 * capacity (an atomic conditional upsert). No number of workers can put two sends from one account
 * closer than its gap, nor exceed its limit.
 */
async function reserveOn(tx: Tx, id: string, day: string, options: ReserveOptions & { random: () => number }): Promise<Reservation | null> {
  let [account] = await accounts(tx, { id }, day);
  // Pacing needs the account's row lock (its slots and last send); without pacing the conditional
  // upsert below keeps the limit alone, and claims of one account need not queue behind each other.
  if (account && isPaced(account)) {
    await tx.$queryRaw`SELECT 1 FROM "SenderAccount" WHERE id = ${id} FOR UPDATE`;
    // Read again after the lock, in a statement of its own, so it sees what the holder before committed.
    [account] = await accounts(tx, { id }, day);
  }
  if (!account || account.status !== 'active') return null;
  // A new lead takes only what the account's follow-ups due today leave (SPEC §10).
  const dailyLimit = limitOf(account, options.now);
  const limit = dailyLimit - (options.newLead ? await followUpsDueToday(tx, id, options.now, options.timezone, dailyLimit - account.used) : 0);
  // Judged as the planner judges them (holdAt): today's capacity, then the pacing slot.
  const hold = (c: Pick<SendConditions, 'capacityLeft' | 'slotAt'>) => holdAt(options.now, { timezone: options.timezone, ...c });
  if (hold({ capacityLeft: limit - account.used })) return null;
  const now = options.now.getTime();
  const held = options.heldSlot && options.heldSlot.getTime() >= now - HELD_SLOT_GRACE_MS ? options.heldSlot : null;
  const heldGate = held && hold({ slotAt: held });
  if (heldGate) return { kind: 'paced', senderId: id, until: heldGate.until };
  if (!held && isPaced(account)) {
    if (hold({ capacityLeft: limit - account.used - (await slotsPromisedToday(tx, id, options.now, options.timezone, HELD_SLOT_GRACE_MS)) })) return null;
    const slot = Math.max(now, account.nextSlotAt?.getTime() ?? now);
    await tx.senderAccount.update({ where: { id }, data: { nextSlotAt: new Date(slot + paceGapMs(account, options.random)) } });
    const gate = hold({ slotAt: new Date(slot) });
    if (gate) return { kind: 'paced', senderId: id, until: gate.until };
  }
  // Slots spread the sends; the gap itself is a floor between actual sends, so a lead that comes
  // late for its slot (its worker was busy or down) cannot crowd the send before it.
  const floor = account.lastSendAt ? account.lastSendAt.getTime() + account.minGapSeconds * 1000 : 0;
  if (floor > now) return { kind: 'paced', senderId: id, until: new Date(floor) };
  const taken = await tx.$executeRaw`
    INSERT INTO "SenderDailyUsage" AS u ("senderAccountId", day, used) VALUES (${id}, ${day}, 1)
    ON CONFLICT ("senderAccountId", day) DO UPDATE SET used = u.used + 1 WHERE u.used < ${limit}`;
  if (taken === 0) return null;
  if (isPaced(account)) await tx.senderAccount.update({ where: { id }, data: { lastSendAt: options.now } });
  return { kind: 'reserved', sender: { id, email: account.email, name: account.name } };
}

type ReserveOptions = {
  workspaceId: string;
  timezone: string;
  threadSenderId: string | null;
  now: Date;
  fallback: Sender;
  /** Step 1: the lead is not in a conversation yet, so due follow-ups go before it. */
  newLead?: boolean;
  /** A pacing slot the lead already holds on its thread's account. */
  heldSlot?: Date | null;
  random?: () => number;
};

/**
 * Picks the sender for a step and reserves its capacity for today (the workspace's day) and its
 * pacing slot. Follow-ups go from the lead's first sender; step 1 goes from the active account
 * whose next slot comes first (then the one with the most capacity left).
 */
export async function reserveSender(tx: Tx, options: ReserveOptions): Promise<Reservation> {
  const day = localDay(options.now, options.timezone);
  const reserve = { ...options, random: options.random ?? Math.random };
  if (options.threadSenderId) {
    const reserved = await reserveOn(tx, options.threadSenderId, day, reserve);
    if (reserved) return reserved;
    const [account] = await accounts(tx, { id: options.threadSenderId }, day);
    if (!account) return { kind: 'reserved', sender: options.fallback }; // its account was deleted
    const limit = limitOf(account, options.now);
    if (account.status !== 'active' || limit <= 0) return { kind: 'unavailable' };
    return { kind: 'exhausted', key: options.threadSenderId, capacity: limit };
  }

  const pool = await accounts(tx, { workspaceId: options.workspaceId }, day);
  // A workspace with no sender accounts sends as MAIL_FROM, without a daily limit.
  if (pool.length === 0) return { kind: 'reserved', sender: options.fallback };
  const now = options.now.getTime();
  const candidates = pool
    .filter((a) => a.status === 'active' && a.used < limitOf(a, options.now))
    .sort((a, b) => Math.max(now, a.nextSlotAt?.getTime() ?? now) - Math.max(now, b.nextSlotAt?.getTime() ?? now) || limitOf(b, options.now) - b.used - (limitOf(a, options.now) - a.used) || (a.id < b.id ? -1 : 1));
  for (const candidate of candidates) {
    const reserved = await reserveOn(tx, candidate.id, day, reserve);
    if (reserved) return reserved;
  }
  const capacity = pool.filter((a) => a.status === 'active').reduce((n, a) => n + limitOf(a, options.now), 0);
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
