import { MAY_WAIT_FOR_LOCKS, type Tx } from '../db.js';
import { NotFoundError } from '../domain/errors.js';
import { paginate } from '../domain/paginate.js';
import { endEnrollments, notifyEnded } from '../leads/endings.js';
import type { ServiceDeps } from '../services.js';
import { emitEvents } from '../webhooks/events.js';

/** Adds an address to the workspace's suppression list (the first reason stays). */
export async function suppressAddress(tx: Tx, workspaceId: string, email: string, reason: string): Promise<void> {
  await insertSuppressions(tx, workspaceId, [email], reason);
}

/** Inserts the addresses not yet on the list, each with a `suppression.added` event; returns how many. */
async function insertSuppressions(tx: Tx, workspaceId: string, emails: string[], reason: string): Promise<number> {
  const added = await tx.$queryRaw<{ email: string }[]>`
    INSERT INTO "Suppression" ("workspaceId", email, reason, "createdAt")
    SELECT ${workspaceId}, e, ${reason}, now() FROM unnest(${emails}::text[]) AS e
    ON CONFLICT ("workspaceId", email) DO NOTHING
    RETURNING email`;
  await emitEvents(tx, added.map(({ email }) => ({ workspaceId, type: 'suppression.added', data: { email, reason } })));
  return added.length;
}

/** SPEC §6: up to 1,000 addresses; suppressing an enrolled address stops it. */
export async function suppressEmails({ db, orchestrator, now }: ServiceDeps, workspaceId: string, emails: string[], reason = 'manual') {
  const unique = [...new Set(emails)];
  const ended = await db.$transaction(async (tx) => {
    const leads = await tx.lead.findMany({ where: { workspaceId, email: { in: unique } }, select: { id: true } });
    const ids = await endEnrollments(tx, { leadIds: leads.map((l) => l.id) }, 'stopped', `suppressed (${reason})`, now());
    const inserted = await insertSuppressions(tx, workspaceId, unique, reason);
    return { inserted, ids };
  }, MAY_WAIT_FOR_LOCKS);
  await notifyEnded(orchestrator, ended.ids, 'stopped');
  return { suppressed: ended.inserted, alreadySuppressed: unique.length - ended.inserted, total: unique.length };
}

export async function listSuppressions({ db }: ServiceDeps, workspaceId: string, query: { limit: number; cursor?: string | undefined }) {
  const rows = await db.suppression.findMany({
    where: { workspaceId, ...(query.cursor ? { email: { gt: query.cursor } } : {}) },
    orderBy: { email: 'asc' },
    take: query.limit + 1,
  });
  const { page, nextCursor } = paginate(rows, query.limit, (s) => s.email);
  return { data: page.map((s) => ({ email: s.email, reason: s.reason, createdAt: s.createdAt.toISOString() })), nextCursor };
}

/** Takes an address off the list (it may be enrolled again); NotFoundError when it was not on it. */
export async function unsuppress({ db }: ServiceDeps, workspaceId: string, email: string): Promise<void> {
  const { count } = await db.suppression.deleteMany({ where: { workspaceId, email } });
  if (count === 0) throw new NotFoundError('suppressed_address');
}
