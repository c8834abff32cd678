import { describe, expect, it } from 'vitest';
import { checkWindow, windowFor } from '../../src/domain/schedule.js';
import { DAY_MS as DAY } from '../../src/domain/time.js';
import { testApp } from '../helpers/deps.js';

/** A window in the lead's zone (UTC here) that opens two hours from now, for an hour. */
function closedWindow(now = new Date()) {
  const start = (now.getUTCHours() + 2) % 24;
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
  return { timezone: 'lead', fallbackTimezone: 'Asia/Tokyo', days: [1, 2, 3, 4, 5, 6, 7], start: hh(start), end: start === 23 ? '23:59' : hh(start + 1) };
}

describe("a lead's schedule (dry run)", () => {
  it('renders every remaining step with its planned time and reason, and changes nothing', async () => {
    const { api, deps } = await testApp();
    const sender = (await api.post('/v1/sender-accounts', { email: `plan-${Date.now()}@acme.com`, name: 'Plan', dailyLimit: 10 })).body.data;
    const window = closedWindow();
    const id = (
      await api.post('/v1/campaigns', {
        name: 'plan',
        settings: { sendingWindow: window },
        sequenceSteps: [
          { delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>{{company}}</p>' },
          { delayDays: 3, subject: '', bodyHtml: '<p>Again, {{firstName|there}}</p>' },
        ],
      })
    ).body.data.id;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'ada@example.com', firstName: 'Ada', timezone: 'UTC' }] });
    const [lead] = (await api.get(`/v1/campaigns/${id}/leads`)).body.data;
    const before = await deps.db.enrollment.findFirstOrThrow({ where: { campaignId: id } });

    const res = await api.get(`/v1/campaigns/${id}/leads/${lead.leadId}/schedule`);
    expect(res.status).toBe(200);
    const opensAt = (checkWindow(new Date(), windowFor(window, 'UTC')) as { opensAt: Date }).opensAt;
    expect(res.body.data).toMatchObject({ leadId: lead.leadId, email: 'ada@example.com', status: 'pending', campaignStatus: 'draft' });
    expect(res.body.data.steps).toEqual([
      { stepNumber: 1, variantId: null, subject: 'Hi Ada', bodyHtml: '<p></p>', emptyTokens: ['company'], plannedAt: opensAt.toISOString(), plannedBecause: ['window'] },
      { stepNumber: 2, variantId: null, subject: 'Re: Hi Ada', bodyHtml: '<p>Again, Ada</p>', emptyTokens: [], plannedAt: new Date(opensAt.getTime() + 3 * DAY).toISOString(), plannedBecause: ['delay'] },
    ]);
    // Nothing was claimed, reserved or changed.
    expect(await deps.db.message.count({ where: { campaignId: id } })).toBe(0);
    expect(await deps.db.enrollment.findFirstOrThrow({ where: { campaignId: id } })).toEqual(before);
    expect(await deps.db.senderDailyUsage.count({ where: { senderAccountId: sender.id } })).toBe(0);
    expect((await deps.db.senderAccount.findUniqueOrThrow({ where: { id: sender.id } })).nextSlotAt).toBeNull();

    const missing = await api.get(`/v1/campaigns/${id}/leads/lead_missing/schedule`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('lead_not_found');
  });

  it('says what the lead waits for as the lead does: an out-of-office hold plans its return, a campaign pause reads as the pause', async () => {
    const { api, deps } = await testApp();
    const id = (
      await api.post('/v1/campaigns', {
        name: 'held',
        sequenceSteps: [
          { delayDays: 0, subject: 'Hi', bodyHtml: '<p>1</p>' },
          { delayDays: 2, subject: '', bodyHtml: '<p>2</p>' },
          { delayDays: 3, subject: '', bodyHtml: '<p>3</p>' },
        ],
      })
    ).body.data.id;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'held@example.com' }] });
    const [lead] = (await api.get(`/v1/campaigns/${id}/leads`)).body.data;
    // Step 1 went out; then an out-of-office reply held the lead past step 2's delay.
    const back = new Date(Date.now() + 6 * DAY);
    await deps.db.campaign.update({ where: { id }, data: { status: 'running', startedAt: new Date() } });
    await deps.db.enrollment.updateMany({ where: { campaignId: id }, data: { status: 'active', currentStep: 1, heldUntil: back, nextSendAt: back, waitingFor: 'out_of_office' } });

    const held = (await api.get(`/v1/campaigns/${id}/leads/${lead.leadId}/schedule`)).body.data;
    expect(held.waitingFor).toBe('out_of_office');
    expect(held.steps.map((s: { stepNumber: number; plannedAt: string; plannedBecause: string[] }) => [s.stepNumber, s.plannedAt, s.plannedBecause])).toEqual([
      [2, back.toISOString(), ['out_of_office']],
      [3, new Date(back.getTime() + 3 * DAY).toISOString(), ['delay']],
    ]);

    await deps.db.campaign.update({ where: { id }, data: { status: 'paused' } });
    const paused = (await api.get(`/v1/campaigns/${id}/leads/${lead.leadId}/schedule`)).body.data;
    const shown = (await api.get(`/v1/campaigns/${id}/leads/${lead.leadId}`)).body.data;
    expect(paused.waitingFor).toBe('campaign_paused');
    expect(paused.waitingFor).toBe(shown.waitingFor);
  });
});
