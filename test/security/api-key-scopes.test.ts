import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createApiKey } from '../../src/tenancy.js';
import { ADMIN_TOKEN, apiClient, newWorkspace, testDeps } from '../helpers/deps.js';

type Scope = 'read' | 'write' | 'send';
const ALL: Scope[] = ['read', 'write', 'send'];

/** What each operation needs, written out here rather than taken from the code under test. */
function needs(method: string, path: string): Scope {
  if (method === 'get') return 'read';
  return method === 'post' && /\/campaigns\/\{id\}\/(start|resume)$/.test(path) ? 'send' : 'write';
}

describe('scoped API keys (SPEC §11)', () => {
  it('refuses every /v1 operation to a key without its scope, and lets a key with only that scope through', async () => {
    const deps = testDeps();
    const app = createApp(deps);
    const { workspaceId } = await newWorkspace(deps.db, 'scopes');
    const keyWith = async (scopes: Scope[]) => apiClient(app, (await createApiKey(deps.db, workspaceId, undefined, scopes)).apiKey);
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/') && !path.startsWith('/v1/providers/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method, path })));
    expect(operations.length).toBeGreaterThan(30);

    for (const { method, path } of operations) {
      const scope = needs(method, path);
      const url = path.replace(/\{[^}]+\}/g, 'x_missing');
      const body = method === 'get' || method === 'delete' ? undefined : path === '/v1/api-keys' ? { scopes: [scope] } : {};
      const call = (api: ReturnType<typeof apiClient>) => (api as unknown as Record<string, (u: string, b?: unknown) => Promise<{ status: number; body: any }>>)[method]!(url, body);
      const refused = await call(await keyWith(ALL.filter((s) => s !== scope)));
      expect([refused.status, refused.body?.error?.code], `${method.toUpperCase()} ${path} without ${scope}`).toEqual([403, 'insufficient_scope']);
      const allowed = await call(await keyWith([scope]));
      expect(allowed.status, `${method.toUpperCase()} ${path} with only ${scope}`).not.toBe(403);
    }
  });

  it('lets a workspace make narrower keys of its own, never wider ones, and revoke them', async () => {
    const deps = testDeps();
    const app = createApp(deps);
    const { workspaceId, apiKey } = await newWorkspace(deps.db, 'own-keys');
    const full = apiClient(app, apiKey);
    const made = await full.post('/v1/api-keys', { scopes: ['read', 'write'] });
    expect(made.status).toBe(201);
    expect(made.body.data).toMatchObject({ id: expect.stringMatching(/^key_/), apiKey: expect.stringMatching(/^sk_live_/), scopes: ['read', 'write'] });
    const agent = apiClient(app, made.body.data.apiKey);
    // The agent drafts, but cannot launch, nor give itself the power to.
    const id = (await agent.post('/v1/campaigns', { name: 'draft', sequenceSteps: [{ delayDays: 0, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    await agent.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'scoped@example.com' }] });
    expect((await agent.post(`/v1/campaigns/${id}/start`)).body.error.code).toBe('insufficient_scope');
    expect((await agent.post('/v1/api-keys', { scopes: ['send'] })).status).toBe(403);
    expect((await agent.post('/v1/api-keys', {})).status).toBe(403);
    expect((await full.post(`/v1/campaigns/${id}/start`)).body.data.status).toBe('running');

    const listed = (await full.get('/v1/api-keys')).body.data;
    expect(listed.map((k: any) => [k.id, k.scopes])).toEqual(expect.arrayContaining([[made.body.data.id, ['read', 'write']]]));
    expect(JSON.stringify(listed)).not.toContain(made.body.data.apiKey);
    expect((await full.delete(`/v1/api-keys/${made.body.data.id}`)).status).toBe(200);
    expect((await agent.get('/v1/campaigns')).status).toBe(401);
    // Another workspace's key is not this workspace's to revoke.
    const other = await newWorkspace(deps.db, 'other-keys');
    const otherKey = (await apiClient(app, other.apiKey).get('/v1/api-keys')).body.data[0].id;
    expect((await full.delete(`/v1/api-keys/${otherKey}`)).body.error.code).toBe('api_key_not_found');
    expect(workspaceId).not.toBe(other.workspaceId);
  });

  it('gives the operator scoped keys through /admin, all three when no scopes are named', async () => {
    const deps = testDeps();
    const app = createApp(deps);
    const { workspaceId } = await newWorkspace(deps.db, 'admin-keys');
    const admin = apiClient(app, ADMIN_TOKEN);
    const readOnly = await admin.post(`/admin/workspaces/${workspaceId}/api-keys`, { scopes: ['read'] });
    expect(readOnly.body.data.scopes).toEqual(['read']);
    expect((await apiClient(app, readOnly.body.data.apiKey).post('/v1/campaigns', { name: 'x' })).body.error.code).toBe('insufficient_scope');
    const everything = await admin.post(`/admin/workspaces/${workspaceId}/api-keys`);
    expect(everything.status).toBe(201);
    expect(everything.body.data.scopes).toEqual(['read', 'write', 'send']);
    expect((await admin.post(`/admin/workspaces/${workspaceId}/api-keys`, { scopes: ['admin'] })).status).toBe(422);
  });
});
