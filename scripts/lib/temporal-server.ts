/**
 * The production Temporal server (not the dev server): `go.temporal.io/server/cmd/server` with
 * PostgreSQL persistence and SQL visibility, set up the way docker-compose.yml does it (the SQL
 * tool creates both databases and brings their schemas to the server's version). Both binaries are
 * built once per user from the Go module proxy; the schema files come from the same module.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/contract.js';
import { cacheDir } from './cache.js';
import { freePort, isPortFree, startChild, stopChildren, waitForPort, type Child } from './children.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { run, which } from './run.js';
import { obtainTemporalCli } from './temporal-tools.js';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULE = 'go.temporal.io/server';

type Log = (line: string) => void;
export type ServerBinaries = { server: string; sqlTool: string; schemaDir: string };

async function goEnv(go: string, name: string): Promise<string> {
  const { code, output } = await run(go, ['env', name]);
  if (code !== 0) throw new Error(`go env ${name} failed: ${output}`);
  return output.trim();
}

/** Builds (once) and finds the server, the SQL schema tool and the PostgreSQL schema directory. */
export async function obtainTemporalServer(log: Log = () => {}): Promise<ServerBinaries> {
  const go = which('go');
  if (!go) throw new Error('The production Temporal server is built with Go ≥ 1.25 (`go` on PATH), from the Go module proxy.');
  const bin = path.join(cacheDir(), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const server = path.join(bin, 'server');
  const sqlTool = path.join(bin, 'sql');
  if (!existsSync(server) || !existsSync(sqlTool)) {
    log(`building ${MODULE} ${TEMPORAL_SERVER_VERSION} (server and SQL tool) with go install, once per user (about 10 minutes)…`);
    mkdirSync(bin, { recursive: true });
    const packages = [`${MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`, `${MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`];
    const { code, output } = await run(go, ['install', ...packages], { env: { ...process.env, GOBIN: bin, GOFLAGS: '-buildvcs=false' }, timeoutMs: 3_600_000 });
    if (code !== 0) throw new Error(`go install of the Temporal server failed:\n${output}`);
  }
  const schemaDir = path.join(await goEnv(go, 'GOMODCACHE'), `${MODULE}@${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  if (!existsSync(schemaDir)) {
    // The module cache was cleaned after the build: fetch the module (its source) again.
    const { code, output } = await run(go, ['mod', 'download', `${MODULE}@${TEMPORAL_SERVER_VERSION}`], { timeoutMs: 600_000 });
    if (code !== 0 || !existsSync(schemaDir)) throw new Error(`the Temporal server's schema files are missing: ${output}`);
  }
  return { server, sqlTool, schemaDir };
}

export type Pg = { host: string; port: number; user: string; password: string };

/** Creates `temporal` and `temporal_visibility` and brings them to the server's schema (docker-compose.yml's temporal-schema). */
export async function setupTemporalSchema(binaries: ServerBinaries, pg: Pg): Promise<void> {
  const env = { ...process.env, SQL_PLUGIN: 'postgres12', SQL_HOST: pg.host, SQL_PORT: String(pg.port), SQL_USER: pg.user, SQL_PASSWORD: pg.password };
  for (const [db, dir] of [['temporal', 'temporal'], ['temporal_visibility', 'visibility']] as const) {
    const steps = [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '-d', path.join(binaries.schemaDir, dir, 'versioned')]];
    for (const step of steps) {
      const { code, output } = await run(binaries.sqlTool, ['--db', db, ...step], { env, timeoutMs: 120_000 });
      if (code !== 0) throw new Error(`temporal-sql-tool --db ${db} ${step.join(' ')} failed:\n${output}`);
    }
  }
}

export type ServerPorts = { frontend: number; http: number; history: number; matching: number; worker: number; membership: [number, number, number, number]; metrics: number };

