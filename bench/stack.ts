import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEV_ONLY_SECRET_ENCRYPTION_KEY, parseConfig } from '../src/config.js';
import { createDb } from '../src/db.js';
import { generateApiKey } from '../src/domain/api-keys.js';
import { createTemporalClient } from '../src/temporal.js';
import { workerNodeOptions } from '../src/worker/heap.js';
import { freePort, liveChildren, startChild, stopChildren, waitForHttp, type Child } from '../scripts/lib/children.js';
import { startEmbeddedPostgres, stopAllEmbeddedPostgres } from '../scripts/lib/embedded-postgres.js';
import { applyMigrations } from '../scripts/lib/migrate.js';
import { startTemporalDevServer } from '../scripts/lib/temporal-dev-server.js';
import { obtainTemporalCli } from '../scripts/lib/temporal-tools.js';
import { startProductionTemporal } from '../scripts/lib/temporal-server.js';
import { processTree } from './procs.js';
import { httpClient } from '../test/helpers/http-client.js';

const ROOT = path.resolve(import.meta.dirname, '..');
/** Temp dirs of stacks not yet stopped, removed by abortBenchStacks too. */
const tempDirs = new Set<string>();

/**
 * Stops whatever the bench started — the worker and API first, then the dev servers, then
 * PostgreSQL — for a run cut short by a signal. The children run in process groups of their own
 * (so a terminal's Ctrl-C does not hit them mid-scenario); nothing else would stop them.
 */
