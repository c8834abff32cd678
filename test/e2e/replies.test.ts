import { beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/deps.js';
import { eventually, startTestWorker } from '../helpers/worker.js';
import { uniq } from '../helpers/fixtures.js';
import { parseReturnDate, resumeDay } from '../../src/domain/return-date.js';

const twoSteps = [
  { delayDays: 0, subject: 'One', bodyHtml: '<p>1</p>' },
  { delayDays: 3, subject: 'Two', bodyHtml: '<p>2</p>' },
];

async function runningCampaign(emails: string[], settings?: object) {
  const ctx = await testApp();
  const id = (await ctx.api.post('/v1/campaigns', { name: 'replies', sequenceSteps: twoSteps, ...(settings ? { settings } : {}) })).body.data.id;
  await ctx.api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: emails.map((email) => ({ email })) });
  await ctx.api.post(`/v1/campaigns/${id}/start`);
  await eventually(async () => (await ctx.api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics.sent === emails.length, 30_000, 'step 1 sent');
  const status = async (email: string) => (await ctx.api.get(`/v1/campaigns/${id}/leads`)).body.data.find((e: any) => e.email === email)?.status;
  return { ...ctx, id, status };
}

describe('replies and suppression', () => {
  beforeAll(async () => {
    await startTestWorker();
  });

  it('a reply during the delay ends the sequence, counts once, and step 2 is never sent', async () => {
    const email = `jane-${uniq()}@acme-${uniq()}.com`;
    const { api, deps, id, status } = await runningCampaign([email]);
    // Two replies of the same lead at once: the lead counts once.
    const [res, second] = await Promise.all([
      api.post('/v1/replies', { email, campaignId: id, subject: 'Re: One', text: 'Sounds good, let us talk Thursday.' }),
      api.post('/v1/replies', { email, text: 'Also, can you send pricing?' }),
    ]);
    expect(res.status).toBe(201);
    expect(second.status).toBe(201);
    expect(res.body.data).toMatchObject({ id: expect.stringMatching(/^rpl_/), email, campaignId: id, classification: 'interested', threadSnippet: 'Sounds good, let us talk Thursday.' });
    expect(await status(email)).toBe('replied');
    const stats = (await api.get(`/v1/campaigns/${id}/stats`)).body.data;
    expect(stats.metrics).toMatchObject({ replied: 1, delivered: 1, queued: 0, replyRate: 1 });
    const enrollment = await deps.db.enrollment.findFirstOrThrow({ where: { campaignId: id } });
    const handle = deps.temporal.workflow.getHandle(`enrollment-${enrollment.id}`);
    expect((await handle.result()).status).toBe('replied');
    expect(await deps.db.message.count({ where: { campaignId: id } })).toBe(1);
  });

  it('an out-of-office reply holds the lead by default until the working day after its return, and is not counted', async () => {
    const email = `away-${uniq()}@acme.com`;
    const { api, deps, id, status } = await runningCampaign([email]);
    const text = 'I am out of the office until Monday.';
    const res = await api.post('/v1/replies', { email, subject: 'Automatic reply: One', text });
    expect(res.body.data.classification).toBe('out_of_office');
    // settings.onReply.out_of_office is `hold` by default: the lead stays active, but nothing is
    // sent before the start of the working day after Monday (the workspace's zone, UTC here).
    const at = new Date(res.body.data.receivedAt);
    const until = new Date(`${resumeDay(parseReturnDate(text, at), at)}T00:00:00.000Z`);
    expect(await status(email)).toBe('active');
    const enrollment = await deps.db.enrollment.findFirstOrThrow({ where: { campaignId: id } });
    expect(enrollment).toMatchObject({ status: 'active', heldUntil: until, waitingFor: 'out_of_office', repliedAt: null });
    expect(enrollment.nextSendAt!.getTime()).toBeGreaterThanOrEqual(until.getTime());
    expect(res.body.data.enrollments).toEqual([{ campaignId: id, status: 'active', stopReason: null, waitingFor: 'out_of_office', nextSendAt: enrollment.nextSendAt!.toISOString(), behindPause: null }]);
    expect((await api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics.replied).toBe(0);
    const list = await api.get(`/v1/replies?campaignId=${id}&classification=out_of_office`);
    expect(list.body.data.map((r: any) => r.email)).toEqual([email]);
  });

  it('an unsubscribe reply suppresses the address, and a later upsert skips it', async () => {
    const email = `bye-${uniq()}@acme.com`;
    const { api, id, status } = await runningCampaign([email]);
    expect((await api.post('/v1/replies', { email, text: 'Please remove me from your list.' })).body.data.classification).toBe('unsubscribe');
    expect(await status(email)).toBe('unsubscribed');
    expect((await api.get('/v1/suppression-list')).body.data).toEqual([{ email, reason: 'unsubscribed', createdAt: expect.any(String) }]);
    expect((await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email }] })).body.data).toEqual({ enrolled: 0, updated: 0, skipped: 1, total: 0 });
  });

  it('stopCompanyOnReply stops colleagues at the same company, but not at a free-mail domain', async () => {
    const company = `globex-${uniq()}.com`;
    const [a, b] = [`a@${company}`, `b@${company}`];
    const [g1, g2] = [`g1-${uniq()}@gmail.com`, `g2-${uniq()}@gmail.com`];
    const { api, status } = await runningCampaign([a, b, g1, g2], { stopCompanyOnReply: true });
    await api.post('/v1/replies', { email: a, text: 'Not interested, thanks.' });
    await api.post('/v1/replies', { email: g1, text: 'No thanks.' });
    expect([await status(a), await status(b), await status(g1), await status(g2)]).toEqual(['replied', 'stopped', 'replied', 'active']);
    // Every ending says so in the event feed, with its reason: the colleague's stop included.
    const events = (await api.get('/v1/events?limit=200&type=lead.replied,lead.stopped')).body.data;
    const byEmail = Object.fromEntries(events.map((e: any) => [e.data.email, { event: e.event, status: e.data.status, reason: e.data.reason }]));
    expect(byEmail).toEqual({
      [a]: { event: 'lead.replied', status: 'replied', reason: expect.stringContaining('not_interested') },
      [b]: { event: 'lead.stopped', status: 'stopped', reason: `a colleague at ${company} replied` },
      [g1]: { event: 'lead.replied', status: 'replied', reason: expect.stringContaining('not_interested') },
    });
  });

  it('lists replies newest first with cursor pagination, and rejects unknown leads', async () => {
    const email = `many-${uniq()}@acme.com`;
    const { api } = await runningCampaign([email]);
    const ids = [];
    for (const text of ['first', 'second', 'third']) ids.push((await api.post('/v1/replies', { email, text: `${text} (I am out of the office)` })).body.data.id);
    const page1 = await api.get('/v1/replies?limit=2');
    expect(page1.body.data.map((r: any) => r.id)).toEqual([ids[2], ids[1]]);
    const page2 = await api.get(`/v1/replies?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.data.map((r: any) => r.id)).toEqual([ids[0]]);
    expect((await api.post('/v1/replies', { email: 'stranger@nowhere.com', text: 'hi' })).body.error.code).toBe('lead_not_found');
    expect((await api.get('/v1/replies?classification=angry')).status).toBe(400);
  });

  it('suppression list: counts, stops enrolled addresses, lists and deletes', async () => {
    const email = `sup-${uniq()}@acme.com`;
    const { api, status } = await runningCampaign([email]);
    const other = `other-${uniq()}@acme.com`;
    const res = await api.post('/v1/suppression-list', { emails: [email, other, other.toUpperCase()] });
    expect(res.body.data).toEqual({ suppressed: 2, alreadySuppressed: 0, total: 2 });
    expect((await api.post('/v1/suppression-list', { emails: [email] })).body.data).toEqual({ suppressed: 0, alreadySuppressed: 1, total: 1 });
    expect(await status(email)).toBe('stopped');
    expect((await api.get('/v1/suppression-list')).body.data.map((s: any) => s.email).sort()).toEqual([email, other].sort());
    expect((await api.delete(`/v1/suppression-list/${encodeURIComponent(other)}`)).status).toBe(200);
    expect((await api.delete(`/v1/suppression-list/${encodeURIComponent(other)}`)).status).toBe(404);
    expect((await api.post('/v1/suppression-list', { emails: ['nope'] })).status).toBe(422);
    expect((await api.post('/v1/suppression-list', { emails: Array.from({ length: 1001 }, (_, i) => `x${i}@a.com`) })).status).toBe(422);
  });
});
