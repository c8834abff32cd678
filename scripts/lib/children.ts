import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export type Child = { name: string; process: ChildProcess; exited: Promise<number | null> };

const live = new Set<Child>();
/** Every child this process started that has not exited: what a process stopping in a hurry must not leave behind. */
export const liveChildren = (): Child[] => [...live];

/** Starts a child whose output lines are prefixed with its name (or dropped when `quiet`). */
export function startChild(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; quiet?: boolean; onLine?: (line: string) => void; format?: (line: string) => string } = {},
): Child {
  // Its own process group: a terminal's Ctrl-C reaches only the launcher, which then stops the
  // children in order (API and worker drain while Temporal and PostgreSQL are still up).
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        options.onLine?.(line);
        if (options.quiet || !line.trim()) continue;
        const shown = options.format ? options.format(line) : line;
        for (const part of shown.trimEnd().split('\n')) process.stdout.write(`[${name}] ${part}\n`);
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
    child.on('error', () => resolve(-1));
  });
  const started = { name, process: child, exited };
  live.add(started);
  void exited.then(() => live.delete(started));
  return started;
}

/** SIGTERM, then SIGKILL for whatever has not exited within `graceMs`. */
export async function stopChildren(children: Child[], graceMs = 8_000): Promise<void> {
  const alive = children.filter((c) => c.process.exitCode === null && c.process.signalCode === null);
  for (const c of alive) c.process.kill('SIGTERM');
  await Promise.all(
    alive.map(async (c) => {
      const timer = setTimeout(() => c.process.kill('SIGKILL'), graceMs);
      await c.exited;
      clearTimeout(timer);
    }),
  );
}

export function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listened on ${host}:${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be bound on `host` (0.0.0.0 also collides with a listener on any one address). */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host }, () => server.close(() => resolve(true)));
  });
}

/** Polls `url` until it answers 2xx; throws with its last answer after `timeoutMs` (or once `stop()` holds). */
export async function waitForHttp(url: string, timeoutMs: number, stop: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline && !stop()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      if (res.ok) return;
      last = await res.text();
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms: ${last}`);
}
