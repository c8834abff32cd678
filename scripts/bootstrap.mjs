// Runs before any dependency may exist (plain JS, Node builtins only): installs dependencies when
// they are missing or stale and generates the Prisma client, so `npm start` and `npm test` work on
// a fresh clone. Prisma's schema engine is never downloaded: `generate` does not need it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => path.join(root, p);
const mtime = (p) => (existsSync(at(p)) ? statSync(at(p)).mtimeMs : 0);

function sh(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`\n${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

if (!existsSync(at('node_modules/.package-lock.json')) || mtime('package-lock.json') > mtime('node_modules/.package-lock.json')) {
  console.log('Installing dependencies (npm ci)…');
  sh('npm', ['ci', '--no-audit', '--no-fund']);
}

if (mtime('prisma/schema.prisma') > mtime('src/generated/prisma/client.ts')) {
  // Any existing file satisfies the CLI's engine check; `generate` itself runs on WebAssembly.
  const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  sh('npx', ['prisma', 'generate'], env);
}

const [script, ...args] = process.argv.slice(2);
if (script) {
  const child = spawn(process.execPath, ['--import', 'tsx', at(script), ...args], { cwd: root, stdio: 'inherit' });
  // Stay alive until the child has cleaned up; pass on every stop request (it handles repeats).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  // npm exits on SIGTERM without passing it on; an orphaned bootstrap stops the stack itself.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && child.kill('SIGTERM'), 500).unref();
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
