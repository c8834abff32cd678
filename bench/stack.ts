import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { NativeConnection } from '@temporalio/worker';
import { activitiesFromConfig } from '../src/activities/index.js';
import { createApp } from '../src/api/app.js';
import { parseConfig } from '../src/config.js';
import { createDb } from '../src/db.js';
import { createLogger } from '../src/logger.js';
import { createLocalTransport } from '../src/mail/local-transport.js';
import type { Mailer } from '../src/mail/mailer.js';
import { createWorkspace } from '../src/tenancy.js';
import { createTemporalClient } from '../src/temporal.js';
import { buildWorker } from '../src/worker/build-worker.js';
import { installRuntimeLogger } from '../src/worker/runtime-logger.js';
import { freePort, stopChildren } from '../scripts/lib/children.js';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres.js';
import { applyMigrations } from '../scripts/lib/migrate.js';
import { startTemporalDevServer } from '../scripts/lib/temporal-dev-server.js';
import { obtainTemporalCli } from '../scripts/lib/temporal-tools.js';

/** A whole Sequent stack for benchmarks: its own PostgreSQL, dev server, worker and HTTP API. */
export async function startBenchStack(options: { mailer?: Mailer; sendRatePerSecond?: number } = {}) {
  const parent = mkdtempSync(path.join(tmpdir(), 'sequent-bench-'));
  chmodSync(parent, 0o755);
  const [pgPort, tPort, uiPort, apiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const cli = await obtainTemporalCli((l) => console.log(l));
  const [pg, temporalServer] = await Promise.all([
    startEmbeddedPostgres({ clusterDir: path.join(parent, 'pg'), port: pgPort, database: 'sequent_bench' }),
    startTemporalDevServer({ cli, port: tPort, uiPort, dbFile: null, namespace: 'default', quiet: true }),
  ]);
  await applyMigrations(pg.url);
  const config = parseConfig({ DATABASE_URL: pg.url, TEMPORAL_ADDRESS: `127.0.0.1:${tPort}`, PORT: String(apiPort), LOG_LEVEL: 'warn' });
  const logger = createLogger('warn', 'bench');
  installRuntimeLogger(logger);
  const db = createDb(pg.url, { max: 20 });
  const temporal = createTemporalClient(config);
  const app = createApp({ config, db, temporal, logger });
  const server = serve({ fetch: app.fetch, port: apiPort, hostname: '127.0.0.1' });

  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS! });
  const worker = await buildWorker({
    connection,
    namespace: 'default',
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: activitiesFromConfig(config, { db, logger, client: temporal, mailer: options.mailer ?? createLocalTransport() }),
    sendRatePerSecond: options.sendRatePerSecond,
  });
  const running = worker.run();
  const { apiKey, workspace } = await createWorkspace(db, 'bench');

  const call = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${apiPort}${url}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  const stop = async () => {
    worker.shutdown();
    await running;
    await connection.close();
    server.close();
    await db.$disconnect();
    await temporal.connection.close();
    await stopChildren([temporalServer]);
    await pg.stop();
    rmSync(parent, { recursive: true, force: true });
  };
  return { db, call, workspaceId: workspace.id, stop, pgUrl: pg.url, temporal, temporalAddress: config.TEMPORAL_ADDRESS!, apiPort };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
