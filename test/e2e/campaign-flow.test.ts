import { beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newWorkspace, testApp, testDeps } from '../helpers/deps.js';
import { SEED_CAMPAIGN, uniq } from '../helpers/fixtures.js';
import { eventually, startTestWorker } from '../helpers/worker.js';

// The seed's steps with step 2 due at once, so the sequence runs to completion in the test.
const seedSteps = [SEED_CAMPAIGN.sequenceSteps[0]!, { ...SEED_CAMPAIGN.sequenceSteps[1]!, delayDays: 0 }];


describe('a campaign end to end (real Temporal, real worker, real Postgres)', () => {
  beforeAll(async () => {
    await startTestWorker();
  });

  it('runs a two-step campaign to completion and its stats match the messages', async () => {
    const { api, deps } = await testApp();
    const created = await api.post('/v1/campaigns', { name: 'VP Sales — AI Workflow Q1', sequenceSteps: seedSteps });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const domain = `${uniq()}.example.com`;
    const bulk = await api.post(`/v1/campaigns/${id}/leads/bulk`, {
      leads: [
        { email: `ada@${domain}`, firstName: 'Ada', company: 'Acme' },
        { email: `Grace@${domain} `, firstName: 'Grace', company: 'Navy' },
        { email: `nofields@${domain}` },
      ],
    });
    expect(bulk.body).toEqual({ data: { enrolled: 3, updated: 0, skipped: 0, total: 3 } });

    const started = await api.post(`/v1/campaigns/${id}/start`);
    expect(started.status).toBe(200);
    expect(started.body.data).toMatchObject({ id, status: 'running', startedAt: expect.any(String) });

    await eventually(async () => {
      const leads = await api.get(`/v1/campaigns/${id}/leads?status=completed`);
      return leads.body.data.length === 3;
    }, 30_000, 'all leads completed');

    const stats = await api.get(`/v1/campaigns/${id}/stats`);
    expect(stats.status).toBe(200);
    const messages = await deps.db.message.findMany({ where: { campaignId: id } });
    expect(messages).toHaveLength(6);
    expect(stats.body.data).toEqual({
      campaignId: id,
      status: 'running',
      enrolledLeads: 3,
      metrics: {
        sent: messages.filter((m) => m.sentAt).length,
        delivered: messages.filter((m) => m.deliveredAt).length,
        queued: 0,
        bounced: 0,
        complained: 0,
        replied: 0,
        replyRate: 0,
      },
      updatedAt: expect.any(String),
    });
    expect(stats.body.data.metrics.sent).toBe(6);

    const lead = (await deps.db.lead.findFirstOrThrow({ where: { email: `ada@${domain}` } })).id;
    const detail = await api.get(`/v1/campaigns/${id}/leads/${lead}`);
    expect(detail.body.data.messages.map((m: any) => [m.stepNumber, m.status, m.subject])).toEqual([
      [1, 'delivered', 'Quick question, Ada'],
      [2, 'delivered', 'Following up, Ada'],
    ]);
    expect(detail.body.data.messages[0].bodyHtml).toContain('<p>Hi Ada,</p><p>I noticed Acme is expanding');

    const bare = (await deps.db.lead.findFirstOrThrow({ where: { email: `nofields@${domain}` } })).id;
    const bareDetail = await api.get(`/v1/campaigns/${id}/leads/${bare}`);
    expect(bareDetail.body.data.messages[0].subject).toBe('Quick question,');
    expect(bareDetail.body.data.messages[0].bodyHtml).toContain('<p>Hi ,</p><p>I noticed  is expanding');
  });

  it('starts leads added to a running campaign at step 1', async () => {
    const { api } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'late joiners', sequenceSteps: [seedSteps[0]] })).body.data.id;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: `first-${uniq()}@example.com`, firstName: 'A' }] });
    await api.post(`/v1/campaigns/${id}/start`);
    await eventually(async () => (await api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics.sent === 1, 30_000, 'first lead sent');

    const late = `late-${uniq()}@example.com`;
    expect((await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: late, firstName: 'Late' }] })).body.data.enrolled).toBe(1);
    const detail = await eventually(async () => {
      const list = await api.get(`/v1/campaigns/${id}/leads?status=completed`);
      return list.body.data.find((e: any) => e.email === late);
    }, 30_000, 'late lead completed');
    const timeline = await api.get(`/v1/campaigns/${id}/leads/${detail.leadId}`);
    expect(timeline.body.data.messages.map((m: any) => [m.stepNumber, m.subject])).toEqual([[1, 'Quick question, Late']]);
  });
});

