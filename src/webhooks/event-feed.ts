import { Prisma, type Db } from '../db.js';
import { InvalidValueError } from '../domain/errors.js';
import { eventBody } from './events.js';

type Row = { id: string; workspaceId: string; type: string; data: unknown; createdAt: Date };
type Position = { txid: bigint; seq: bigint };

// Only transactions older than every one still running (the snapshot's xmin) are served: the
// events below that horizon are final, and anything committed later has a txid at or above it.
const SETTLED = Prisma.sql`txid < txid_snapshot_xmin(txid_current_snapshot())`;

/**
 * SPEC §11 event feed: the workspace's events after `after` (an event id; empty: from the first
 * kept), in the order (writing transaction's id, seq). Ordering by seq alone is not enough: a
 * transaction that took its xid late can hold a smaller seq and commit after a larger one was
 * served (decision 55). Below the horizon nothing can appear any more, and a transaction still
 * running or yet to come sorts after every event served, so a reader that keeps the last id it saw
 * gets every event exactly once.
 */
export async function eventsAfter(db: Db, workspaceId: string, query: { after: string; limit: number; type?: readonly string[] | undefined; campaignId?: string | undefined }) {
  const from = query.after ? await positionOf(db, workspaceId, query.after) : { txid: 0n, seq: 0n };
  // A separate statement per shape, so the type filter is an index condition, not a filter.
  const ofType = query.type ? Prisma.sql`AND type = ANY(${query.type}::text[])` : Prisma.empty;
  const ofCampaign = query.campaignId ? Prisma.sql`AND ${query.campaignId} IN (data->>'campaignId', data->'reply'->>'campaignId')` : Prisma.empty;
  const rows = await db.$queryRaw<Row[]>`
    SELECT id, "workspaceId", type, data, "createdAt" FROM "Event"
     WHERE "workspaceId" = ${workspaceId} ${ofType} ${ofCampaign}
       AND (txid, seq) > (${from.txid}, ${from.seq}) AND ${SETTLED}
     ORDER BY txid, seq LIMIT ${query.limit}`;
  const data = rows.map(eventBody);
  return { data, nextCursor: rows.at(-1)?.id ?? (query.after || null) };
}

/** The last event the feed can serve now (empty when none has settled yet): a stream without a cursor goes on from it. */
export async function latestSettledId(db: Db, workspaceId: string): Promise<string> {
  const [row] = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Event" WHERE "workspaceId" = ${workspaceId} AND ${SETTLED}
     ORDER BY txid DESC, seq DESC LIMIT 1`;
  return row?.id ?? '';
}

async function positionOf(db: Db, workspaceId: string, id: string): Promise<Position> {
  const [row] = await db.$queryRaw<Position[]>`SELECT txid, seq FROM "Event" WHERE id = ${id} AND "workspaceId" = ${workspaceId}`;
  if (!row) throw new InvalidValueError('after', 'no event of this workspace has this id', 'The after cursor names no event of this workspace: pass an id from a previous answer, or an empty after to start from the oldest kept event.');
  return row;
}
