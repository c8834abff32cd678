import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { resumeDay } from '../../src/domain/return-date.js';
import { testApp } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';

const back = DateTime.utc().plus({ days: 10 });
/** The start (UTC, the workspace's zone) of the working day after `day`, or a week on without one. */
const resumesAt = (day: string | null) => `${resumeDay(day, new Date())}T00:00:00.000Z`;
const STEPS = [{ delayDays: 0, subject: 'Hi', bodyHtml: '<p>1</p>' }, { delayDays: 3, subject: '', bodyHtml: '<p>2</p>' }];

/** SPEC §12 settings.onReply through the API: what each class of reply does to the lead. */
async function campaignWith(onReply?: object) {
  const { api } = await testApp();
  const id = (await api.post('/v1/campaigns', { name: 'policy', sequenceSteps: STEPS, ...(onReply ? { settings: { onReply } } : {}) })).body.data.id as string;
  const email = `p-${uniq()}@example.com`;
  const leadId = (await api.post(`/v1/campaigns/${id}/leads/bulk?return=leads`, { leads: [{ email }] })).body.data.leads[0].leadId as string;
  await api.post(`/v1/campaigns/${id}/start`);
  const reply = (text: string) => api.post('/v1/replies', { email, campaignId: id, text });
  const lead = async () => (await api.get(`/v1/campaigns/${id}/leads/${leadId}`)).body.data;
  const stats = async () => (await api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics;
  return { api, id, reply, lead, stats };
}

describe('reply policies', () => {
  it('holds an out-of-office by default until the working day after its return date, without counting a reply', async () => {
    const c = await campaignWith();
    const held = (await c.reply(`I am out of the office until ${back.toFormat('cccc d LLLL yyyy')}.`)).body.data;
    expect(held.classification).toBe('out_of_office');
    // The answer says what the reply did, as the lead reads afterwards.
    expect(held.enrollments).toEqual([{ campaignId: c.id, status: 'active', stopReason: null, waitingFor: 'out_of_office', nextSendAt: resumesAt(back.toISODate()), behindPause: null }]);
    expect(await c.lead()).toMatchObject({ status: 'active', waitingFor: 'out_of_office', nextSendAt: resumesAt(back.toISODate()) });
    expect((await c.stats()).replied).toBe(0);
    // A real answer during the hold ends the lead as usual.
    const answered = (await c.reply('Back now - yes, I am interested, let us talk.')).body.data;
    expect(answered.enrollments).toEqual([{ campaignId: c.id, status: 'replied', stopReason: 'reply: interested', waitingFor: null, nextSendAt: null, behindPause: null }]);
    expect(await c.lead()).toMatchObject({ status: 'replied' });
    expect((await c.stats()).replied).toBe(1);
  });

  it('stops on an out-of-office when told to, and holds an interested reply (still counted) when told to', async () => {
    const stop = await campaignWith({ out_of_office: 'stop' });
    await stop.reply('Out of office until 20 March, limited access to email.');
    expect(await stop.lead()).toMatchObject({ status: 'stopped', stopReason: 'reply: out_of_office' });
    expect((await stop.stats()).replied).toBe(0);

    const hold = await campaignWith({ interested: 'hold' });
    await hold.reply('Sounds interesting! Can you send more details?');
    expect(await hold.lead()).toMatchObject({ status: 'active', waitingFor: 'out_of_office', nextSendAt: resumesAt(null) });
    expect((await hold.stats()).replied).toBe(1);
    const settings = (await hold.api.get(`/v1/campaigns/${hold.id}`)).body.data.settings;
    expect(settings.onReply).toEqual({ interested: 'hold', not_interested: 'stop', out_of_office: 'hold' });
  });

  it('refuses an unknown action with a 4xx and keeps the policy', async () => {
    const c = await campaignWith();
    const res = await c.api.patch(`/v1/campaigns/${c.id}`, { settings: { onReply: { out_of_office: 'ignore' } } });
    expect(res.status).toBe(422);
    expect((await c.api.get(`/v1/campaigns/${c.id}`)).body.data.settings.onReply.out_of_office).toBe('hold');
  });
});
