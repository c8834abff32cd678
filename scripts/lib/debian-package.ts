/**
 * Installs a Debian package once per machine when running as root where apt-get exists (the
 * developers' machines and CI): what a test needs from the distribution comes from its registry,
 * never from a download of its own.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export function aptInstall(pkg: string, log: (line: string) => void): boolean {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) return false;
  log(`installing Debian's ${pkg} package (once per machine)…`);
  const install = () => spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', pkg], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: 'ignore' }).status === 0;
  if (install()) return true;
  // Package lists may be missing or stale on a fresh machine.
  spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
  return install();
}
