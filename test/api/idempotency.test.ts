import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/deps.js';

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
