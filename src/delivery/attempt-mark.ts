import type { Db, Tx } from '../db.js';
import type { Message } from '../generated/prisma/client.js';
import { movesFrom } from '../domain/message-states.js';

/**
 * What an attempt's mark found and left: the message, the earlier attempts' mark (`before`: when
 * the first call that may have gone out began, or null), and the marks counted with its own.
 */
export type Mark = { id: string; before: Date | null; marks: number };

/**
 * Marks the step "a call may have gone out", on its own connection before the transaction and the
 * call: should the call be made and the transaction never commit (a crash, a lost connection), the
 * row still says so, and only a same-key retry follows. Keeps an earlier mark's time (COALESCE).
 */
export async function markAttempt(db: Db, enrollmentId: string, stepNumber: number, at: Date): Promise<Mark | null> {
  const [mark] = await db.$queryRaw<Mark[]>`
    UPDATE "Message" m SET "unconfirmedSince" = COALESCE(old."unconfirmedSince", ${at}), "unconfirmedMarks" = old."unconfirmedMarks" + 1
      FROM (SELECT id, "unconfirmedSince", "unconfirmedMarks" FROM "Message" WHERE "enrollmentId" = ${enrollmentId} AND "stepNumber" = ${stepNumber} FOR UPDATE) old
     WHERE m.id = old.id AND m.status = 'sending'
    RETURNING m.id, old."unconfirmedSince" AS before, m."unconfirmedMarks" AS marks`;
  return mark ?? null;
}

/**
 * Takes back this attempt's own mark, once it knows its call sent nothing (it made none, or the
 * provider answered it with an error): the row says again what the earlier attempts left. Never
 * theirs (SPEC §9): an earlier call that got no answer may have gone out, whatever a later one is
 * told. Should another attempt have marked since, neither can vouch for the other: the mark stays
 * (its ProviderCall rows still tell which marks called). Its own call's row goes with it.
 */
export async function withdrawMark(db: Db | Tx, mark: Mark | null): Promise<void> {
  if (!mark) return;
  await db.$executeRaw`
    WITH answered AS (DELETE FROM "ProviderCall" WHERE "messageId" = ${mark.id} AND mark = ${mark.marks})
    UPDATE "Message" SET "unconfirmedSince" = ${mark.before}::timestamptz
     WHERE id = ${mark.id} AND status = 'sending' AND "unconfirmedMarks" = ${mark.marks}`;
}

/**
 * Records that this attempt's call begins, on its own connection (never the transaction's, which a
 * timeout may roll back after the call went out): from here its mark may stand for a sent mail.
 */
export async function recordCall(db: Db, messageId: string, mark: Mark | null, at: Date): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "ProviderCall" ("messageId", mark, "startedAt") VALUES (${messageId}, ${mark?.marks ?? 0}, ${at})
    ON CONFLICT DO NOTHING`;
}

/**
 * When the first call that may have sent this step began, other than this attempt's own: null when
 * every earlier mark is an attempt that never called (it was overlapped, or gave up before the call).
 * Only such a call makes a retry "no new mail" (exempt from caps and pacing, decision 83).
 */
export async function earlierCall(tx: Tx, messageId: string, ownMark: number | null): Promise<Date | null> {
  const [row] = await tx.$queryRaw<{ at: Date | null }[]>`
    SELECT min("startedAt") AS at FROM "ProviderCall" WHERE "messageId" = ${messageId} AND mark <> ${ownMark ?? -1}`;
  return row?.at ?? null;
}

/**
 * An ending that came between this attempt's mark and its lock settled the step `unknown` (the
 * mark says a call may have begun). Holding the lock now, before any call, this attempt knows
 * better when its mark was the only one: nobody called, so the step was withdrawn, not maybe sent.
 */
export async function withdrawOwnMark(tx: Tx, message: Message, mark: Mark | null): Promise<Message> {
  const ownMarkOnly = mark !== null && mark.before === null && message.unconfirmedMarks === mark.marks;
  if (message.status !== 'unknown' || !ownMarkOnly) return message;
  return tx.message.update({ where: { id: message.id, status: { in: movesFrom('withdrawn') } }, data: { status: 'cancelled', unconfirmedSince: null } });
}
