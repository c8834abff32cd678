import type { Db } from '../db.js';
import { InvalidValueError } from '../domain/errors.js';
import { eventBody } from './events.js';

type Row = { id: string; workspaceId: string; type: string; data: unknown; createdAt: Date; seq: bigint };

/**
 * SPEC §11 event feed: the workspace's events after `after` (an event id; empty: from the first
 * kept), oldest first. Only events whose transaction is older than every transaction still running
 * are served: an event committed later always sorts after what was served, so a reader that keeps
 * the last id it saw gets every event exactly once.
 */
export async function eventsAfter(db: Db, workspaceId: string, query: { after: string; limit: number; type?: string | undefined }) {
  const from = query.after ? await seqOf(db, workspaceId, query.after) : 0n;
  const rows = await db.$queryRaw<Row[]>`
    SELECT id, "workspaceId", type, data, "createdAt", seq FROM "Event"
     WHERE "workspaceId" = ${workspaceId} AND seq > ${from}
       AND txid < txid_snapshot_xmin(txid_current_snapshot())
       AND (${query.type ?? null}::text IS NULL OR type = ${query.type ?? null})
     ORDER BY seq LIMIT ${query.limit}`;
  const data = rows.map(eventBody);
  return { data, nextCursor: rows.at(-1)?.id ?? (query.after || null) };
}

async function seqOf(db: Db, workspaceId: string, id: string): Promise<bigint> {
  const [row] = await db.$queryRaw<{ seq: bigint }[]>`SELECT seq FROM "Event" WHERE id = ${id} AND "workspaceId" = ${workspaceId}`;
  if (!row) throw new InvalidValueError('after', 'no event of this workspace has this id', 'The after cursor names no event of this workspace: pass an id from a previous answer, or an empty after to start from the oldest kept event.');
  return row.seq;
}
