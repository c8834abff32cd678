import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { hashApiKey } from '../../src/domain/api-keys.js';
import { ensureBootstrapKey } from '../../src/tenancy.js';
import { ADMIN_TOKEN, apiClient, newWorkspace, testApp, testConfig, testDeps } from '../helpers/deps.js';

describe('authentication and tenancy', () => {
  it.each([
    ['no header', {}],
    ['a malformed header', { authorization: 'Token abc' }],
    ['a malformed key', { authorization: 'Bearer sk_live_short' }],
    ['an unknown key', { authorization: `Bearer sk_live_${'x'.repeat(40)}` }],
  ])('refuses %s with 401 authentication_failed', async (_name, headers) => {
    const { app } = await testApp();
    const res = await apiClient(app).get('/v1/campaigns', headers);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('authentication_failed');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('stores keys hashed: the key itself is nowhere in the database', async () => {
    const { deps, apiKey, workspaceId } = await testApp();
    const rows = await deps.db.apiKey.findMany({ where: { workspaceId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.keyHash).toBe(hashApiKey(apiKey));
    expect(JSON.stringify(rows)).not.toContain(apiKey);
  });

  it("answers another workspace's campaign with 404, never 403", async () => {
    const { app, api, deps } = await testApp();
    const other = await newWorkspace(deps.db);
    const created = await apiClient(app, other.apiKey).post('/v1/campaigns', { name: 'theirs' });
    expect(created.status).toBe(201);
    const res = await api.get(`/v1/campaigns/${created.body.data.id}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('campaign_not_found');
    expect((await api.get('/v1/campaigns')).body.data).toEqual([]);
  });

  describe('admin API', () => {
    const admin = (app: ReturnType<typeof createApp>) => apiClient(app);
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

    it('does not exist without ADMIN_TOKEN', async () => {
      const deps = testDeps();
      const app = createApp({ ...deps, config: testConfig({ ADMIN_TOKEN: '' }) });
      const res = await admin(app).post('/admin/workspaces', { name: 'x' }, auth);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    });

    it('refuses a wrong admin token', async () => {
      const { app } = await testApp();
      const res = await admin(app).post('/admin/workspaces', { name: 'x' }, { authorization: 'Bearer wrong-token-wrong-token' });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('authentication_failed');
    });

    it('creates a workspace whose key works, adds a key, and revokes it', async () => {
      const { app } = await testApp();
      const created = await admin(app).post('/admin/workspaces', { name: 'Acme' }, auth);
      expect(created.status).toBe(201);
      expect(created.body.data.workspace).toMatchObject({ id: expect.stringMatching(/^ws_/), name: 'Acme' });
      const key1: string = created.body.data.apiKey;
      expect(key1).toMatch(/^sk_live_[A-Za-z0-9]{40}$/);
      expect((await apiClient(app, key1).get('/v1/campaigns')).status).toBe(200);

      const second = await admin(app).post(`/admin/workspaces/${created.body.data.workspace.id}/api-keys`, undefined, auth);
      expect(second.status).toBe(201);
      const key2: string = second.body.data.apiKey;
      expect((await apiClient(app, key2).get('/v1/campaigns')).status).toBe(200);

      const revoked = await admin(app).delete(`/admin/api-keys/${second.body.data.id}`, auth);
      expect(revoked.status).toBe(200);
      expect((await apiClient(app, key2).get('/v1/campaigns')).status).toBe(401);
      expect((await apiClient(app, key1).get('/v1/campaigns')).status).toBe(200);
    });

    it('answers 404 for keys and workspaces that do not exist', async () => {
      const { app } = await testApp();
      expect((await admin(app).delete('/admin/api-keys/key_nope', auth)).status).toBe(404);
      expect((await admin(app).post('/admin/workspaces/ws_nope/api-keys', undefined, auth)).status).toBe(404);
    });
  });

  it('makes BOOTSTRAP_API_KEY a key of the default workspace, idempotently', async () => {
    const { db } = testDeps();
    const key = `sk_live_${'B'.repeat(30)}${Date.now()}`;
    const ws1 = await ensureBootstrapKey(db, key);
    const ws2 = await ensureBootstrapKey(db, key);
    expect(ws1.id).toBe(ws2.id);
    expect(ws1.slug).toBe('default');
    const app = createApp(testDeps());
    expect((await apiClient(app, key).get('/v1/campaigns')).status).toBe(200);
  });
});