export async function abortBenchStacks(): Promise<void> {
  const children = liveChildren();
  const isService = (c: Child) => c.name === 'temporal' || c.name === 'temporal-server';
  await stopChildren(children.filter((c) => !isService(c)));
  await stopChildren(children.filter(isService));
  await stopAllEmbeddedPostgres();
  // Whatever else a scenario started (the capacity scenario's time-skipping test server, spawned by the SDK).
  for (const pid of processTree(process.pid).filter((p) => p !== process.pid)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

/** A last resort when the process ends before abortBenchStacks finished (a crash mid-stop): no orphan survives it. */
export function killChildrenOnExit(): void {
  process.on('exit', () => {
    for (const child of liveChildren()) child.process.kill('SIGKILL');
  });
}

/**
 * A whole Sequent stack for benchmarks, shaped as in production: its own PostgreSQL and dev
 * server, and the worker and API as separate processes started from their real entry points, so
 * each one's CPU and memory can be read on its own. The bench keeps a database and Temporal client
 * of its own to observe.
 */
export async function startBenchStack(
  options: {
    resend?: { apiKey: string; baseUrl: string };
    sendRatePerSecond?: number;
    workers?: number;
    apis?: number;
    sqlProfile?: boolean;
    /** `production`: the Temporal server built from the Go module proxy, on a PostgreSQL of its own. */
    temporal?: 'dev' | 'production';
  } = {},
) {
  const parent = mkdtempSync(path.join(tmpdir(), 'sequent-bench-'));
  tempDirs.add(parent);
  chmodSync(parent, 0o755);
  const [pgPort, tPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const apiPorts = await Promise.all(Array.from({ length: options.apis ?? 1 }, () => freePort()));
  const apiPort = apiPorts[0]!;
  const clusterDir = path.join(parent, 'pg');
  const startTemporal = async () => {
    if (options.temporal === 'production') {
      const production = await startProductionTemporal({ dir: path.join(parent, 'temporal'), log: (l) => console.log(l) });
      return { address: production.address, child: production.child, databaseUrl: production.databaseUrl as string | null, stop: production.stop };
    }
    const cli = await obtainTemporalCli((l) => console.log(l));
    const child = await startTemporalDevServer({ cli, port: tPort, uiPort, dbFile: null, namespace: 'default', quiet: true });
    return { address: `127.0.0.1:${tPort}`, child, databaseUrl: null, stop: () => stopChildren([child]) };
  };
  const [pg, temporalServer] = await Promise.all([
    startEmbeddedPostgres({ clusterDir, port: pgPort, database: 'sequent_bench', settings: options.sqlProfile ? ['shared_preload_libraries=pg_stat_statements'] : [] }),
    startTemporal(),
  ]);
  await applyMigrations(pg.url);

  const apiKey = generateApiKey();
  const env = {
    ...process.env,
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporalServer.address,
    PORT: String(apiPort),
    BOOTSTRAP_API_KEY: apiKey,
    LOG_LEVEL: 'warn',
    // The benchmarks drive one key far past any sane per-client limit on purpose: limit off.
    API_RATE_LIMIT: '0',
    // Resend refuses the default sender (sequent@localhost), and so does start-up with a Resend key.
    ...(options.resend ? { RESEND_API_KEY: options.resend.apiKey, RESEND_BASE_URL: options.resend.baseUrl, MAIL_FROM: 'Sequent Bench <bench@bench.example.com>' } : {}),
    // "No limit" is spelt as a rate no run can reach (with a Resend key the default would be 2/s).
    SEND_RATE_LIMIT: String(options.sendRatePerSecond ?? 10_000),
    // The load scenario's webhook receiver listens on loopback.
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    SECRET_ENCRYPTION_KEY: DEV_ONLY_SECRET_ENCRYPTION_KEY,
  };
  const node = (name: string, entry: string, extra: Record<string, string> = {}) =>
    startChild(name, process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), '--import', 'tsx', path.join(ROOT, entry)], { env: { ...env, ...extra } });
  // The worker runs as `npm start` runs it: with its heap limit (src/worker/heap.ts). More than one
  // of each shares the one Temporal and the one PostgreSQL, as a scaled-out deployment does.
  const workers = Array.from({ length: options.workers ?? 1 }, (_, i) => node(i ? `worker${i + 1}` : 'worker', 'worker.ts', { NODE_OPTIONS: workerNodeOptions(process.env) }));
  const apis = apiPorts.map((port, i) => node(i ? `api${i + 1}` : 'api', 'src/api/server.ts', { PORT: String(port) }));
  const children: Child[] = [...workers, ...apis];
  const [worker, api] = [workers[0]!, apis[0]!];

  const config = parseConfig({ DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporalServer.address, LOG_LEVEL: 'warn' });
  const db = createDb(pg.url, { max: 5 });
  if (options.sqlProfile) await db.$executeRawUnsafe('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const temporal = createTemporalClient(config);
  const bases = apiPorts.map((port) => `http://127.0.0.1:${port}`);
  await Promise.all(bases.map((base) => waitForHttp(`${base}/readyz`, 60_000)));
  const workspaceId = (await db.apiKey.findFirstOrThrow({ select: { workspaceId: true } })).workspaceId;

  // Calls take turns across the API processes, as a load balancer in front of them would.
  let turn = 0;
  const call = httpClient(() => bases[turn++ % bases.length]!, apiKey);

  const pids = {
    worker: () => worker.process.pid!,
    api: () => api.process.pid!,
    workers: () => workers.map((w) => w.process.pid!),
    apis: () => apis.map((a) => a.process.pid!),
    temporal: () => temporalServer.child.process.pid!,
    postgres: () => Number.parseInt(readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8'), 10),
    bench: () => process.pid,
  };

  const stop = async () => {
    // API and worker drain first, while Temporal and PostgreSQL are still up.
    await stopChildren(children);
    await db.$disconnect();
    await temporal.connection.close();
    await temporalServer.stop();
    await pg.stop();
    rmSync(parent, { recursive: true, force: true });
    tempDirs.delete(parent);
  };
  return { db, call, workspaceId, stop, pgUrl: pg.url, temporal, temporalAddress: config.TEMPORAL_ADDRESS!, temporalDbUrl: temporalServer.databaseUrl, apiPort, pids };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
