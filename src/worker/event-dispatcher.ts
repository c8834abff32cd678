import pg from 'pg';
import type { Logger } from '../logger.js';
import type { ServiceDeps } from '../services.js';
import { relayUndispatched } from '../webhooks/events.js';

export const EVENTS_CHANNEL = 'sequent_events';
const RETRY_MS = 1_000;
/**
 * How long the dispatcher lets a notified event lie: the path that wrote it has usually
 * dispatched it right after its commit by then (a send, a reply), and under load one drain takes
 * in every notification of the window instead of one drain per commit racing the writers.
 */
export const DISPATCH_SETTLE_MS = 1_000;

/**
 * Hands every new event to its webhooks within moments, whatever wrote it: PostgreSQL notifies
 * `sequent_events` when events are inserted (a statement trigger), and the worker dispatches what
 * is undispatched. Paths that dispatch right after their commit are only sped up by it; those that
 * do not (an ending's lead.* events) no longer wait for the minute relay, which stays as the net
 * for a lost connection. Several workers may all dispatch: delivery workflow ids make it once.
 * A notification opens a window of `settleMs`; its drain takes the events at least half a window
 * old, and one that came too late for them opens the next window.
 */
export function startEventDispatcher(
  deps: ServiceDeps,
  databaseUrl: string,
  logger: Logger,
  { settleMs = DISPATCH_SETTLE_MS }: { settleMs?: number } = {},
): { stop(): Promise<void>; drains(): number } {
  let client: pg.Client | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let lastNotice = 0;
  let drains = 0;

  const drain = async () => {
    drains++;
    const from = Date.now();
    try {
      while ((await relayUndispatched(deps, { olderThanMs: settleMs / 2, batch: 200 })) === 200);
    } catch (err) {
      logger.warn({ err }, 'event dispatch failed; the relay will retry');
    }
    timer = null;
    // Events notified too recently to be taken wait for the next window.
    if (lastNotice > from - settleMs / 2 && !stopped) timer = setTimeout(() => void drain(), settleMs);
  };
  const schedule = () => {
    lastNotice = Date.now();
    timer ??= setTimeout(() => void drain(), settleMs);
  };

  const connect = async () => {
    while (!stopped) {
      try {
        client = new pg.Client({ connectionString: databaseUrl });
        client.on('notification', schedule);
        client.on('error', (err) => {
          logger.warn({ err }, 'event listener connection lost; reconnecting');
          void client?.end().catch(() => undefined);
          client = null;
          if (!stopped) setTimeout(() => void connect(), RETRY_MS);
        });
        await client.connect();
        await client.query(`LISTEN ${EVENTS_CHANNEL}`);
        schedule(); // what was written while nobody listened
        return;
      } catch (err) {
        logger.warn({ err }, 'event listener could not connect; retrying');
        await client?.end().catch(() => undefined);
        client = null;
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  };
  void connect();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
    drains: () => drains,
  };
}
