import type { Db, Tx } from '../db.js';
import type { Message } from '../generated/prisma/client.js';

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
 * told. Should another attempt have marked since, neither can vouch for the other: the mark stays.
 */
export async function withdrawMark(db: Db | Tx, mark: Mark | null): Promise<void> {
  if (!mark) return;
  await db.$executeRaw`
    UPDATE "Message" SET "unconfirmedSince" = ${mark.before}::timestamptz
     WHERE id = ${mark.id} AND status = 'sending' AND "unconfirmedMarks" = ${mark.marks}`;
}

/**
 * An ending that came between this attempt's mark and its lock settled the step `unknown` (the
 * mark says a call may have begun). Holding the lock now, before any call, this attempt knows
 * better when its mark was the only one: nobody called, so the step was withdrawn, not maybe sent.
 */
export async function withdrawOwnMark(tx: Tx, message: Message, mark: Mark | null): Promise<Message> {
  const ownMarkOnly = mark !== null && mark.before === null && message.unconfirmedMarks === mark.marks;
  if (message.status !== 'unknown' || !ownMarkOnly) return message;
  return tx.message.update({ where: { id: message.id }, data: { status: 'cancelled', unconfirmedSince: null } });
}
