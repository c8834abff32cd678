import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { apiClient, testApp } from '../helpers/deps.js';

describe('Idempotency-Key', () => {
  it('replays the first response to a retry with the same key and body, creating once', async () => {
    const { api, deps, workspaceId } = await testApp();
    const headers = { 'idempotency-key': 'create-campaign-1' };
    const first = await api.post('/v1/campaigns', { name: 'once' }, headers);
    const retry = await api.post('/v1/campaigns', { name: 'once' }, headers);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await deps.db.campaign.count({ where: { workspaceId, name: 'once' } })).toBe(1);
  });

  it('refuses the same key with a different body and changes nothing', async () => {
    const { api, deps, workspaceId } = await testApp();
    const headers = { 'idempotency-key': 'k-2' };
    await api.post('/v1/campaigns', { name: 'a' }, headers);
    const res = await api.post('/v1/campaigns', { name: 'b' }, headers);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('idempotency_key_reused');
    expect(await deps.db.campaign.count({ where: { workspaceId } })).toBe(1);
  });

  it('scopes keys to the workspace and leaves requests without a key alone', async () => {
    const one = await testApp();
    const two = await testApp();
    const headers = { 'idempotency-key': 'shared-key' };
    expect((await one.api.post('/v1/campaigns', { name: 'x' }, headers)).status).toBe(201);
    expect((await two.api.post('/v1/campaigns', { name: 'x' }, headers)).headers.get('idempotent-replayed')).toBeNull();
    await one.api.post('/v1/campaigns', { name: 'y' });
    await one.api.post('/v1/campaigns', { name: 'y' });
    expect(await one.deps.db.campaign.count({ where: { workspaceId: one.workspaceId, name: 'y' } })).toBe(2);
  });

  it('replays a stored error too, and lets concurrent duplicates through only once', async () => {
    const { api, deps, workspaceId } = await testApp();
    const invalid = await api.post('/v1/campaigns', { name: '' }, { 'idempotency-key': 'bad' });
    const again = await api.post('/v1/campaigns', { name: '' }, { 'idempotency-key': 'bad' });
    expect([invalid.status, again.status]).toEqual([422, 422]);
    const results = await Promise.all(Array.from({ length: 5 }, () => api.post('/v1/campaigns', { name: 'race' }, { 'idempotency-key': 'race' })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(results.filter((r) => r.status !== 409).length);
    expect(await deps.db.campaign.count({ where: { workspaceId, name: 'race' } })).toBe(1);
  });
});

describe('Idempotency-Key and secrets shown once (SPEC §9: no secret at rest in plaintext)', () => {
  const stored = async (deps: Awaited<ReturnType<typeof testApp>>['deps'], workspaceId: string) =>
    JSON.stringify(await deps.db.$queryRaw`SELECT * FROM "IdempotencyRecord" WHERE "workspaceId" = ${workspaceId}`);

  it('keeps neither a created API key nor a webhook secret in its records, and a replay shows them masked and says so', async () => {
    const { api, deps, workspaceId } = await testApp();
    const keyHeaders = { 'idempotency-key': 'new-key-1' };
    const hookHeaders = { 'idempotency-key': 'new-hook-1' };
    const hookBody = { url: 'https://127.0.0.1/hook', events: ['message.sent'] };
    const key = await api.post('/v1/api-keys', { scopes: ['read'] }, keyHeaders);
    const hook = await api.post('/v1/webhooks', hookBody, hookHeaders);
    expect([key.status, hook.status]).toEqual([201, 201]);
    const { apiKey } = key.body.data;
    const { secret } = hook.body.data;
    expect(apiKey).toMatch(/^sk_live_[A-Za-z0-9]{40}$/);
    expect(secret).toMatch(/^whsec_/);
    expect(key.body.data.secretMasked).toBeUndefined();

    const rows = await stored(deps, workspaceId);
    expect(rows).toContain('new-key-1');
    expect(rows).not.toContain(apiKey);
    expect(rows).not.toContain(apiKey.slice(12));
    expect(rows).not.toContain(secret.slice('whsec_'.length));

    const keyReplay = await api.post('/v1/api-keys', { scopes: ['read'] }, keyHeaders);
    const hookReplay = await api.post('/v1/webhooks', hookBody, hookHeaders);
    expect(keyReplay.status).toBe(201);
    expect(keyReplay.headers.get('idempotent-replayed')).toBe('true');
    expect(keyReplay.body.data).toEqual({ ...key.body.data, apiKey: `${apiKey.slice(0, 12)}********`, secretMasked: true });
    expect(hookReplay.status).toBe(201);
    expect(hookReplay.body.data).toEqual({ ...hook.body.data, secret: 'whsec_********', secretMasked: true });
    // The key itself still works: only the record of the answer was masked.
    expect((await apiClient(createApp(deps), apiKey).get('/v1/campaigns')).status).toBe(200);
  });
});
