import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import type { Db } from '../../db.js';
import type { AppEnv } from '../context.js';

const CHECK_TIMEOUT_MS = 2_000;

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function check(fn: () => Promise<unknown>): Promise<{ status: 'up' } | { status: 'down'; error: string }> {
  try {
    await withTimeout(fn(), CHECK_TIMEOUT_MS);
    return { status: 'up' };
  } catch (err) {
    // Prisma's messages open with an empty line and the call site; the reason is the last line.
    const lines = (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter(Boolean);
    return { status: 'down', error: lines.at(-1) ?? 'unreachable' };
  }
}

export function healthRoutes(deps: { db: Db; temporal: Client }) {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ data: { status: 'ok' } }));
  app.get('/readyz', async (c) => {
    const [postgres, temporal] = await Promise.all([
      check(() => deps.db.$queryRaw`SELECT 1`),
      check(() =>
        deps.temporal.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () =>
          deps.temporal.workflowService.getSystemInfo({}),
        ),
      ),
    ]);
    const checks = { postgres, temporal };
    const down = Object.entries(checks).filter(([, v]) => v.status === 'down').map(([k]) => k);
    if (down.length === 0) return c.json({ data: { status: 'ready', checks } });
    return c.json(
      {
        error: { code: 'unavailable', message: `Not ready: ${down.join(' and ')} ${down.length > 1 ? 'are' : 'is'} unreachable.` },
        checks,
      },
      503,
    );
  });
  return app;
}
