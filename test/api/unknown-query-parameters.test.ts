import { describe, expect, it } from 'vitest';
import { apiClient, testApp, type TestResponse } from '../helpers/deps.js';

/**
 * A query parameter the route does not declare is refused, naming it, instead of being ignored:
 * `GET /v1/events?since=…` must not answer every event as if it had filtered them.
 */

const step = { delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>Hello</p>' };

function expectRefused(res: TestResponse, ...names: string[]) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe('invalid_request');
  for (const name of names) expect(res.body.error.message).toContain(`"${name}"`);
  expect(res.body.errors).toEqual(names.map((field) => ({ index: null, field, message: 'unknown query parameter' })));
}

describe('unknown query parameters', () => {
  it('are refused with 400 invalid_request naming them, on routes with and without a query schema', async () => {
    const { api } = await testApp();
    const id: string = (await api.post('/v1/campaigns', { name: 'query', sequenceSteps: [step] })).body.data.id;

    expectRefused(await api.get('/v1/events?since=2026-01-01T00:00:00Z'), 'since');
    expectRefused(await api.get('/v1/campaigns?order=desc'), 'order');
    expectRefused(await api.get('/v1/campaigns?limit=10&since=yesterday&order=desc'), 'since', 'order');
    expectRefused(await api.get(`/v1/campaigns/${id}/leads?status=active&sort=email`), 'sort');
    expectRefused(await api.get(`/v1/replies?campaign=${id}`), 'campaign');
    expectRefused(await api.get(`/v1/campaigns/${id}/stats?since=2026-01-01`), 'since');
    // Routes that declare no query parameters accept none.
    expectRefused(await api.get('/v1/workspace?verbose'), 'verbose');
    expectRefused(await api.get('/v1/sender-accounts?limit=5'), 'limit');
    expectRefused(await api.patch(`/v1/campaigns/${id}?dryRun=true`, { name: 'renamed' }), 'dryRun');
    expectRefused(await api.post(`/v1/campaigns/${id}/start?force=1`), 'force');

    // Refused before anything happened.
    const campaign = (await api.get(`/v1/campaigns/${id}`)).body.data;
    expect([campaign.name, campaign.status]).toEqual(['query', 'draft']);
  });

  it('names the operation and what it accepts', async () => {
    const { api } = await testApp();
    const res = await api.get('/v1/events?since=x');
    expect(res.body.error.message).toBe('Unknown query parameter "since": GET /v1/events accepts only limit, cursor, type, campaignId, after.');
    const none = await api.get('/v1/workspace?x=1');
    expect(none.body.error.message).toBe('Unknown query parameter "x": GET /v1/workspace accepts no query parameters.');
  });

  it('still takes the parameters each route declares', async () => {
    const { api } = await testApp();
    const id: string = (await api.post('/v1/campaigns', { name: 'known', sequenceSteps: [step] })).body.data.id;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'ada@acme.com', firstName: 'Ada' }] });
    const leadId: string = (await api.get(`/v1/campaigns/${id}/leads`)).body.data[0].leadId;
    await api.post('/v1/suppression-list', { emails: ['gone@acme.com'] });

    const ok = [
      '/v1/campaigns?status=draft&limit=1',
      `/v1/campaigns?cursor=${id}`,
      `/v1/campaigns/${id}/leads?status=pending&limit=10`,
      `/v1/campaigns/${id}/preview?email=ada@acme.com`,
      `/v1/campaigns/${id}/preview?leadId=${leadId}`,
      '/v1/events?type=campaign.started&limit=5',
      `/v1/replies?campaignId=${id}&classification=interested&limit=2`,
      '/v1/suppression-list?limit=1&cursor=a@acme.com',
    ];
    for (const url of ok) {
      const res = await api.get(url);
      expect([url, res.status], JSON.stringify(res.body)).toEqual([url, 200]);
    }
    const one = await api.get('/v1/campaigns?status=draft&limit=1');
    expect(one.body.data).toHaveLength(1);
  });

  it('are checked after the API key, and a path no route matches stays a 404', async () => {
    const { app, api } = await testApp();
    const anonymous = await apiClient(app).get('/v1/events?since=x');
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'authentication_failed']);
    const missing = await api.get('/v1/no-such-thing?since=x');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);
  });

  it('are refused on every /v1 operation of /openapi.json, whatever its parameters', async () => {
    const { app, api } = await testApp();
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
    expect(operations.length).toBeGreaterThan(25);
    for (const { method, path } of operations) {
      // The check comes before the route's own: an unknown id or a missing body does not hide it.
      const url = `${path.replace(/\{[^}]+\}/g, 'nope')}?zz_unknown=1`;
      const res = await api.raw(method, url, method === 'GET' || method === 'DELETE' ? undefined : {});
      expect([method, url, res.status, res.body.errors?.[0]?.field], JSON.stringify(res.body)).toEqual([method, url, 400, 'zz_unknown']);
    }
  });
});
