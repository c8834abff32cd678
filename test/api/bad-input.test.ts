import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/deps.js';

const step = { delayDays: 0, subject: 'S', bodyHtml: '<p>B</p>' };

// Every JSON route, its malformed-type body, and a body that is well-formed but breaks a rule.
const bodies = (c: string, l: string) => [
  { method: 'POST', path: '/v1/campaigns', wrongType: { name: ['x'] }, ruleBroken: { name: 'x', sequenceSteps: [{ ...step, delayDays: -1 }] } },
  { method: 'PATCH', path: `/v1/campaigns/${c}`, wrongType: { name: 5 }, ruleBroken: { sequenceSteps: [{ ...step, stepNumber: 2 }] } },
  { method: 'POST', path: `/v1/campaigns/${c}/leads/bulk`, wrongType: { leads: 'all' }, ruleBroken: { leads: [{ email: 'nope' }] } },
  { method: 'PATCH', path: `/v1/campaigns/${c}`, wrongType: { settings: 'on' }, ruleBroken: { settings: { sendingWindow: { timezone: 'Mars/Olympus', days: [1], start: '09:00', end: '17:00' } } } },
  { method: 'POST', path: `/v1/campaigns/${c}/leads/${l}/pause`, wrongType: null, ruleBroken: null },
];

describe('bad input on every endpoint', () => {
  it('answers malformed JSON, wrong types and broken rules with the error shape and changes nothing', async () => {
    const { api, deps, workspaceId } = await testApp();
    const c = (await api.post('/v1/campaigns', { name: 'target', sequenceSteps: [step] })).body.data.id;
    await api.post(`/v1/campaigns/${c}/leads/bulk`, { leads: [{ email: 'lead@example.com', firstName: 'Lead' }] });
    const l = (await api.get(`/v1/campaigns/${c}/leads`)).body.data[0].leadId;
    const snapshot = async () =>
      JSON.stringify([
        await deps.db.campaign.findMany({ where: { workspaceId }, include: { steps: true } }),
        await deps.db.lead.findMany({ where: { workspaceId } }),
        await deps.db.enrollment.findMany({ where: { workspaceId } }),
      ]);
    const before = await snapshot();

    for (const route of bodies(c, l)) {
      const malformed = await api.raw(route.method, route.path, '{"name": ', {});
      if (route.wrongType === null) {
        // Routes without a body ignore it; they must still not fail on it.
        expect(malformed.status).toBeLessThan(500);
        continue;
      }
      expect([route.path, malformed.status, malformed.body.error.code]).toEqual([route.path, 400, 'invalid_request']);
      const wrong = await api.raw(route.method, route.path, route.wrongType);
      expect([route.path, wrong.status, wrong.body.error.code]).toEqual([route.path, 400, 'invalid_request']);
      const broken = await api.raw(route.method, route.path, route.ruleBroken);
      expect([route.path, broken.status, broken.body.error.code]).toEqual([route.path, 422, 'validation_failed']);
      expect(broken.body.errors.length).toBeGreaterThan(0);
    }
    // The pause above is the one call that may change state; undo it before comparing.
    await api.post(`/v1/campaigns/${c}/leads/${l}/resume`);
    expect(await snapshot()).toBe(before);
  });

  it('answers unknown ids with 404 and the right code on every route', async () => {
    const { api } = await testApp();
    const c = (await api.post('/v1/campaigns', { name: 'known' })).body.data.id;
    const cases: [string, string, unknown, string][] = [
      ['GET', '/v1/campaigns/camp_01hx4mrqpbcn7wh2gfk9yz6e3s', undefined, 'campaign_not_found'],
      ['PATCH', '/v1/campaigns/camp_01hx4mrqpbcn7wh2gfk9yz6e3s', { name: 'x' }, 'campaign_not_found'],
      ['POST', '/v1/campaigns/nope/start', undefined, 'campaign_not_found'],
      ['POST', '/v1/campaigns/nope/pause', undefined, 'campaign_not_found'],
      ['POST', '/v1/campaigns/nope/resume', undefined, 'campaign_not_found'],
      ['GET', '/v1/campaigns/nope/stats', undefined, 'campaign_not_found'],
      ['GET', '/v1/campaigns/nope/leads', undefined, 'campaign_not_found'],
      ['GET', `/v1/campaigns/${c}/leads/lead_nope`, undefined, 'lead_not_found'],
      ['POST', `/v1/campaigns/${c}/leads/lead_nope/stop`, undefined, 'lead_not_found'],
      ['GET', `/v1/campaigns/${c}/preview?leadId=lead_nope`, undefined, 'lead_not_found'],
    ];
    for (const [method, path, body, code] of cases) {
      const res = await api.raw(method, path, body);
      expect([method, path, res.status, res.body.error?.code]).toEqual([method, path, 404, code]);
    }
  });
});
