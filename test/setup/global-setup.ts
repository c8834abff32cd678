import type {} from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, stopChildren, type Child } from '../../scripts/lib/children.js';
import { startEmbeddedPostgres, type EmbeddedPg } from '../../scripts/lib/embedded-postgres.js';
import { applyMigrations } from '../../scripts/lib/migrate.js';
import { findChromium, type ChromiumFound } from '../../scripts/lib/chromium.js';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server.js';
import { obtainTemporalCli, obtainTestServer } from '../../scripts/lib/temporal-tools.js';
import { WORKFLOWS_PATH } from '../../src/worker/build-worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    testServerPath: string;
    temporalCli: string;
    /** The workflow code bundled once for the run: each file's workers load it instead of bundling again. */
    workflowBundlePath: string;
    /** For the console's browser tests: a Chromium binary, or why there is none. */
    chromium: ChromiumFound;
  }
}

const log = (line: string) => process.stdout.write(`[test setup] ${line}\n`);

let postgres: EmbeddedPg | undefined;
let temporal: Child | undefined;
let clusterParent: string | undefined;

async function withFreshPorts<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= attempts || !/already in use|EADDRINUSE|could not bind|exited/i.test(String(err))) throw err;
      log(`retrying on other ports: ${String(err).split('\n')[0]}`);
    }
  }
}

export async function setup(project: TestProject) {
  const [cli, testServerPath] = await Promise.all([obtainTemporalCli(log), obtainTestServer(log)]);

  // A fresh cluster per run, in the temp dir so the postgres OS user can reach it when run as root.
  clusterParent = mkdtempSync(path.join(tmpdir(), 'sequent-test-pg-'));
  chmodSync(clusterParent, 0o755);
  let temporalPort = 0;
  const bundled = bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  bundled.catch(() => undefined); // awaited below; a failed start before then must not leave it unhandled
  const workflowBundlePath = path.join(clusterParent, 'workflow-bundle.js');
  try {
    // One after the other: the dev server binds a few random ports of its own, which must not
    // land on the one PostgreSQL was just given. A lost race is retried on fresh ports.
    postgres = await withFreshPorts(async () =>
      startEmbeddedPostgres({ clusterDir: path.join(clusterParent!, 'cluster'), port: await freePort(), database: 'sequent_test' }),
    );
    temporal = await withFreshPorts(async () => {
      temporalPort = await freePort();
      return startTemporalDevServer({ cli, port: temporalPort, uiPort: await freePort(), dbFile: null, namespace: 'default', quiet: true });
    });
    await applyMigrations(postgres.url);
    writeFileSync(workflowBundlePath, (await bundled).code);
  } catch (err) {
    await teardown();
    throw err;
  }

  project.provide('databaseUrl', postgres.url);
  project.provide('temporalAddress', `127.0.0.1:${temporalPort}`);
  project.provide('testServerPath', testServerPath);
  project.provide('temporalCli', cli);
  project.provide('workflowBundlePath', workflowBundlePath);
  // Found (or installed) once here, not by each browser test file at the same time.
  project.provide('chromium', findChromium(process.env, log));
}

export async function teardown() {
  if (temporal) await stopChildren([temporal]);
  await postgres?.stop().catch(() => undefined);
  if (clusterParent) rmSync(clusterParent, { recursive: true, force: true });
}
