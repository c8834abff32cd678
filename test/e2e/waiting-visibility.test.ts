import { beforeAll, describe, expect, it } from 'vitest';
import { checkWindow, nextLocalMidnight } from '../../src/domain/schedule.js';
import { DAY_MS as DAY } from '../../src/domain/time.js';
import { testApp } from '../helpers/deps.js';
import { eventually, startTestWorker } from '../helpers/worker.js';

const ONE_STEP = [{ delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>1</p>' }];

/** A window that is closed now: it opens two hours from now (UTC), for an hour. */
function closedWindow(now = new Date()) {
  const start = (now.getUTCHours() + 2) % 24;
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
  return { timezone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], start: hh(start), end: start === 23 ? '23:59' : hh(start + 1) };
}

describe('every wait says why and until when (waitingFor, nextSendAt, health)', () => {
  beforeAll(async () => {
    await startTestWorker();
  });

  async function campaign(leads: number, options: { dailyLimit?: number; settings?: object } = {}) {
    const ctx = await testApp();
    await ctx.api.post('/v1/sender-accounts', { email: `ada-${Math.random().toString(36).slice(2, 8)}@acme.com`, name: 'Ada', dailyLimit: options.dailyLimit ?? 100, minGapSeconds: 0, jitterSeconds: 0 });
    const id = (await ctx.api.post('/v1/campaigns', { name: 'waits', sequenceSteps: ONE_STEP, ...(options.settings ? { settings: options.settings } : {}) })).body.data.id;
    const emails = Array.from({ length: leads }, (_, i) => `w${i}-${Math.random().toString(36).slice(2, 8)}@example.com`);
    await ctx.api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: emails.map((email) => ({ email, firstName: 'Lee' })) });
    await ctx.api.post(`/v1/campaigns/${id}/start`);
    const leads_ = async () => (await ctx.api.get(`/v1/campaigns/${id}/leads?limit=200`)).body.data as any[];
    const health = async () => (await ctx.api.get(`/v1/campaigns/${id}/health`)).body.data;
    return { ...ctx, id, emails, leads: leads_, health };
  }

  it('shows a lead outside the sending window waiting for it, until it opens', async () => {
    const window = closedWindow();
    const c = await campaign(1, { settings: { sendingWindow: window } });
    const [lead] = await eventually(async () => {
      const all = await c.leads();
      return all[0].waitingFor === 'window' ? all : null;
    }, 30_000, 'waiting for the window');
    const opensAt = (checkWindow(new Date(), window) as { opensAt: Date }).opensAt;
    expect(lead).toMatchObject({ status: 'active', currentStep: 0, waitingFor: 'window', nextSendAt: opensAt.toISOString() });
    const health = await c.health();
    expect(health.status).toBe('waiting');
    expect(health.reasons).toContainEqual(expect.objectContaining({ code: 'window_closed', count: 1, until: opensAt.toISOString() }));
    expect((await c.api.get(`/v1/campaigns/${c.id}`)).body.data.health).toEqual(health);
  });

  it('gives each lead waiting for capacity its own booked day, so a reset wakes only as many as can send', async () => {
    const c = await campaign(3, { dailyLimit: 1 });
    const leads = await eventually(async () => {
      const all = await c.leads();
      // The third lead's send may still be in flight when the other two are booked.
      const settled = all.filter((l) => l.waitingFor === 'capacity').length === 2 && all.some((l) => l.currentStep === 1);
      return settled ? all : null;
    }, 30_000, 'two waiting for capacity, one sent');
    expect(leads.filter((l) => l.currentStep === 1)).toHaveLength(1);
    const tomorrow = nextLocalMidnight(new Date(), 'UTC').getTime();
    const booked = leads.filter((l) => l.waitingFor === 'capacity').map((l) => Date.parse(l.nextSendAt)).sort();
    expect(booked).toEqual([tomorrow, tomorrow + DAY]);
    const health = await c.health();
    expect(health.status).toBe('waiting');
    expect(health.reasons).toContainEqual(expect.objectContaining({ code: 'capacity_exhausted', count: 2, until: new Date(tomorrow).toISOString() }));
    // The lead that sent completes; the two that wait stay queued.
    await eventually(async () => {
      const m = (await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data.metrics;
      return m.sent === 1 && m.queued === 2;
    }, 30_000, 'one sent, two queued');
  });

  it('shows an out-of-office hold under a campaign pause, in health and in the lead list, as a wait that passes by itself', async () => {
    const ctx = await testApp();
    const id = (await ctx.api.post('/v1/campaigns', { name: 'ooo', sequenceSteps: [{ delayDays: 2, subject: 'Later', bodyHtml: '<p>l</p>' }] })).body.data.id;
    await ctx.api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'ooo1@example.com' }, { email: 'ooo2@example.com' }] });
    await ctx.api.post(`/v1/campaigns/${id}/start`);
    const away = await ctx.api.post('/v1/replies', { email: 'ooo1@example.com', campaignId: id, subject: 'Automatic reply', text: 'Thank you for your message. I am out of the office until January 20 with limited access to email.' });
    expect(away.body.data.enrollments[0]).toMatchObject({ status: 'active', waitingFor: 'out_of_office' });
    await ctx.api.post(`/v1/campaigns/${id}/pause`);
    const health = (await ctx.api.get(`/v1/campaigns/${id}/health`)).body.data;
    expect(health.status).toBe('paused');
    expect(health.reasons).toEqual([
      expect.objectContaining({ code: 'campaign_paused', count: 2, needsYou: true }),
      expect.objectContaining({ code: 'out_of_office', count: 1, needsYou: false, until: away.body.data.enrollments[0].nextSendAt }),
    ]);
    // The lead list says it too: the pause first, the hold it covers behind it.
    const held = (await ctx.api.get(`/v1/campaigns/${id}/leads`)).body.data.find((l: { email: string }) => l.email === 'ooo1@example.com');
    expect(held).toMatchObject({ waitingFor: 'campaign_paused', behindPause: 'out_of_office', nextSendAt: away.body.data.enrollments[0].nextSendAt });
  });

  it('shows a campaign pause and a lead pause as what the leads wait for', async () => {
    const ctx = await testApp();
    const id = (await ctx.api.post('/v1/campaigns', { name: 'paused', sequenceSteps: [{ delayDays: 2, subject: 'Later', bodyHtml: '<p>l</p>' }] })).body.data.id;
    await ctx.api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'p1@example.com' }, { email: 'p2@example.com' }] });
    await ctx.api.post(`/v1/campaigns/${id}/start`);
    const [one] = (await ctx.api.get(`/v1/campaigns/${id}/leads`)).body.data;
    await ctx.api.post(`/v1/campaigns/${id}/leads/${one.leadId}/pause`);
    await ctx.api.post(`/v1/campaigns/${id}/pause`);
    const leads = (await ctx.api.get(`/v1/campaigns/${id}/leads`)).body.data;
    expect(leads.map((l: any) => l.waitingFor).sort()).toEqual(['campaign_paused', 'lead_paused']);
    const health = (await ctx.api.get(`/v1/campaigns/${id}/health`)).body.data;
    // A pause lasts until someone resumes: not a wait that passes by itself.
    expect(health.status).toBe('paused');
    expect(health.reasons.map((r: any) => [r.code, r.needsYou]).sort()).toEqual([['campaign_paused', true], ['leads_paused', true]]);

    await ctx.api.post(`/v1/campaigns/${id}/resume`);
    const resumed = (await ctx.api.get(`/v1/campaigns/${id}/leads`)).body.data;
    expect(resumed.map((l: any) => l.waitingFor).sort()).toEqual(['delay', 'lead_paused']);
  });
});
