import pg from 'pg';
import type { Logger } from '../logger.js';
import type { ServiceDeps } from '../services.js';
import { relayUndispatched } from '../webhooks/events.js';

export const EVENTS_CHANNEL = 'sequent_events';
const RETRY_MS = 1_000;

/**
 * Hands every new event to its webhooks within moments, whatever wrote it: PostgreSQL notifies
 * `sequent_events` when events are inserted (a statement trigger), and the worker dispatches what
 * is undispatched. Paths that dispatch right after their commit are only sped up by it; those that
 * do not (an ending's lead.* events) no longer wait for the minute relay, which stays as the net
 * for a lost connection. Several workers may all dispatch: delivery workflow ids make it once.
 */
export function startEventDispatcher(deps: ServiceDeps, databaseUrl: string, logger: Logger): { stop(): Promise<void> } {
  let client: pg.Client | null = null;
  let stopped = false;
  let running = false;
  let again = false;

  const drain = async () => {
    if (running) return void (again = true);
    running = true;
    try {
      do {
        again = false;
        while ((await relayUndispatched(deps, { olderThanMs: 0, batch: 200 })) === 200);
      } while (again && !stopped);
    } catch (err) {
      logger.warn({ err }, 'event dispatch failed; the relay will retry');
    } finally {
      running = false;
    }
  };

  const connect = async () => {
    while (!stopped) {
      try {
        client = new pg.Client({ connectionString: databaseUrl });
        client.on('notification', () => void drain());
        client.on('error', (err) => {
          logger.warn({ err }, 'event listener connection lost; reconnecting');
          void client?.end().catch(() => undefined);
          client = null;
          if (!stopped) setTimeout(() => void connect(), RETRY_MS);
        });
        await client.connect();
        await client.query(`LISTEN ${EVENTS_CHANNEL}`);
        await drain(); // what was written while nobody listened
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
      await client?.end().catch(() => undefined);
    },
  };
}