describe('campaign lifecycle rules', () => {
  it('follows the lifecycle table', async () => {
    const { api } = await testApp();
    const empty = (await api.post('/v1/campaigns', { name: 'no steps' })).body.data.id;
    expect((await api.post(`/v1/campaigns/${empty}/start`)).body.error.code).toBe('no_sequence_steps');
    const pausedDraft = await api.post(`/v1/campaigns/${empty}/pause`);
    expect(pausedDraft.status).toBe(200);
    expect(pausedDraft.body.data).toEqual({ id: empty, status: 'draft', pausedAt: null });

    const noLeads = (await api.post('/v1/campaigns', { name: 'no leads', sequenceSteps: seedSteps })).body.data.id;
    const refused = await api.post(`/v1/campaigns/${noLeads}/start`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('no_leads_enrolled');
    expect((await api.get(`/v1/campaigns/${noLeads}`)).body.data.status).toBe('draft');
  });

  it('answers no-ops with the current state and refuses step changes outside draft', async () => {
    const { api } = await testApp();
    // A step far in the future keeps the lead waiting, so nothing is sent during the test.
    const id = (await api.post('/v1/campaigns', { name: 'c', sequenceSteps: [{ ...seedSteps[0], delayDays: 30 }] })).body.data.id;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: `x-${uniq()}@example.com` }] });
    const first = await api.post(`/v1/campaigns/${id}/start`);
    const again = await api.post(`/v1/campaigns/${id}/start`);
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual(first.body.data);

    const patch = await api.patch(`/v1/campaigns/${id}`, { sequenceSteps: seedSteps });
    expect(patch.status).toBe(409);
    expect(patch.body.error.code).toBe('campaign_not_draft');
    const renamed = await api.patch(`/v1/campaigns/${id}`, { name: 'renamed', settings: { stopCompanyOnReply: true } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: 'renamed', settings: { stopCompanyOnReply: true, sendingWindow: null }, sequenceSteps: 1 });

    const p1 = await api.post(`/v1/campaigns/${id}/pause`);
    const p2 = await api.post(`/v1/campaigns/${id}/pause`);
    expect(p1.body.data.status).toBe('paused');
    expect(p2.body.data).toEqual(p1.body.data);
    const back = await api.post(`/v1/campaigns/${id}/start`);
    expect(back.body.data).toMatchObject({ status: 'running', startedAt: first.body.data.startedAt });
  });

  it('replaces steps in draft', async () => {
    const { api } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'c', sequenceSteps: seedSteps })).body.data.id;
    const res = await api.patch(`/v1/campaigns/${id}`, { sequenceSteps: [{ delayDays: 1, subject: 'Only', bodyHtml: '<p>x</p>' }] });
    expect(res.status).toBe(200);
    expect(res.body.data.steps).toEqual([{ stepNumber: 1, delayDays: 1, subject: 'Only', bodyHtml: '<p>x</p>', variants: [], winnerVariantId: null, winnerSelectedAt: null }]);
  });

  it("answers another workspace's campaign and lead with 404 on every campaign route", async () => {
    const { api, app, deps } = await testApp();
    const other = await newWorkspace(deps.db);
    const theirs = apiClient(app, other.apiKey);
    const id = (await theirs.post('/v1/campaigns', { name: 'theirs', sequenceSteps: seedSteps })).body.data.id;
    await theirs.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: `t-${uniq()}@example.com` }] });
    const leadId = (await theirs.get(`/v1/campaigns/${id}/leads`)).body.data[0].leadId;
    const calls = [
      api.get(`/v1/campaigns/${id}`),
      api.patch(`/v1/campaigns/${id}`, { name: 'mine' }),
      api.post(`/v1/campaigns/${id}/start`),
      api.post(`/v1/campaigns/${id}/pause`),
      api.post(`/v1/campaigns/${id}/resume`),
      api.get(`/v1/campaigns/${id}/stats`),
      api.get(`/v1/campaigns/${id}/preview?leadId=${leadId}`),
      api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'a@example.com' }] }),
      api.get(`/v1/campaigns/${id}/leads`),
      api.get(`/v1/campaigns/${id}/leads/${leadId}`),
      api.post(`/v1/campaigns/${id}/leads/${leadId}/pause`),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('campaign_not_found');
    }
    const still = await theirs.get(`/v1/campaigns/${id}`);
    expect(still.body.data).toMatchObject({ name: 'theirs', status: 'draft' });
    expect(await testDeps().db.lead.count({ where: { workspaceId: other.workspaceId } })).toBe(1);
  });
});
