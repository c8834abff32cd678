import { describe, expect, it } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import type { SendStepResult } from '../../src/domain/step-result.js';
import { newId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/logger.js';
import { createLocalTransport } from '../../src/mail/local-transport.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';

// sendStep is called directly with an injected clock: days roll without waiting for one.
function activitiesAt(clock: { now: Date }) {
  const deps = testDeps();
  return activitiesFromConfig(deps.config, {
    db: deps.db,
    logger: createLogger('silent', 'test'),
    client: deps.temporal,
    mailer: createLocalTransport(),
    now: () => clock.now,
  });
}

async function campaignWith(options: { leads: number; steps?: number; senders: { email: string; dailyLimit: number }[]; settings?: object; timezone?: string }) {
  const { db } = testDeps();
  const { workspaceId } = await newWorkspace(db);
  if (options.timezone) await db.workspace.update({ where: { id: workspaceId }, data: { timezone: options.timezone } });
  const senders = [];
  for (const s of options.senders) {
    senders.push(await db.senderAccount.create({ data: { id: newId('sa'), workspaceId, name: s.email.split('@')[0]!, ...s } }));
  }
  const campaign = await db.campaign.create({
    data: {
      id: newId('camp'),
      workspaceId,
      name: 'capacity',
      status: 'running',
      startedAt: new Date(),
      settings: options.settings ?? {},
      steps: { create: Array.from({ length: options.steps ?? 1 }, (_, i) => ({ stepNumber: i + 1, delayDays: 0, subject: `S${i + 1}`, bodyHtml: 'b' })) },
    },
  });
  const enrollments = [];
  for (let i = 0; i < options.leads; i++) {
    const lead = await db.lead.create({ data: { id: newId('lead'), workspaceId, email: `l${i}-${campaign.id}@example.com` } });
    enrollments.push(await db.enrollment.create({ data: { id: newId('enr'), workspaceId, campaignId: campaign.id, leadId: lead.id, status: 'active' } }));
  }
  return { workspaceId, campaign, senders, enrollments };
}

const kinds = (results: SendStepResult[]) => results.map((r) => (r.kind === 'deferred' ? `deferred:${r.reason}` : r.kind));

describe('daily capacity', () => {
  it('sends 3 of 10 with dailyLimit 3, queues 7 until midnight, and sends more when the day rolls', async () => {
    const { db } = testDeps();
    const clock = { now: new Date('2026-11-26T10:00:00Z') };
    const acts = activitiesAt(clock);
    const { enrollments, senders } = await campaignWith({ leads: 10, senders: [{ email: `a-${Date.now()}@acme.com`, dailyLimit: 3 }] });

    const day1: SendStepResult[] = [];
    for (const e of enrollments) day1.push(await acts.sendStep({ enrollmentId: e.id, stepNumber: 1 }));
    expect(kinds(day1).filter((k) => k === 'sent')).toHaveLength(3);
    const deferred = day1.filter((r): r is Extract<SendStepResult, { kind: 'deferred' }> => r.kind === 'deferred');
    expect(deferred).toHaveLength(7);
    // Each waiting lead is booked a day with room: three a day, not seven at the next midnight, and
    // a day's leads wake in groups 5 minutes apart over its first hour.
    expect(deferred.every((d) => d.reason === 'capacity')).toBe(true);
    expect(deferred.map((d) => d.until).sort()).toEqual([
      '2026-11-27T00:00:00.000Z',
      '2026-11-27T00:05:00.000Z',
      '2026-11-27T00:10:00.000Z',
      '2026-11-28T00:00:00.000Z',
      '2026-11-28T00:05:00.000Z',
      '2026-11-28T00:10:00.000Z',
      '2026-11-29T00:00:00.000Z',
    ]);

    clock.now = new Date('2026-11-27T00:10:05Z');
    const waiting = enrollments.filter((_, i) => day1[i]!.kind === 'deferred' && (day1[i] as { until: string }).until.startsWith('2026-11-27'));
    expect(waiting).toHaveLength(3);
    const day2: SendStepResult[] = [];
    for (const e of waiting) day2.push(await acts.sendStep({ enrollmentId: e.id, stepNumber: 1 }));
    expect(kinds(day2)).toEqual(['sent', 'sent', 'sent']);
    expect(await db.senderDailyUsage.findMany({ where: { senderAccountId: senders[0]!.id }, orderBy: { day: 'asc' } })).toMatchObject([
      { day: '2026-11-26', used: 3 },
      { day: '2026-11-27', used: 3 },
    ]);
    expect(await db.message.count({ where: { enrollmentId: { in: enrollments.map((e) => e.id) } } })).toBe(6);
  });

  it('counts the day in the workspace time zone', async () => {
    const clock = { now: new Date('2026-11-26T23:30:00Z') }; // 00:30 on the 27th in Berlin
    const acts = activitiesAt(clock);
    const { enrollments } = await campaignWith({ leads: 2, timezone: 'Europe/Berlin', senders: [{ email: `tz-${Date.now()}@acme.com`, dailyLimit: 1 }] });
    await acts.sendStep({ enrollmentId: enrollments[0]!.id, stepNumber: 1 });
    const second = await acts.sendStep({ enrollmentId: enrollments[1]!.id, stepNumber: 1 });
    expect(second).toEqual({ kind: 'deferred', reason: 'capacity', until: '2026-11-27T23:00:00.000Z' });
  });

  it('rotates step 1 across accounts and keeps a lead on its first account for follow-ups', async () => {
    const { db } = testDeps();
    const clock = { now: new Date('2026-11-26T10:00:00Z') };
    const acts = activitiesAt(clock);
    const tag = Date.now();
    const { enrollments, senders } = await campaignWith({
      leads: 4,
      steps: 2,
      senders: [
        { email: `one-${tag}@acme.com`, dailyLimit: 4 },
        { email: `two-${tag}@acme.com`, dailyLimit: 4 },
      ],
    });
    for (const e of enrollments) expect((await acts.sendStep({ enrollmentId: e.id, stepNumber: 1 })).kind).toBe('sent');
    const first = await db.message.findMany({ where: { enrollmentId: { in: enrollments.map((e) => e.id) }, stepNumber: 1 } });
    const bySender = new Map<string, number>();
    for (const m of first) bySender.set(m.fromEmail, (bySender.get(m.fromEmail) ?? 0) + 1);
    expect([...bySender.values()]).toEqual([2, 2]);

    // Account two is now paused: its leads' follow-ups wait for it rather than switch accounts.
    await db.senderAccount.update({ where: { id: senders[1]!.id }, data: { status: 'paused' } });
    for (const e of enrollments) {
      const result = await acts.sendStep({ enrollmentId: e.id, stepNumber: 2 });
      const step1 = first.find((m) => m.enrollmentId === e.id)!;
      if (step1.fromEmail.includes('two-')) {
        expect(result).toEqual({ kind: 'deferred', reason: 'sender_unavailable', until: null });
      } else {
        expect(result.kind).toBe('sent');
        const step2 = await db.message.findUniqueOrThrow({ where: { enrollmentId_stepNumber: { enrollmentId: e.id, stepNumber: 2 } } });
        expect(step2.fromEmail).toBe(step1.fromEmail);
      }
    }
  });

  it('never exceeds a limit under concurrent sends from many workers', async () => {
    const { db } = testDeps();
    const clock = { now: new Date('2026-11-26T10:00:00Z') };
    // Separate activity instances stand for separate workers sharing the database.
    const workers = Array.from({ length: 5 }, () => activitiesAt(clock));
    const { enrollments, senders } = await campaignWith({ leads: 40, senders: [{ email: `race-${Date.now()}@acme.com`, dailyLimit: 7 }] });
    const results = await Promise.all(enrollments.map((e, i) => workers[i % 5]!.sendStep({ enrollmentId: e.id, stepNumber: 1 })));
    expect(results.filter((r) => r.kind === 'sent')).toHaveLength(7);
    expect((await db.senderDailyUsage.findFirstOrThrow({ where: { senderAccountId: senders[0]!.id } })).used).toBe(7);
    expect(await db.message.count({ where: { enrollmentId: { in: enrollments.map((e) => e.id) } } })).toBe(7);
  });

  it('defers a due message outside the sending window until it opens', async () => {
    const clock = { now: new Date('2026-11-28T12:00:00Z') }; // Saturday
    const acts = activitiesAt(clock);
    const { enrollments } = await campaignWith({
      leads: 1,
      senders: [{ email: `win-${Date.now()}@acme.com`, dailyLimit: 10 }],
      settings: { sendingWindow: { timezone: 'America/New_York', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }, stopCompanyOnReply: false },
    });
    expect(await acts.sendStep({ enrollmentId: enrollments[0]!.id, stepNumber: 1 })).toEqual({
      kind: 'deferred',
      reason: 'window',
      until: '2026-11-30T14:00:00.000Z',
    });
    clock.now = new Date('2026-11-30T14:00:01Z');
    expect((await acts.sendStep({ enrollmentId: enrollments[0]!.id, stepNumber: 1 })).kind).toBe('sent');
  });
});

describe('sender accounts API', () => {
  it('creates, lists, changes senders and reports pool capacity', async () => {
    const { createApp } = await import('../../src/api/app.js');
    const { apiClient } = await import('../helpers/deps.js');
    const deps = testDeps();
    const ws = await newWorkspace(deps.db);
    const api = apiClient(createApp(deps), ws.apiKey);
    const a = await api.post('/v1/sender-accounts', { email: 'Alex@Acme.com', name: 'Alex', dailyLimit: 50 });
    expect(a.status).toBe(201);
    expect(a.body.data).toMatchObject({ id: expect.stringMatching(/^sa_/), email: 'alex@acme.com', dailyLimit: 50, status: 'active', sentToday: 0 });
    expect((await api.post('/v1/sender-accounts', { email: 'alex@acme.com', name: 'again', dailyLimit: 5 })).status).toBe(409);
    expect((await api.post('/v1/sender-accounts', { email: 'bad', name: 'x', dailyLimit: 5 })).status).toBe(422);
    const b = await api.post('/v1/sender-accounts', { email: 'bo@acme.com', name: 'Bo', dailyLimit: 30 });
    await api.patch(`/v1/sender-accounts/${b.body.data.id}`, { status: 'paused' });
    const pools = await api.get('/v1/sender-pools');
    expect(pools.body.data).toEqual([
      {
        id: expect.stringMatching(/^pool_/),
        name: 'Default',
        dailyCapacity: 50,
        remainingToday: 50,
        senderCount: 2,
        senderAccountIds: [a.body.data.id, b.body.data.id],
      },
    ]);
    expect((await api.get('/v1/sender-accounts')).body.data.map((s: any) => s.status)).toEqual(['active', 'paused']);
    expect((await api.patch('/v1/sender-accounts/sa_nope', { dailyLimit: 3 })).status).toBe(404);
  });

  it('sets the workspace time zone that defines the capacity day', async () => {
    const { createApp } = await import('../../src/api/app.js');
    const { apiClient } = await import('../helpers/deps.js');
    const deps = testDeps();
    const ws = await newWorkspace(deps.db);
    const api = apiClient(createApp(deps), ws.apiKey);
    expect((await api.get('/v1/workspace')).body.data).toMatchObject({ id: ws.workspaceId, timezone: 'UTC' });
    expect((await api.patch('/v1/workspace', { timezone: 'Asia/Tokyo' })).body.data.timezone).toBe('Asia/Tokyo');
    const bad = await api.patch('/v1/workspace', { timezone: 'Mars/Base' });
    expect(bad.status).toBe(422);
    expect((await deps.db.workspace.findUniqueOrThrow({ where: { id: ws.workspaceId } })).timezone).toBe('Asia/Tokyo');
  });
});
