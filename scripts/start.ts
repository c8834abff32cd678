// `npm start`: the whole stack on embedded defaults — the Temporal dev server with its Web UI, an
// embedded PostgreSQL (unless DATABASE_URL is set), migrations, then the worker and the API as
// separate processes. With TEMPORAL_ADDRESS and DATABASE_URL set it starts only worker and API.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEV_ONLY_SECRET_ENCRYPTION_KEY, loadConfigOrExit } from '../src/config.js';
import { generateApiKey } from '../src/domain/api-keys.js';
import { startChild, stopChildren, waitForHttp, type Child } from './lib/children.js';
import { applyMigrations } from './lib/migrate.js';
import { choosePort, type PortSetting } from './lib/ports.js';
import { recordProcesses, stopRecordedProcesses } from './lib/stale-processes.js';
import { startTemporalDevServer } from './lib/temporal-dev-server.js';
import { obtainTemporalCli } from './lib/temporal-tools.js';
import { workerNodeOptions } from '../src/worker/heap.js';
import { prettyFormatter } from '../src/logger.js';

const config = loadConfigOrExit();
const dataDir = path.resolve(config.DATA_DIR);
const log = (line: string) => process.stdout.write(`[start] ${line}\n`);
// The ports this launcher binds. A default that is taken moves aside; one set by its variable must be free.
const PORTS = {
  api: { variable: 'PORT', what: 'API', fallback: config.PORT, explicit: process.env.PORT, host: '0.0.0.0' },
  temporal: { variable: 'TEMPORAL_PORT', what: 'Temporal frontend', fallback: config.TEMPORAL_PORT, explicit: process.env.TEMPORAL_PORT },
  temporalUi: { variable: 'TEMPORAL_UI_PORT', what: 'Temporal UI', fallback: config.TEMPORAL_UI_PORT, explicit: process.env.TEMPORAL_UI_PORT },
  postgres: { variable: 'EMBEDDED_PG_PORT', what: 'embedded PostgreSQL', fallback: 54329, explicit: process.env.EMBEDDED_PG_PORT },
} satisfies Record<string, PortSetting>;
const portFor = (setting: PortSetting) => choosePort(setting, log);
// Children write JSON log lines into a pipe; a person at a terminal reads them formatted.
const formatLogs = process.stdout.isTTY ? prettyFormatter() : undefined;
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

/** The children's SECRET_ENCRYPTION_KEY when none is set: the dev-only one, said out loud. */
function devOnlyEncryptionKey(): Record<string, string> {
  if (config.SECRET_ENCRYPTION_KEY) return {};
  log('SECRET_ENCRYPTION_KEY is unset: webhook secrets are encrypted with the built-in DEV-ONLY key; set your own for anything but local development');
  return { SECRET_ENCRYPTION_KEY: DEV_ONLY_SECRET_ENCRYPTION_KEY };
}

function devApiKey(): string {
  if (config.BOOTSTRAP_API_KEY) return config.BOOTSTRAP_API_KEY;
  const file = path.join(dataDir, 'dev-api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = generateApiKey();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** The embedded PostgreSQL runs as a child, so it is stopped last, after API and worker. */
function startPostgresProcess(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let lines = '';
    const child = startChild('postgres', process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, 'postgres-process.ts'), dataDir, String(port)], {
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

/** Fails before anything starts when a port the user set is taken; the defaults are chosen as each service starts. */
async function checkExplicitPorts() {
  const owned = [PORTS.api, ...(config.TEMPORAL_ADDRESS ? [] : [PORTS.temporal, PORTS.temporalUi]), ...(config.DATABASE_URL ? [] : [PORTS.postgres])];
  for (const setting of owned.filter((s) => s.explicit?.trim())) await choosePort(setting);
}

async function startTemporal() {
  const cli = await obtainTemporalCli(log);
  const port = await portFor(PORTS.temporal);
  const uiPort = await portFor(PORTS.temporalUi);
  children.push(
    await startTemporalDevServer({ cli, port, uiPort, dbFile: path.join(dataDir, 'temporal.db'), namespace: config.TEMPORAL_NAMESPACE }),
  );
  return { address: `127.0.0.1:${port}`, ui: `http://127.0.0.1:${uiPort}` };
}

try {
  mkdirSync(dataDir, { recursive: true });
  const stale = await stopRecordedProcesses(pidFile);
  if (stale) log(`stopped ${stale} process(es) left behind by an earlier start`);
  await checkExplicitPorts();

  const temporal = config.TEMPORAL_ADDRESS ? { address: config.TEMPORAL_ADDRESS, ui: null } : await startTemporal();
  const temporalAddress = temporal.address;
  // After the dev server: it binds a few random ports of its own, which must not be PostgreSQL's.
  const databaseUrl = config.DATABASE_URL ?? (await startPostgresProcess(await portFor(PORTS.postgres)));

  const applied = await applyMigrations(databaseUrl);
  if (applied.length) log(`applied migrations: ${applied.join(', ')}`);

  const apiKey = devApiKey();
  const apiPort = await portFor(PORTS.api);
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    BOOTSTRAP_API_KEY: apiKey,
    ...devOnlyEncryptionKey(),
    // The worker too: unsubscribe links point at the API's port unless PUBLIC_URL is set.
    PORT: String(apiPort),
  };
  const node = (entry: string) => ['--import', 'tsx', path.resolve(import.meta.dirname, '..', entry)];
  for (const [name, entry] of [['worker', 'worker.ts'], ['api', 'src/api/server.ts']] as const) {
    const child = startChild(name, process.execPath, node(entry), {
      env: name === 'worker' ? { ...env, NODE_OPTIONS: workerNodeOptions(process.env) } : env,
      format: formatLogs,
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

  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitForHttp(`${apiUrl}/readyz`, 60_000, () => stopping);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`
  Sequent is ready (${seconds} s)

    Console      ${apiUrl}/           (sign in with the API key below)
    API          ${apiUrl}            (docs: ${apiUrl}/docs)
    Temporal UI  ${temporal.ui ?? '(external Temporal)'}
    Temporal     ${temporalAddress}
    PostgreSQL   ${databaseUrl.replace(/:[^:@/]+@/, ':****@')}
    API key      ${apiKey}

    curl -H "Authorization: Bearer ${apiKey}" ${apiUrl}/v1/campaigns

  Data is kept in ${dataDir}. Press Ctrl-C to stop.

`);
} catch (err) {
  process.stderr.write(`[start] ${err instanceof Error ? err.message : String(err)}\n`);
  await shutdown(1);
}
