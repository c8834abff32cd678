import { describe, expect, it } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { createApp } from '../../src/api/app.js';
import { newId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/logger.js';
import { createLocalTransport } from '../../src/mail/local-transport.js';
import { apiClient, newWorkspace, testDeps } from '../helpers/deps.js';

const LEAD_WINDOW = { timezone: 'lead', fallbackTimezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' };

async function leadsIn(zones: (string | null)[]) {
  const { db } = testDeps();
  const { workspaceId } = await newWorkspace(db);
  const campaign = await db.campaign.create({
    data: { id: newId('camp'), workspaceId, name: 'zones', status: 'running', startedAt: new Date(), settings: { sendingWindow: LEAD_WINDOW }, steps: { create: [{ stepNumber: 1, delayDays: 0, subject: 'S', bodyHtml: 'b' }] } },
  });
  const enrollments = [];
  for (const [i, timezone] of zones.entries()) {
    const lead = await db.lead.create({ data: { id: newId('lead'), workspaceId, email: `z${i}-${campaign.id}@example.com`, timezone } });
    enrollments.push(await db.enrollment.create({ data: { id: newId('enr'), workspaceId, campaignId: campaign.id, leadId: lead.id, status: 'active' } }));
  }
  return enrollments;
}

describe("sending windows in each lead's time zone", () => {
  const clock = { now: new Date() };
  const deps = testDeps();
  const acts = activitiesFromConfig(deps.config, { db: deps.db, logger: createLogger('silent', 'test'), client: deps.temporal, mailer: createLocalTransport(), now: () => clock.now });
  const claim = (enrollmentId: string) => acts.claimStep({ enrollmentId, stepNumber: 1 });

  it("opens at 09:00 in the lead's zone, and in the fallback zone for a lead without one", async () => {
    const [newYork, none] = await leadsIn(['America/New_York', null]);
    clock.now = new Date('2026-03-06T13:30:00Z'); // 08:30 in New York (EST), 14:30 in Berlin
    expect(await claim(newYork!.id)).toEqual({ kind: 'deferred', reason: 'window', until: '2026-03-06T14:00:00.000Z' });
    expect((await claim(none!.id)).kind).toBe('attempt');
  });

  it('keeps 09:00 local across a daylight-saving change: the UTC opening moves an hour', async () => {
    const [before, after] = await leadsIn(['America/New_York', 'America/New_York']);
    clock.now = new Date('2026-03-07T13:30:00Z'); // Saturday 08:30 EST
    expect(await claim(before!.id)).toEqual({ kind: 'deferred', reason: 'window', until: '2026-03-07T14:00:00.000Z' });
    clock.now = new Date('2026-03-09T13:30:00Z'); // Monday 09:30 EDT: DST began on the 8th
    expect((await claim(after!.id)).kind).toBe('attempt');
    clock.now = new Date('2026-03-08T12:30:00Z'); // Sunday 08:30 EDT (the clocks went forward at 02:00)
    expect(await claim(before!.id)).toEqual({ kind: 'deferred', reason: 'window', until: '2026-03-08T13:00:00.000Z' });
  });

  it('takes a lead time zone in the bulk call (validated) and a window in the lead zone in campaign settings', async () => {
    const ws = await newWorkspace(deps.db);
    const api = apiClient(createApp(deps), ws.apiKey);
    const id = (await api.post('/v1/campaigns', { name: 'z', sequenceSteps: [{ delayDays: 0, subject: 'S', bodyHtml: 'b' }], settings: { sendingWindow: LEAD_WINDOW } })).body.data.id;
    expect((await api.get(`/v1/campaigns/${id}`)).body.data.settings.sendingWindow).toMatchObject({ timezone: 'lead', fallbackTimezone: 'Europe/Berlin' });
    const bad = await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'ok@example.com', timezone: 'Asia/Tokyo' }, { email: 'bad@example.com', timezone: 'Mars/Olympus' }] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ index: 1, field: 'timezone' })]);
    expect(await deps.db.lead.count({ where: { workspaceId: ws.workspaceId } })).toBe(0);
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'tokyo@example.com', timezone: 'Asia/Tokyo' }] });
    const [lead] = (await api.get(`/v1/campaigns/${id}/leads`)).body.data;
    expect((await api.get(`/v1/campaigns/${id}/leads/${lead.leadId}`)).body.data.lead.timezone).toBe('Asia/Tokyo');
    // A later upsert without the field keeps it; one with null clears it.
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'tokyo@example.com', firstName: 'Ken' }] });
    expect((await deps.db.lead.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } })).timezone).toBe('Asia/Tokyo');
    const badWindow = await api.patch(`/v1/campaigns/${id}`, { settings: { sendingWindow: { ...LEAD_WINDOW, fallbackTimezone: 'Nowhere/Land' } } });
    expect(badWindow.status).toBe(422);
  });
});
