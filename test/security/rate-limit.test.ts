import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import type { Db } from '../../src/db.js';
import { createApiKey } from '../../src/tenancy.js';
import { apiClient, newWorkspace, testConfig, testDeps } from '../helpers/deps.js';

/**
 * Every /v1 request is limited per API key (a token bucket in the API process): here 2 requests/s
 * with bursts of 5, on a clock the test moves, so nothing depends on real time.
 */
describe('per-key rate limit', () => {
  const RATE = 2;
  const BURST = 5;

  async function limitedApp() {
    const deps = testDeps();
    let now = 1_000_000;
    let operations = 0;
    // Counts every database operation the app makes, to show a refused request costs none beyond auth.
    const db = deps.db.$extends({
      query: {
        async $allOperations({ args, query }) {
          operations++;
          return query(args);
        },
      },
    }) as unknown as Db;
    const app = createApp({
      ...deps,
      db,
      config: testConfig({ API_RATE_LIMIT: String(RATE), API_RATE_BURST: String(BURST) }),
      clock: () => now,
    });
    return {
      app,
      advance: (seconds: number) => {
        now += seconds * 1000;
      },
      operations: () => operations,
    };
  }

  it('lets the burst through and answers the next request 429 rate_limited with Retry-After; other keys are unaffected; after Retry-After the key works again', async () => {
    const { db } = testDeps();
    const { app, advance } = await limitedApp();
    const mine = await newWorkspace(db);
    const sameWorkspaceOtherKey = await createApiKey(db, mine.workspaceId);
    const otherWorkspace = await newWorkspace(db);
    const api = apiClient(app, mine.apiKey);

    const statuses: number[] = [];
    for (let i = 0; i < BURST; i++) {
      const res = await api.get('/v1/campaigns');
      statuses.push(res.status);
      expect(res.headers.get('ratelimit-limit')).toBe(String(BURST));
      expect(res.headers.get('ratelimit-remaining')).toBe(String(BURST - 1 - i));
    }
    expect(statuses).toEqual(Array(BURST).fill(200));

    const refused = await api.get('/v1/campaigns');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    const retryAfter = refused.headers.get('retry-after');
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    // Still refused however often it is retried at once, and for every method.
    expect((await api.post('/v1/campaigns', { name: 'x' })).status).toBe(429);

    // Another key of the same workspace, and another workspace's key, have their own buckets.
    for (const key of [sameWorkspaceOtherKey.apiKey, otherWorkspace.apiKey]) {
      const res = await apiClient(app, key).get('/v1/campaigns');
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-remaining')).toBe(String(BURST - 1));
    }

    advance(Number(retryAfter));
    expect((await api.get('/v1/campaigns')).status).toBe(200);
    advance(BURST / RATE);
    const again = [];
    for (let i = 0; i <= BURST; i++) again.push((await api.get('/v1/campaigns')).status);
    expect(again).toEqual([...Array(BURST).fill(200), 429]);
  });

  it('checks the key first (401 for a bad one, whatever the limit) and refuses over the limit with no database work beyond that lookup', async () => {
    const { db } = testDeps();
    const { app, operations } = await limitedApp();
    const { apiKey } = await newWorkspace(db);
    const api = apiClient(app, apiKey);
    for (let i = 0; i < BURST; i++) await api.get('/v1/campaigns');

    const bad = apiClient(app, `sk_live_${'x'.repeat(40)}`);
    for (let i = 0; i < BURST + 2; i++) expect((await bad.get('/v1/campaigns')).status).toBe(401);

    const before = operations();
    const refused = await api.post('/v1/campaigns', { name: 'over the limit' }, { 'Idempotency-Key': 'k-1' });
    expect(refused.status).toBe(429);
    expect(operations() - before).toBe(1); // the key lookup, nothing else
  });

  it('does not store a refused request under its Idempotency-Key: the retry after Retry-After runs it', async () => {
    const { db } = testDeps();
    const { app, advance } = await limitedApp();
    const { apiKey } = await newWorkspace(db);
    const api = apiClient(app, apiKey);
    for (let i = 0; i < BURST; i++) await api.get('/v1/campaigns');
    const first = await api.post('/v1/campaigns', { name: 'retried' }, { 'Idempotency-Key': 'retry-me' });
    expect(first.status).toBe(429);
    advance(Number(first.headers.get('retry-after')));
    const retried = await api.post('/v1/campaigns', { name: 'retried' }, { 'Idempotency-Key': 'retry-me' });
    expect(retried.status).toBe(201);
    expect(retried.body.data.name).toBe('retried');
  });

  it('leaves /healthz, /admin and the signed provider endpoint out of the per-key limit', async () => {
    const { app } = await limitedApp();
    const client = apiClient(app);
    for (let i = 0; i < BURST * 3; i++) {
      expect((await client.get('/healthz')).status).toBe(200);
      expect((await client.get('/admin/workspaces', { authorization: 'Bearer not-the-admin-token' })).status).toBe(401);
      expect((await client.post('/v1/providers/resend/events', { type: 'email.delivered', data: {} })).status).toBe(401);
    }
  });
});
