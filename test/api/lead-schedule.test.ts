import { describe, expect, it } from 'vitest';
import { checkWindow, windowFor } from '../../src/domain/schedule.js';
import { testApp } from '../helpers/deps.js';

const DAY = 24 * 60 * 60 * 1000;

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
});
