import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';

/**
 * nextSendAt is when the step is planned to go: a delay or an out-of-office hold that ends outside
 * the sending window reads as the window's next opening, in the lead's zone where the window says
 * so, the same time the dry run gives.
 */
describe('nextSendAt inside the sending window', () => {
  it('puts the end of a hold and of a delay at the next opening, per lead zone', async () => {
    const { api } = await testApp();
    const window = { timezone: 'lead', fallbackTimezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };
    const id = (await api.post('/v1/campaigns', { name: 'window', settings: { sendingWindow: window }, sequenceSteps: [{ delayDays: 30, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    const [ana, raj] = [`ana-${uniq()}@acme.io`, `raj-${uniq()}@globex.com`];
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: ana }, { email: raj, timezone: 'Asia/Kolkata' }] });
    await api.post(`/v1/campaigns/${id}/start`);

    const held = await api.post('/v1/replies', { email: ana, campaignId: id, text: 'Automatic reply: I am out of the office until 2027-01-11.' });
    // Held until the start of 12 January (Berlin); the window opens at 09:00 Berlin, 08:00 UTC.
    expect(held.body.data.enrollments[0]).toMatchObject({ waitingFor: 'out_of_office', nextSendAt: '2027-01-12T08:00:00.000Z' });

    const leads: { email: string; leadId: string; waitingFor: string; nextSendAt: string }[] = (await api.get(`/v1/campaigns/${id}/leads`)).body.data;
    const byEmail = Object.fromEntries(leads.map((l) => [l.email, l]));
    expect(byEmail[ana]).toMatchObject({ waitingFor: 'out_of_office', nextSendAt: '2027-01-12T08:00:00.000Z' });
    // 30 days on, moved into the window in Kolkata: a weekday, between 09:00 and 17:00 there.
    const rajAt = new Date(byEmail[raj]!.nextSendAt);
    expect(byEmail[raj]!.waitingFor).toBe('delay');
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' }).format(rajAt)).toMatch(/^(Mon|Tue|Wed|Thu|Fri) (09|1[0-6]):\d\d$/);
    const schedule = (await api.get(`/v1/campaigns/${id}/leads/${encodeURIComponent(ana)}/schedule`)).body.data;
    expect(schedule.steps[0].plannedAt).toBe('2027-01-12T08:00:00.000Z');
  });
});
