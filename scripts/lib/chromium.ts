/**
 * Finds a Chromium for the browser tests and the console screenshots, in the order a fresh
 * machine may have one: CHROMIUM_PATH, a system Chromium or Chrome, Playwright's own download
 * cache, and, when running as root on Debian, the distribution's `chromium` package (installed
 * once). Playwright's own browser download is never used: it needs the internet.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { aptInstall } from './debian-package.js';

const SYSTEM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium'];

/** Flags for a headless Chromium on a closed network, as root, in a container. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function playwrightCache(env: NodeJS.ProcessEnv): string | undefined {
  const root = env.PLAYWRIGHT_BROWSERS_PATH || path.join(homedir(), '.cache', 'ms-playwright');
  if (!existsSync(root)) return undefined;
  for (const dir of readdirSync(root).filter((d) => /^chromium(_headless_shell)?-\d+$/.test(d)).sort().reverse()) {
    for (const bin of ['chrome-linux/chrome', 'chrome-linux64/chrome', 'chrome-linux/headless_shell', 'chrome-headless-shell-linux64/chrome-headless-shell']) {
      if (existsSync(path.join(root, dir, bin))) return path.join(root, dir, bin);
    }
  }
  return undefined;
}

export type ChromiumFound = { path: string; from: string } | { error: string };

type Where = { systemPaths?: readonly string[]; install?: boolean };

export function findChromium(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = () => undefined, where: Where = {}): ChromiumFound {
  const { systemPaths = SYSTEM, install = true } = where;
  if (env.CHROMIUM_PATH) {
    return existsSync(env.CHROMIUM_PATH) ? { path: env.CHROMIUM_PATH, from: 'CHROMIUM_PATH' } : { error: `CHROMIUM_PATH is set to ${env.CHROMIUM_PATH}, which does not exist.` };
  }
  const system = systemPaths.find((p) => existsSync(p));
  if (system) return { path: system, from: 'the system' };
  const cached = playwrightCache(env);
  if (cached) return { path: cached, from: "Playwright's cache" };
  if (install && aptInstall('chromium', log) && existsSync('/usr/bin/chromium')) return { path: '/usr/bin/chromium', from: "Debian's chromium package" };
  return {
    error:
      'No Chromium found for the browser tests. Set CHROMIUM_PATH to a Chromium or Chrome binary, or install one ' +
      '(Debian/Ubuntu: `sudo apt-get install chromium`; elsewhere: `npx playwright install chromium` where the internet is reachable).',
  };
}
