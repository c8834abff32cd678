// `npm start`: the whole stack on embedded defaults — the Temporal dev server with its Web UI, an
// embedded PostgreSQL (unless DATABASE_URL is set), migrations, then the worker and the API as
// separate processes. With TEMPORAL_ADDRESS and DATABASE_URL set it starts only worker and API.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit } from '../src/config.js';
import { generateApiKey } from '../src/domain/api-keys.js';
import { startChild, stopChildren, waitForHttp, type Child } from './lib/children.js';
import { applyMigrations } from './lib/migrate.js';
import { recordProcesses, stopRecordedProcesses } from './lib/stale-processes.js';
import { startTemporalDevServer } from './lib/temporal-dev-server.js';
import { obtainTemporalCli } from './lib/temporal-tools.js';
import { workerNodeOptions } from '../src/worker/heap.js';

const config = loadConfigOrExit();
const dataDir = path.resolve(config.DATA_DIR);
const embeddedPgPort = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
const log = (line: string) => process.stdout.write(`[start] ${line}\n`);
const started = performance.now();

const children: Child[] = [];
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  const stopStarted = performance.now();
  log('stopping…');
  // API and worker first (they drain), then the services they use.
  const services = new Set(['temporal', 'postgres']);
  await stopChildren(children.filter((c) => !services.has(c.name)));
  await stopChildren(children.filter((c) => services.has(c.name)));
  rmSync(pidFile, { force: true });
  log(`stopped in ${((performance.now() - stopStarted) / 1000).toFixed(1)} s`);
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
// If whoever started us dies without a signal reaching us, stop rather than leave a stack behind.
const parentPid = process.ppid;
setInterval(() => process.ppid !== parentPid && void shutdown(0), 500).unref();

function devApiKey(): string {
  if (config.BOOTSTRAP_API_KEY) return config.BOOTSTRAP_API_KEY;
  const file = path.join(dataDir, 'dev-api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = generateApiKey();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** The embedded PostgreSQL runs as a child, so it is stopped last, after API and worker. */
function startPostgresProcess(): Promise<string> {
  return new Promise((resolve, reject) => {
    let lines = '';
    const child = startChild('postgres', process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, 'postgres-process.ts'), dataDir, String(embeddedPgPort)], {
      quiet: true,
      onLine: (line) => {
        lines += `${line}\n`;
        const ready = /^ready (\S+)/.exec(line);
        if (ready) resolve(ready[1]!);
      },
    });
    children.push(child);
    void child.exited.then((code) => reject(new Error(`embedded PostgreSQL exited (code ${code}):\n${lines.slice(-2000)}`)));
  });
}

const pidFile = path.join(dataDir, 'stack.pids');
const recordChildren = () => recordProcesses(pidFile, children.flatMap((c) => (c.process.pid ? [c.process.pid] : [])));

try {
  mkdirSync(dataDir, { recursive: true });
  const stale = await stopRecordedProcesses(pidFile);
  if (stale) log(`stopped ${stale} process(es) left behind by an earlier start`);

  let temporalAddress = config.TEMPORAL_ADDRESS;
  let temporalUi: string | null = null;
  if (!temporalAddress) {
    const cli = await obtainTemporalCli(log);
    children.push(
      await startTemporalDevServer({
        cli,
        port: config.TEMPORAL_PORT,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: path.join(dataDir, 'temporal.db'),
        namespace: config.TEMPORAL_NAMESPACE,
      }),
    );
    temporalAddress = `127.0.0.1:${config.TEMPORAL_PORT}`;
    temporalUi = `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
  }

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    databaseUrl = await startPostgresProcess();
  }

  const applied = await applyMigrations(databaseUrl);
  if (applied.length) log(`applied migrations: ${applied.join(', ')}`);

  const apiKey = devApiKey();
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    BOOTSTRAP_API_KEY: apiKey,
  };
  const node = (entry: string) => ['--import', 'tsx', path.resolve(import.meta.dirname, '..', entry)];
  for (const [name, entry] of [['worker', 'worker.ts'], ['api', 'src/api/server.ts']] as const) {
    const child = startChild(name, process.execPath, node(entry), {
      env: name === 'worker' ? { ...env, NODE_OPTIONS: workerNodeOptions(process.env) } : env,
    });
    children.push(child);
  }
  recordChildren();
  // From here on, any process that dies takes the stack down with a message, not half of it.
  for (const child of children) {
    void child.exited.then((code) => {
      if (!stopping) {
        log(`${child.name} exited unexpectedly (code ${code}); stopping the stack`);
        void shutdown(1);
      }
    });
  }

  const apiUrl = `http://127.0.0.1:${config.PORT}`;
  await waitForHttp(`${apiUrl}/readyz`, 60_000, () => stopping);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`
  Sequent is ready (${seconds} s)

    API          ${apiUrl}            (docs: ${apiUrl}/docs)
    Temporal UI  ${temporalUi ?? `(external Temporal at ${temporalAddress})`}
    PostgreSQL   ${databaseUrl.replace(/:[^:@/]+@/, ':****@')}
    API key      ${apiKey}

    curl -H "Authorization: Bearer ${apiKey}" ${apiUrl}/v1/campaigns

  Data is kept in ${dataDir}. Press Ctrl-C to stop.

`);
} catch (err) {
  process.stderr.write(`[start] ${err instanceof Error ? err.message : String(err)}\n`);
  await shutdown(1);
}
