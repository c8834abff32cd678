import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';

type FeedEvent = { id: string; event: string; data: Record<string, unknown> };

/**
 * SPEC §11 Round 2: the feed carries every change an agent follows, not only sending. Each event
 * appears once per change (a repeated pause or suppression adds none) with the data it documents.
 */
describe('change events in the feed', () => {
  it('records campaign edits, enrollments, holds, resumes, variants and suppressions, once each', async () => {
    const { api } = await testApp();
    const feed = async (type: string): Promise<FeedEvent[]> => (await api.get(`/v1/events?after=&limit=100&type=${type}`)).body.data;

    const id = (await api.post('/v1/campaigns', { name: 'changes', sequenceSteps: [{ delayDays: 0, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    expect((await feed('campaign.created')).map((e) => e.data)).toEqual([{ campaignId: id, name: 'changes', status: 'draft', sequenceSteps: 1 }]);

    await api.patch(`/v1/campaigns/${id}`, { name: 'changes 2', settings: { stopCompanyOnReply: true } });
    expect((await feed('campaign.updated')).map((e) => e.data)).toEqual([{ campaignId: id, name: 'changes 2', status: 'draft', version: 2, changed: ['name', 'settings.stopCompanyOnReply'] }]);

    const variant = (await api.post(`/v1/campaigns/${id}/steps/1/variants`, { subject: 'Hello', bodyHtml: '<p>Hello</p>' })).body.data;
    expect((await feed('variant.added')).map((e) => e.data)).toEqual([{ campaignId: id, stepNumber: 1, variantId: variant.variants[1].id, variants: 2, version: 3 }]);

    const [ana, bo, cy] = [`ana-${uniq()}@acme.io`, `bo-${uniq()}@globex.io`, `cy-${uniq()}@initech.io`];
    await api.post('/v1/suppression-list', { emails: [cy] });
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: ana }, { email: bo }, { email: cy }] });
    // Added again: already enrolled, so no second event.
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: ana, firstName: 'Ana' }] });
    const leads: { email: string; leadId: string; enrollmentId: string }[] = (await api.get(`/v1/campaigns/${id}/leads`)).body.data;
    const lead = (email: string) => leads.find((l) => l.email === email)!;
    const enrolled = await feed('lead.enrolled');
    expect(enrolled.map((e) => e.data).sort((a, b) => String(a.email).localeCompare(String(b.email)))).toEqual(
      [ana, bo].sort().map((email) => ({ campaignId: id, leadId: lead(email).leadId, email, enrollmentId: expect.stringMatching(/^enr_/), status: 'pending' })),
    );

    await api.post(`/v1/campaigns/${id}/leads/${lead(bo).leadId}/pause`);
    await api.post(`/v1/campaigns/${id}/leads/${lead(bo).leadId}/pause`);
    await api.post(`/v1/campaigns/${id}/leads/${lead(bo).leadId}/resume`);
    await api.post('/v1/replies', { email: ana, campaignId: id, text: 'Automatic reply: I am out of the office until 2027-01-04.' });
    const lifecycle = await feed('lead.held,lead.resumed');
    expect(lifecycle.map((e) => [e.event, e.data.email, e.data.reason])).toEqual([
      ['lead.held', bo, 'lead_paused'],
      ['lead.resumed', bo, undefined],
      ['lead.held', ana, 'out_of_office'],
    ]);
    expect(lifecycle[2]!.data).toMatchObject({ campaignId: id, leadId: lead(ana).leadId, classification: 'out_of_office', returnDate: '2027-01-04', until: expect.stringMatching(/^2027-01-0[45]T/) });

    await api.post('/v1/suppression-list', { emails: [cy, ana] });
    await api.post('/v1/replies', { email: bo, campaignId: id, text: 'Please unsubscribe me from this list.' });
    expect((await feed('suppression.added')).map((e) => e.data)).toEqual([
      { email: cy, reason: 'manual' },
      { email: ana, reason: 'manual' },
      { email: bo, reason: 'unsubscribed' },
    ]);
  });

  it('describes every type in the OpenAPI document and lets webhooks subscribe to it', async () => {
    const { api } = await testApp();
    const text = JSON.stringify((await api.get('/openapi.json')).body);
    const subscribable = JSON.parse(text.match(/"enum":(\["campaign\.created"[^\]]*\])/)![1]!) as string[];
    for (const type of ['campaign.created', 'campaign.updated', 'lead.enrolled', 'lead.held', 'lead.resumed', 'variant.added', 'suppression.added']) {
      expect(subscribable, type).toContain(type);
      expect(text, type).toContain(`\`${type}\` (`);
      expect(text, type).toContain(`${type}: `);
    }
    const hook = await api.post('/v1/webhooks', { url: 'https://hooks.example.com/sequent', events: ['lead.enrolled', 'suppression.added'] });
    expect(hook.status).toBe(201);
  });
});
