import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createDb } from '../../src/db.js';
import { apiClient, testApp, testConfig, testDeps } from '../helpers/deps.js';
import { SEED_CAMPAIGN } from '../helpers/fixtures.js';

const seedCampaign = SEED_CAMPAIGN;

const expectError = (res: { status: number; body: any }, status: number, code: string) => {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ error: { code, message: expect.any(String) } });
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/); // never a stack trace
};

describe('HTTP surface', () => {
  it('answers an unknown route with the JSON error shape, not HTML', async () => {
    const { api } = await testApp();
    const res = await api.get('/v1/no-such-thing');
    expectError(res, 404, 'not_found');
    const outside = await api.get('/nothing-here');
    expectError(outside, 404, 'not_found');
  });

  it('rejects malformed JSON with 400 invalid_request and writes nothing', async () => {
    const { api, deps, workspaceId } = await testApp();
    const res = await api.post('/v1/campaigns', '{"name": "x",');
    expectError(res, 400, 'invalid_request');
    expect(await deps.db.campaign.count({ where: { workspaceId } })).toBe(0);
  });

  it('rejects a body that is not JSON with 415', async () => {
    const { api } = await testApp();
    const res = await api.post('/v1/campaigns', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expectError(res, 415, 'unsupported_media_type');
  });

  it('rejects an oversized body with 413 before reading it all', async () => {
    const { api } = await testApp();
    const res = await api.post('/v1/campaigns', { name: 'x'.repeat(13 * 1024 * 1024) });
    expectError(res, 413, 'payload_too_large');
  });

  it('answers wrong types and missing fields with 400 and rule violations with 422 naming the field', async () => {
    const { api, deps, workspaceId } = await testApp();
    expectError(await api.post('/v1/campaigns', { name: 42 }), 400, 'invalid_request');
    expectError(await api.post('/v1/campaigns', {}), 400, 'invalid_request');
    const res = await api.post('/v1/campaigns', {
      name: 'x',
      sequenceSteps: [
        { delayDays: 0, subject: 'a', bodyHtml: 'b' },
        { stepNumber: 3, delayDays: 366, subject: 'c', bodyHtml: 'd' },
      ],
    });
    expectError(res, 422, 'validation_failed');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, field: 'stepNumber' }),
        expect.objectContaining({ index: 1, field: 'delayDays' }),
      ]),
    );
    expect(await deps.db.campaign.count({ where: { workspaceId } })).toBe(0);
  });

  it('rejects an unknown query value with 400', async () => {
    const { api } = await testApp();
    expectError(await api.get('/v1/campaigns?status=archived'), 400, 'invalid_request');
    expectError(await api.get('/v1/campaigns?limit=500'), 400, 'invalid_request');
  });

  it('serves /healthz and a /readyz that checks Postgres and Temporal', async () => {
    const { api } = await testApp();
    expect((await api.get('/healthz')).status).toBe(200);
    const ready = await api.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.data.checks).toEqual({ postgres: { status: 'up' }, temporal: { status: 'up' } });
  });

  it('answers /readyz 503 naming the dependency that is down', async () => {
    const deps = testDeps();
    const deadDb = createDb('postgresql://postgres:postgres@127.0.0.1:1/nothing');
    const app = createApp({ ...deps, db: deadDb });
    const res = await apiClient(app).get('/readyz');
    expectError(res, 503, 'unavailable');
    expect(res.body.error.message).toMatch(/postgres/);
    expect(res.body.checks.postgres.status).toBe('down');
    expect(res.body.checks.temporal.status).toBe('up');
    await deadDb.$disconnect();
  });

  it('answers 503 unavailable (not 500) when Postgres is down during a request', async () => {
    const deps = testDeps();
    const deadDb = createDb('postgresql://postgres:postgres@127.0.0.1:1/nothing');
    const app = createApp({ ...deps, db: deadDb });
    const res = await apiClient(app, 'sk_live_' + 'a'.repeat(40)).get('/v1/campaigns');
    expectError(res, 503, 'unavailable');
    expect(res.headers.get('retry-after')).toBe('5');
    await deadDb.$disconnect();
  });

  it('publishes an OpenAPI 3.1 document generated from the validation schemas, and its docs page', async () => {
    const { api } = await testApp();
    const res = await api.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const create = res.body.paths['/v1/campaigns'].post;
    expect(create.responses['201']).toBeDefined();
    expect(create.requestBody.content['application/json'].schema.$ref ?? create.requestBody.content['application/json'].schema).toBeTruthy();
    expect(res.body.components.schemas.CreateCampaign.properties.sequenceSteps.items.properties.delayDays).toMatchObject({ maximum: 365 });
    expect(res.body.paths['/admin/workspaces'].post).toBeDefined();
    const docs = await api.get('/docs');
    expect(docs.status).toBe(200);
    expect(String(docs.body)).toContain('/openapi.json');
  });

  it('creates the seed example verbatim as a draft and stores it', async () => {
    const { api, deps, workspaceId } = await testApp();
    const res = await api.post('/v1/campaigns', seedCampaign);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.data).sort()).toEqual(['createdAt', 'id', 'name', 'sequenceSteps', 'status']);
    expect(res.body.data).toMatchObject({ name: seedCampaign.name, status: 'draft', sequenceSteps: 2 });
    expect(res.body.data.id).toMatch(/^camp_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(res.body.data.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const stored = await deps.db.campaign.findUniqueOrThrow({ where: { id: res.body.data.id }, include: { steps: true } });
    expect(stored).toMatchObject({ workspaceId, status: 'draft' });
    expect(stored.steps.map((s) => [s.stepNumber, s.delayDays, s.subject])).toEqual([
      [1, 0, 'Quick question, {{firstName}}'],
      [2, 3, 'Following up, {{firstName}}'],
    ]);
    const got = await api.get(`/v1/campaigns/${res.body.data.id}`);
    expect(got.status).toBe(200);
    expect(got.body.data).toMatchObject({ id: res.body.data.id, sequenceSteps: 2, steps: seedCampaign.sequenceSteps });
  });

  it('lists campaigns newest first with a cursor', async () => {
    const { api } = await testApp();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await api.post('/v1/campaigns', { name: `c${i}` })).body.data.id);
    const first = await api.get('/v1/campaigns?limit=2');
    expect(first.body.data.map((c: any) => c.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.nextCursor).toBe(ids[1]);
    const second = await api.get(`/v1/campaigns?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data.map((c: any) => c.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('has one process config: a bad value names the variable', () => {
    expect(() => testConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });
});