function configYaml(pg: Pg, ports: ServerPorts, dynamicConfig: string): string {
  const store = (db: string, maxConns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: "${db}"
        connectAddr: "${pg.host}:${pg.port}"
        connectProtocol: "tcp"
        user: "${pg.user}"
        password: "${pg.password}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const service = (name: string, grpc: number, membership: number, extra = '') => `  ${name}:
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${extra}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
${store('temporal', 20)}
    postgres-visibility:
${store('temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:${ports.metrics}"
services:
${service('frontend', ports.frontend, ports.membership[0], `\n      httpPort: ${ports.http}`)}
${service('history', ports.history, ports.membership[1])}
${service('matching', ports.matching, ports.membership[2])}
${service('worker', ports.worker, ports.membership[3])}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${ports.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${dynamicConfig}"
  pollInterval: "10s"
`;
}

// The dev server's flags in scripts/lib/temporal-dev-server.ts, as the production server takes them.
const DYNAMIC_CONFIG = `system.enableEagerWorkflowStart:
  - value: true
system.enableActivityEagerExecution:
  - value: true
`;

/** Starts the server (all four services in one process) and waits for its frontend port. */
export async function startTemporalServer(binaries: ServerBinaries, options: { dir: string; pg: Pg; ports: ServerPorts; quiet?: boolean }): Promise<Child> {
  const configDir = path.join(options.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const dynamicConfig = path.join(configDir, 'dynamic.yaml');
  writeFileSync(dynamicConfig, DYNAMIC_CONFIG);
  writeFileSync(path.join(configDir, 'production.yaml'), configYaml(options.pg, options.ports, dynamicConfig));
  const args = ['--root', options.dir, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'];
  const child = startChild('temporal-server', binaries.server, args, { quiet: options.quiet ?? true });
  const exited = child.exited.then((code) => {
    throw new Error(`the Temporal server exited (code ${code}) before it was ready`);
  });
  await Promise.race([waitForPort(options.ports.frontend, '127.0.0.1', 120_000), exited]);
  exited.catch(() => undefined);
  return child;
}

/** The namespace and the search attributes, as docker-compose.yml's temporal-setup does with the CLI. */
export async function setupNamespace(cli: string, address: string, namespace: string): Promise<void> {
  const operator = (args: string[]) => run(cli, ['operator', ...args, '--address', address], { timeoutMs: 60_000 });
  for (let attempt = 1; ; attempt++) {
    const health = await operator(['cluster', 'health']);
    if (health.code === 0 && health.output.includes('SERVING')) break;
    if (attempt >= 60) throw new Error(`the Temporal server never became healthy: ${health.output}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const described = await operator(['namespace', 'describe', '--namespace', namespace]);
  if (described.code !== 0) {
    const created = await operator(['namespace', 'create', '--namespace', namespace, '--retention', '30d']);
    if (created.code !== 0) throw new Error(`namespace create failed: ${created.output}`);
  }
  for (const attribute of SEARCH_ATTRIBUTES) {
    // Visibility may take a moment to know a new namespace: retried until it takes.
    for (let attempt = 1; ; attempt++) {
      const created = await operator(['search-attribute', 'create', '--namespace', namespace, '--name', attribute.name, '--type', 'Keyword']);
      if (created.code === 0 || /already exists/i.test(created.output)) break;
      if (attempt >= 20) throw new Error(`search attribute ${attribute.name}: ${created.output}`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/** Membership ports are stored in a PostgreSQL smallint: they must be below 32768, where the kernel's ephemeral ports never are. */
async function freeMembershipPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await isPortFree(port))) return taken.add(port), port;
  }
}

export type ProductionTemporal = { address: string; databaseUrl: string; child: Child; stop: () => Promise<void> };

/**
 * The production Temporal server on an embedded PostgreSQL of its own (persistence and SQL
 * visibility), set up as docker-compose.yml sets it up, under `dir`. `timed` reports each step.
 */
export async function startProductionTemporal(options: {
  dir: string;
  log: Log;
  quiet?: boolean;
  timed?: <T>(what: string, step: () => Promise<T>) => Promise<T>;
}): Promise<ProductionTemporal> {
  const timed = options.timed ?? (<T>(_: string, step: () => Promise<T>) => step());
  const [cli, binaries] = await Promise.all([obtainTemporalCli(options.log), timed(`Temporal server ${TEMPORAL_SERVER_VERSION} obtained`, () => obtainTemporalServer(options.log))]);
  const postgres = await startEmbeddedPostgres({ clusterDir: path.join(options.dir, 'pg'), port: await freePort(), database: 'postgres' });
  let child: Child | undefined;
  try {
    const url = new URL(postgres.url);
    const pg = { host: url.hostname, port: Number(url.port), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    await timed('schemas created (temporal, temporal_visibility)', () => setupTemporalSchema(binaries, pg));
    const [frontend, http, history, matching, worker, metrics] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
    const taken = new Set<number>();
    const membership: [number, number, number, number] = [await freeMembershipPort(taken), await freeMembershipPort(taken), await freeMembershipPort(taken), await freeMembershipPort(taken)];
    const ports = { frontend: frontend!, http: http!, history: history!, matching: matching!, worker: worker!, membership, metrics: metrics! };
    const started = await timed('server up', () => startTemporalServer(binaries, { dir: path.join(options.dir, 'temporal'), pg, ports, quiet: options.quiet ?? true }));
    child = started;
    const address = `127.0.0.1:${frontend}`;
    await timed('namespace and search attributes', () => setupNamespace(cli, address, 'default'));
    const stop = async () => {
      await stopChildren([started]);
      await postgres.stop().catch(() => undefined);
    };
    return { address, databaseUrl: postgres.url, child: started, stop };
  } catch (err) {
    if (child) await stopChildren([child]);
    await postgres.stop().catch(() => undefined);
    throw err;
  }
}

/** Bytes of the production server's two databases (`temporal`, `temporal_visibility`). */
export async function temporalDatabaseBytes(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>("SELECT sum(pg_database_size(datname))::text AS bytes FROM pg_database WHERE datname IN ('temporal', 'temporal_visibility')");
    return Number(rows[0]!.bytes);
  } finally {
    await client.end();
  }
}
