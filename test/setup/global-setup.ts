import type {} from 'vitest';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, stopChildren, type Child } from '../../scripts/lib/children.js';
import { startEmbeddedPostgres, type EmbeddedPg } from '../../scripts/lib/embedded-postgres.js';
import { applyMigrations } from '../../scripts/lib/migrate.js';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server.js';
import { obtainTemporalCli, obtainTestServer } from '../../scripts/lib/temporal-tools.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    testServerPath: string;
    temporalCli: string;
  }
}

const log = (line: string) => process.stdout.write(`[test setup] ${line}\n`);

let postgres: EmbeddedPg | undefined;
let temporal: Child | undefined;
let clusterParent: string | undefined;

export async function setup(project: TestProject) {
  const [cli, testServerPath] = await Promise.all([obtainTemporalCli(log), obtainTestServer(log)]);

  // A fresh cluster per run, in the temp dir so the postgres OS user can reach it when run as root.
  clusterParent = mkdtempSync(path.join(tmpdir(), 'sequent-test-pg-'));
  chmodSync(clusterParent, 0o755);
  const [pgPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  try {
    const [pgResult, temporalResult] = await Promise.allSettled([
      startEmbeddedPostgres({ clusterDir: path.join(clusterParent, 'cluster'), port: pgPort, database: 'sequent_test' }),
      startTemporalDevServer({ cli, port: temporalPort, uiPort, dbFile: null, namespace: 'default', quiet: true }),
    ]);
    if (pgResult.status === 'fulfilled') postgres = pgResult.value;
    if (temporalResult.status === 'fulfilled') temporal = temporalResult.value;
    if (pgResult.status === 'rejected') throw pgResult.reason;
    if (temporalResult.status === 'rejected') throw temporalResult.reason;
    await applyMigrations(postgres!.url);
  } catch (err) {
    await teardown();
    throw err;
  }

  project.provide('databaseUrl', postgres!.url);
  project.provide('temporalAddress', `127.0.0.1:${temporalPort}`);
  project.provide('testServerPath', testServerPath);
  project.provide('temporalCli', cli);
}

export async function teardown() {
  if (temporal) await stopChildren([temporal]);
  await postgres?.stop().catch(() => undefined);
  if (clusterParent) rmSync(clusterParent, { recursive: true, force: true });
}
