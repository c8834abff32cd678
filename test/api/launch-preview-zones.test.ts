import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { apiClient, newWorkspace, testDeps } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';

/**
 * The launch preview answers when the first mail goes as the claim will judge each lead: with the
 * window in each lead's own zone, where it opens first. Tuesday 04:43 UTC is 10:13 in Kolkata (open)
 * and 05:43 in Berlin (closed).
 */
describe('launch preview with the window in each lead\'s zone', () => {
  const at = new Date('2026-12-08T04:43:00Z');
  const api = async () => {
    const deps = testDeps();
    const { apiKey } = await newWorkspace(deps.db);
    return apiClient(createApp({ ...deps, now: () => at }), apiKey);
  };
  const window = { timezone: 'lead', fallbackTimezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };

  it.each([
    ['a lead whose window is open goes now', [{ timezone: 'Asia/Kolkata' }, {}], at.toISOString()],
    ['leads all in closed windows wait for the first opening among their zones', [{ timezone: 'America/New_York' }, {}], '2026-12-08T08:00:00.000Z'],
  ])('%s', async (_label, zones, firstSendAt) => {
    const client = await api();
    const id = (await client.post('/v1/campaigns', { name: 'zones', settings: { sendingWindow: window }, sequenceSteps: [{ delayDays: 0, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    await client.post(`/v1/campaigns/${id}/leads/bulk`, { leads: zones.map((z) => ({ email: `z-${uniq()}@acme.io`, ...z })) });
    expect((await client.get(`/v1/campaigns/${id}/launch-preview`)).body.data).toMatchObject({ newLeads: 2, firstSendAt });
  });
});
