import { describe, expect, it } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import type { ClaimResult } from '../../src/domain/step-result.js';
import { createApp } from '../../src/api/app.js';
import { newId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/logger.js';
import { createLocalTransport } from '../../src/mail/local-transport.js';
import { apiClient, newWorkspace, testDeps } from '../helpers/deps.js';

const MINUTE = 60_000;

// Claims run directly with an injected clock, as many workers would run them against one database.
function activitiesAt(clock: { now: Date }) {
  const deps = testDeps();
  return activitiesFromConfig(deps.config, { db: deps.db, logger: createLogger('silent', 'test'), client: deps.temporal, mailer: createLocalTransport(), now: () => clock.now });
}

async function oneSender(sender: { dailyLimit: number; minGapSeconds?: number; jitterSeconds?: number; ramp?: { startLimit: number; increasePerDay: number; startedAt: Date } }, leads: number) {
  const { db } = testDeps();
  const { workspaceId } = await newWorkspace(db);
  const account = await db.senderAccount.create({
    data: {
      id: newId('sa'),
      workspaceId,
      email: `pace-${Math.random().toString(36).slice(2, 8)}@acme.com`,
      name: 'Pace',
      dailyLimit: sender.dailyLimit,
      minGapSeconds: sender.minGapSeconds ?? 0,
      jitterSeconds: sender.jitterSeconds ?? 0,
      ...(sender.ramp ? { rampStartLimit: sender.ramp.startLimit, rampIncreasePerDay: sender.ramp.increasePerDay, rampStartedAt: sender.ramp.startedAt } : {}),
    },
  });
  const campaign = await db.campaign.create({
    data: { id: newId('camp'), workspaceId, name: 'pacing', status: 'running', startedAt: new Date(), steps: { create: [{ stepNumber: 1, delayDays: 0, subject: 'S', bodyHtml: 'b' }] } },
  });
  const enrollments = [];
  for (let i = 0; i < leads; i++) {
    const lead = await db.lead.create({ data: { id: newId('lead'), workspaceId, email: `p${i}-${campaign.id}@example.com` } });
    enrollments.push(await db.enrollment.create({ data: { id: newId('enr'), workspaceId, campaignId: campaign.id, leadId: lead.id, status: 'active' } }));
  }
  return { workspaceId, account, enrollments };
}

describe('pacing per sender account', () => {
  it('never lets two sends from one account come closer than minGapSeconds, with five workers claiming at once', async () => {
    const clock = { now: new Date('2026-11-30T10:00:00Z') };
    const workers = Array.from({ length: 5 }, () => activitiesAt(clock));
    const { enrollments } = await oneSender({ dailyLimit: 100, minGapSeconds: 120, jitterSeconds: 60 }, 10);

    // Everyone is due at 10:00: one goes now, each other is given a slot of its own.
    const first = await Promise.all(enrollments.map((e, i) => workers[i % 5]!.claimStep({ enrollmentId: e.id, stepNumber: 1 })));
    expect(first.filter((r) => r.kind === 'attempt')).toHaveLength(1);
    const slots = first.filter((r): r is Extract<ClaimResult, { kind: 'deferred' }> => r.kind === 'deferred').map((r) => {
      expect(r.reason).toBe('pacing');
      return Date.parse(r.until!);
    });
    const times = [clock.now.getTime(), ...slots].sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) {
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(2 * MINUTE);
      expect(times[i]! - times[i - 1]!).toBeLessThanOrEqual(3 * MINUTE);
    }

    // Each lead claims again at its slot and goes then; a lead that comes early waits for its own.
    const bySlot = enrollments.filter((_, i) => first[i]!.kind === 'deferred').sort((a, b) => Date.parse((first[enrollments.indexOf(a)] as { until: string }).until) - Date.parse((first[enrollments.indexOf(b)] as { until: string }).until));
    clock.now = new Date(slots.sort((a, b) => a - b)[0]! - MINUTE);
    expect((await workers[0]!.claimStep({ enrollmentId: bySlot[0]!.id, stepNumber: 1 })).kind).toBe('deferred');
    for (const e of bySlot) {
      const slot = (first[enrollments.indexOf(e)] as { until: string }).until;
      clock.now = new Date(slot);
      expect((await workers[1]!.claimStep({ enrollmentId: e.id, stepNumber: 1 })).kind).toBe('attempt');
    }
  });

  it('keeps the gap between actual sends when a lead comes late for its slot', async () => {
    const clock = { now: new Date('2026-11-30T10:00:00Z') };
    const acts = activitiesAt(clock);
    const { enrollments } = await oneSender({ dailyLimit: 100, minGapSeconds: 120 }, 3);
    const [a, b, c] = enrollments.map((e) => (at: string) => ((clock.now = new Date(at)), acts.claimStep({ enrollmentId: e.id, stepNumber: 1 })));
    expect((await a!('2026-11-30T10:00:00Z')).kind).toBe('attempt');
    expect(await b!('2026-11-30T10:00:00Z')).toMatchObject({ kind: 'deferred', reason: 'pacing', until: '2026-11-30T10:02:00.000Z' });
    expect(await c!('2026-11-30T10:00:00Z')).toMatchObject({ kind: 'deferred', reason: 'pacing', until: '2026-11-30T10:04:00.000Z' });
    // b's worker was down: b comes at 10:03:30 and sends, within its slot's grace...
    expect((await b!('2026-11-30T10:03:30Z')).kind).toBe('attempt');
    // ...so c, on time for 10:04, would go 30 s after it: it waits until 10:05:30 instead.
    expect(await c!('2026-11-30T10:04:00Z')).toMatchObject({ kind: 'deferred', reason: 'pacing', until: '2026-11-30T10:05:30.000Z' });
    expect((await c!('2026-11-30T10:05:30Z')).kind).toBe('attempt');
  });

  it('promises no account more slots in a day than it has capacity left, so a slower account takes the rest', async () => {
    const clock = { now: new Date('2026-11-30T10:00:00Z') };
    const acts = activitiesAt(clock);
    const { db } = testDeps();
    const { workspaceId, account: fast, enrollments } = await oneSender({ dailyLimit: 3, minGapSeconds: 60 }, 6);
    const slow = await db.senderAccount.create({ data: { id: newId('sa'), workspaceId, email: `slow-${workspaceId}@acme.com`, name: 'Slow', dailyLimit: 3, minGapSeconds: 600 } });
    for (const e of enrollments) await acts.claimStep({ enrollmentId: e.id, stepNumber: 1 });
    const held = await db.enrollment.groupBy({ by: ['senderAccountId'], where: { id: { in: enrollments.map((e) => e.id) } }, _count: { _all: true } });
    expect(Object.fromEntries(held.map((h) => [h.senderAccountId, h._count._all]))).toEqual({ [fast.id]: 3, [slow.id]: 3 });
  });

  it('sends as fast as allowed from an account without pacing (the seeded local sender)', async () => {
    const clock = { now: new Date('2026-11-30T10:00:00Z') };
    const acts = activitiesAt(clock);
    const { enrollments } = await oneSender({ dailyLimit: 100 }, 5);
    const results = await Promise.all(enrollments.map((e) => acts.claimStep({ enrollmentId: e.id, stepNumber: 1 })));
    expect(results.map((r) => r.kind)).toEqual(['attempt', 'attempt', 'attempt', 'attempt', 'attempt']);
  });
});

