import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Db } from '../db.js';
import { eventsAfter, latestSettledId } from '../webhooks/event-feed.js';

const POLL_MS = 1_000;
const HEARTBEAT_MS = 15_000;
const BATCH = 100;

/**
 * GET /v1/events/stream: polls the feed (eventsAfter) each second and writes what is new as
 * Server-Sent Events whose ids are event ids, so Last-Event-ID resumes exactly. A bad cursor is
 * refused before the stream opens, as JSON.
 */
export async function streamEvents(c: Context, db: Db, workspaceId: string, options: { after: string | undefined; type: readonly string[] | undefined }) {
  // Without a cursor: what happens from now on (what the feed could already serve is skipped).
  let after = options.after ?? (await latestSettledId(db, workspaceId));
  const first = await eventsAfter(db, workspaceId, { after, limit: BATCH, type: options.type });
  return streamSSE(c, async (stream) => {
    let batch = first.data;
    let beat = Date.now();
    while (!stream.aborted) {
      for (const event of batch) {
        await stream.writeSSE({ id: event.id, event: event.event, data: JSON.stringify(event) });
        after = event.id;
      }
      if (Date.now() - beat >= HEARTBEAT_MS) {
        await stream.write(': heartbeat\n\n');
        beat = Date.now();
      }
      if (batch.length < BATCH) await stream.sleep(POLL_MS);
      batch = (await eventsAfter(db, workspaceId, { after, limit: BATCH, type: options.type })).data;
    }
  });
}
