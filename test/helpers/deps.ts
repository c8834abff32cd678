import { afterAll, inject } from 'vitest';
import { createApp, type AppDeps } from '../../src/api/app.js';
import { DEV_ONLY_SECRET_ENCRYPTION_KEY, parseConfig, type Config } from '../../src/config.js';
import { createDb, type Db } from '../../src/db.js';
import { createLogger } from '../../src/logger.js';
import { createWorkspace } from '../../src/tenancy.js';
import { createTemporalClient } from '../../src/temporal.js';
import { readBody } from './read-body.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig({
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `test-${process.pid}`,
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN,
    // Test receivers listen on loopback; the SSRF tests switch this off again.
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    // Tests fire requests far faster than any client; the rate-limit tests set their own limits.
    API_RATE_LIMIT: '100000',
    API_RATE_BURST: '100000',
    SECRET_ENCRYPTION_KEY: DEV_ONLY_SECRET_ENCRYPTION_KEY,
    ...overrides,
  });
}

let shared: AppDeps | undefined;

/** One set of clients per test file (a process), closed after the file's tests. */
export function testDeps(): AppDeps {
  if (!shared) {
    const config = testConfig();
    const deps: AppDeps = {
      config,
      db: createDb(config.DATABASE_URL!, { max: 10, waitForConnectionMs: 30_000 }),
      temporal: createTemporalClient(config),
      logger: createLogger('silent', 'test'),
    };
    shared = deps;
    afterAll(async () => {
      await deps.db.$disconnect();
      await deps.temporal.connection.close();
      shared = undefined;
    });
  }
  return shared;
}

export type TestResponse = { status: number; body: any; headers: Headers };

/** Calls an app in-process with a Bearer key, the way a client would over HTTP. */
export function apiClient(app: ReturnType<typeof createApp>, apiKey?: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse> => {
    const init: RequestInit = {
      method,
      headers: {
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    };
    const res = await app.request(path, init);
    const text = await readBody(res);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: keep the text so the assertion shows it */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', path, body, headers),
    patch: (path: string, body?: unknown, headers?: Record<string, string>) => call('PATCH', path, body, headers),
    delete: (path: string, headers?: Record<string, string>) => call('DELETE', path, undefined, headers),
    raw: call,
  };
}

/** A fresh workspace and key: every test owns its data. */
export async function newWorkspace(db: Db, name = 'test') {
  const { workspace, apiKey } = await createWorkspace(db, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  return { workspaceId: workspace.id, apiKey };
}

export async function testApp() {
  const deps = testDeps();
  const app = createApp(deps);
  const ws = await newWorkspace(deps.db);
  return { deps, app, ...ws, api: apiClient(app, ws.apiKey) };
}
