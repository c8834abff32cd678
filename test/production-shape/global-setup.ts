import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, isPortFree, stopChildren, type Child } from '../../scripts/lib/children.js';
import { startEmbeddedPostgres, type EmbeddedPg } from '../../scripts/lib/embedded-postgres.js';
import { obtainTemporalCli } from '../../scripts/lib/temporal-tools.js';
import { obtainTemporalServer, setupNamespace, setupTemporalSchema, startTemporalServer, TEMPORAL_SERVER_VERSION } from '../../scripts/lib/temporal-server.js';

const log = (line: string) => process.stdout.write(`[production shape] ${line}\n`);
let server: Child | undefined;

/** Membership ports are stored in a PostgreSQL smallint: they must be below 32768, where the kernel's ephemeral ports never are. */
async function freeMembershipPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await isPortFree(port))) return taken.add(port), port;
  }
}
let postgres: EmbeddedPg | undefined;
let dir: string | undefined;

/**
 * The production Temporal server on PostgreSQL (persistence and SQL visibility), set up as
 * docker-compose.yml sets it up; the fault suite's stacks then run their worker and API processes
 * against it instead of a dev server.
 */
export async function setup(project: TestProject) {
  const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await step();
    log(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  const [cli, binaries] = await Promise.all([obtainTemporalCli(log), timed(`Temporal server ${TEMPORAL_SERVER_VERSION} obtained`, () => obtainTemporalServer(log))]);
  dir = mkdtempSync(path.join(tmpdir(), 'sequent-production-shape-'));
  chmodSync(dir, 0o755);
  try {
    postgres = await startEmbeddedPostgres({ clusterDir: path.join(dir, 'pg'), port: await freePort(), database: 'postgres' });
    const url = new URL(postgres.url);
    const pg = { host: url.hostname, port: Number(url.port), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    await timed('schemas created (temporal, temporal_visibility)', () => setupTemporalSchema(binaries, pg));
    const [frontend, http, history, matching, worker, metrics] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
    const taken = new Set<number>();
    const membership = [await freeMembershipPort(taken), await freeMembershipPort(taken), await freeMembershipPort(taken), await freeMembershipPort(taken)] as const;
    const ports = { frontend: frontend!, http: http!, history: history!, matching: matching!, worker: worker!, membership: [...membership] as [number, number, number, number], metrics: metrics! };
    server = await timed('server up', () => startTemporalServer(binaries, { dir: path.join(dir!, 'temporal'), pg, ports, quiet: !process.env.SHOW_TEMPORAL_LOG }));
    const address = `127.0.0.1:${frontend}`;
    await timed('namespace and search attributes', () => setupNamespace(cli, address, 'default'));
    project.provide('productionTemporal', address);
    project.provide('productionTemporalDb', postgres.url);
  } catch (err) {
    await teardown();
    throw err;
  }
}

export async function teardown() {
  if (server) await stopChildren([server]);
  await postgres?.stop().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
}
