import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';

describe('the event type filter', () => {
  it('takes a list of types and families (lead.*), in the newest-first list and in the feed alike', async () => {
    const { api } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'types', sequenceSteps: [{ delayDays: 3, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    const [a, b] = [`a-${uniq()}@acme.io`, `b-${uniq()}@globex.io`];
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: a }, { email: b }] });
    await api.post(`/v1/campaigns/${id}/start`);
    await api.post('/v1/replies', { email: a, campaignId: id, text: 'Sounds good, call me.' });
    await api.post(`/v1/campaigns/${id}/leads/${(await api.get(`/v1/campaigns/${id}/leads`)).body.data.find((l: { email: string }) => l.email === b).leadId}/stop`);

    const types = async (query: string) => (await api.get(`/v1/events?${query}`)).body.data.map((e: { event: string }) => e.event).sort();
    expect(await types('limit=50')).toEqual(['campaign.created', 'campaign.started', 'lead.enrolled', 'lead.enrolled', 'lead.replied', 'lead.stopped', 'reply.received']);
    expect(await types('type=lead.*')).toEqual(['lead.enrolled', 'lead.enrolled', 'lead.replied', 'lead.stopped']);
    expect(await types('type=reply.received,campaign.started')).toEqual(['campaign.started', 'reply.received']);
    expect(await types('type=lead.replied,lead.stopped,reply.received&after=')).toEqual(['lead.replied', 'lead.stopped', 'reply.received']);
    expect(await types('type=campaign.*&after=')).toEqual(['campaign.created', 'campaign.started']);

    for (const bad of ['lead.nothing', 'nope.*', ',']) {
      const res = await api.get(`/v1/events?type=${encodeURIComponent(bad)}`);
      expect([res.status, res.body.errors?.[0]?.field], bad).toEqual([400, 'type']);
    }
  });
});