describe('ramp-up per sender account', () => {
  it('allows startLimit on its first day and increasePerDay more each day after, up to dailyLimit', async () => {
    const startedAt = new Date('2026-11-30T08:00:00Z');
    const clock = { now: new Date('2026-11-30T10:00:00Z') };
    const acts = activitiesAt(clock);
    const { enrollments } = await oneSender({ dailyLimit: 9, ramp: { startLimit: 2, increasePerDay: 3, startedAt } }, 20);
    const claimed = new Set<string>();
    // How many leads not claimed before may go on this day.
    const sendable = async () => {
      let n = 0;
      for (const e of enrollments.filter((x) => !claimed.has(x.id))) {
        if ((await acts.claimStep({ enrollmentId: e.id, stepNumber: 1 })).kind === 'attempt') {
          claimed.add(e.id);
          n++;
        }
      }
      return n;
    };
    expect(await sendable()).toBe(2);
    clock.now = new Date('2026-12-01T10:00:00Z'); // a day in: 2 + 3
    expect(await sendable()).toBe(5);
    clock.now = new Date('2026-12-04T10:00:00Z'); // 2 + 12 = 14, held at the daily limit
    expect(await sendable()).toBe(9);
  });

  it('shows the effective limit, starts the ramp when set through the API, and ends it with null; API accounts are paced by default', async () => {
    const deps = testDeps();
    const ws = await newWorkspace(deps.db);
    const api = apiClient(createApp(deps), ws.apiKey);
    const created = (await api.post('/v1/sender-accounts', { email: 'new@acme.com', name: 'New', dailyLimit: 40, rampUp: { startLimit: 10, increasePerDay: 5 } })).body.data;
    expect(created).toMatchObject({ dailyLimit: 40, effectiveDailyLimit: 10, rampUp: { startLimit: 10, increasePerDay: 5 }, minGapSeconds: 180, jitterSeconds: 120 });
    expect((await api.get('/v1/sender-pools')).body.data[0]).toMatchObject({ dailyCapacity: 10, remainingToday: 10 });
    const ended = (await api.patch(`/v1/sender-accounts/${created.id}`, { rampUp: null, minGapSeconds: 0, jitterSeconds: 0 })).body.data;
    expect(ended).toMatchObject({ effectiveDailyLimit: 40, rampUp: null, minGapSeconds: 0, jitterSeconds: 0 });
    const bad = await api.patch(`/v1/sender-accounts/${created.id}`, { rampUp: { startLimit: 0, increasePerDay: 1 } });
    expect(bad.status).toBe(422);
  });
});
