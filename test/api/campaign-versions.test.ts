import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/deps.js';

const steps = [{ delayDays: 0, subject: 'Hi', bodyHtml: '<p>Hi</p>' }];

describe('campaign versions: ETag and If-Match (SPEC §11)', () => {
  it('lets exactly one of several PATCHes with the same If-Match win; the others change nothing', async () => {
    const { api } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'v1', sequenceSteps: steps })).body.data.id;
    const read = await api.get(`/v1/campaigns/${id}`);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.body.data.version).toBe(1);

    const names = ['a', 'b', 'c', 'd', 'e'];
    const answers = await Promise.all(names.map((name) => api.patch(`/v1/campaigns/${id}`, { name }, { 'if-match': '"1"' })));
    const won = answers.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.filter((r) => r.status === 412).map((r) => r.body.error.code)).toEqual(Array(4).fill('version_mismatch'));
    expect(won[0]!.headers.get('etag')).toBe('"2"');
    const after = (await api.get(`/v1/campaigns/${id}`)).body.data;
    expect(after).toMatchObject({ name: won[0]!.body.data.name, version: 2 });

    // A stale version is refused even for a harmless change; W/"2", 2 and * are all understood.
    const stale = await api.patch(`/v1/campaigns/${id}`, { settings: { stopCompanyOnReply: true } }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect((await api.get(`/v1/campaigns/${id}`)).body.data.settings.stopCompanyOnReply).toBe(false);
    expect((await api.patch(`/v1/campaigns/${id}`, { name: 'weak' }, { 'if-match': 'W/"2"' })).status).toBe(200);
    expect((await api.patch(`/v1/campaigns/${id}`, { name: 'bare' }, { 'if-match': '3' })).status).toBe(200);
    expect((await api.patch(`/v1/campaigns/${id}`, { name: 'any' }, { 'if-match': '*' })).body.data.version).toBe(5);
    expect((await api.patch(`/v1/campaigns/${id}`, { name: 'x' }, { 'if-match': 'yesterday' })).status).toBe(400);
  });

  it('moves the version with every change a reader can see: start and pause included', async () => {
    const { api } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'life', sequenceSteps: steps })).body.data.id;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'v@example.com' }] });
    await api.post(`/v1/campaigns/${id}/start`);
    expect((await api.get(`/v1/campaigns/${id}`)).headers.get('etag')).toBe('"2"');
    await api.post(`/v1/campaigns/${id}/pause`);
    expect((await api.get(`/v1/campaigns/${id}`)).body.data.version).toBe(3);
    // A PATCH prepared before the pause does not land on the paused campaign unseen.
    expect((await api.patch(`/v1/campaigns/${id}`, { name: 'late' }, { 'if-match': '"2"' })).status).toBe(412);
  });
});
