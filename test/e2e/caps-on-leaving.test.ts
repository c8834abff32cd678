// Slow (~40 s quiet): waits out a real 15 s provider outage and then a 2 s-paced trickle, in real time (no clock to skip with a real worker and database).
import { beforeAll, describe, expect, it } from 'vitest';
import { RESERVATION_CURRENT_MS } from '../../src/delivery/carried.js';
import type { Failure } from '../resend-double/server.js';
import { ONE_STEP, startEdgeStack, uniq } from '../helpers/edge-stack.js';
import { eventually } from '../helpers/worker.js';

// UTC−11 and UTC+14: at every instant the second zone's date is a day (or two) past the first's,
// so changing the workspace's zone turns its day without moving any clock.
const DAY_D = 'Pacific/Pago_Pago';
const DAY_D1 = 'Pacific/Kiritimati';
/** A provider outage: every POST /emails answers 503, to be tried again in a second. */
const DOWN: Failure = { status: 503, name: 'application_error', message: 'Service unavailable', retryAfter: '1' };
const dayIn = (zone: string, iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date(iso));

/**
 * SPEC §9 "Caps are caps on the day a mail leaves": a daily limit, dailyNewLeads and pacing hold
 * for the mail that actually reaches the provider, claimed steps carried over an outage included.
 * Judged at the Resend double (what it accepted, and when), with the real worker and database.
 */
describe('caps on the day a mail leaves (real worker, real database, the Resend double)', () => {
  let stack: Awaited<ReturnType<typeof startEdgeStack>>;
  beforeAll(async () => {
    stack = await startEdgeStack();
  });

  /** Mail the provider accepted from these enrollments, counted per day of `zone`. */
  const acceptedPerDay = (enrollmentIds: string[], zone: string) => {
    const perDay: Record<string, number> = {};
    for (const a of enrollmentIds.flatMap((id) => stack.acceptedFor(id))) {
      const day = dayIn(zone, a.createdAt);
      perDay[day] = (perDay[day] ?? 0) + 1;
    }
    return perDay;
  };

  /**
   * Claims the campaign's leads on day D with the provider down, turns the workspace's day to D+1, adds
   * `fresh` leads due at once, lets the provider recover, and waits until every lead has either
   * reached the provider or waits (`waitingFor`) for a later day. Answers the campaign's enrollments.
   */
  async function carriedOverDay(c: Awaited<ReturnType<typeof stack.campaign>>, fresh: number, laterDay: 'capacity' | 'daily_new_leads') {
    const { db } = stack.deps;
    const carried = c.emails.map((e) => c.enrollmentOf(e).id);
    expect((await c.api.patch('/v1/workspace', { timezone: DAY_D })).status).toBe(200);
    stack.double.failWhen(() => true, DOWN);
    try {
      await c.api.post(`/v1/campaigns/${c.id}/start`);
      await eventually(async () => carried.every((id) => stack.postsFor(id).some((p) => p.status === 503)), 30_000, 'every carried step claimed and refused');
      expect((await c.api.patch('/v1/workspace', { timezone: DAY_D1 })).status).toBe(200);
      const emails = Array.from({ length: fresh }, (_, i) => `fresh${i}-${uniq()}@example.com`);
      expect((await c.api.post(`/v1/campaigns/${c.id}/leads/bulk`, { leads: emails.map((email) => ({ email })) })).status).toBe(200);
    } finally {
      stack.double.clearFailures();
    }
    return eventually(
      async () => {
        const rows = await db.enrollment.findMany({ where: { campaignId: c.id }, select: { id: true, waitingFor: true } });
        const settled = rows.every((e) => stack.acceptedFor(e.id).length > 0 || e.waitingFor === laterDay);
        return rows.length === carried.length + fresh && settled && rows.map((e) => e.id);
      },
      60_000,
      `every lead sent or waiting for ${laterDay}`,
    );
  }

  it('a daily limit holds on the day carried claims reach the provider, not on the day they were claimed', async () => {
    const c = await stack.campaign(ONE_STEP, 3, { dailyLimit: 3, start: false });
    const all = await carriedOverDay(c, 3, 'capacity');
    const perDay = acceptedPerDay(all, DAY_D1);
    for (const [day, sent] of Object.entries(perDay)) expect(sent, `mail accepted on ${day} (dailyLimit 3): ${JSON.stringify(perDay)}`).toBeLessThanOrEqual(3);
    expect(Object.values(perDay).reduce((a, b) => a + b, 0)).toBe(3);
  }, 120_000);

  it('dailyNewLeads holds on the day carried first steps reach the provider', async () => {
    const c = await stack.campaign(ONE_STEP, 2, { start: false, settings: { dailyNewLeads: 2 } });
    const all = await carriedOverDay(c, 2, 'daily_new_leads');
    const perDay = acceptedPerDay(all, DAY_D1);
    for (const [day, started] of Object.entries(perDay)) expect(started, `new leads started on ${day} (dailyNewLeads 2): ${JSON.stringify(perDay)}`).toBeLessThanOrEqual(2);
    expect(Object.values(perDay).reduce((a, b) => a + b, 0)).toBe(2);
  }, 120_000);

  it('an outage ends in a paced trickle: carried claims reach the provider a gap apart, not in a burst', async () => {
    const GAP_MS = 2_000;
    const c = await stack.campaign(ONE_STEP, 4, { start: false });
    expect((await c.api.patch(`/v1/sender-accounts/${c.sender.id}`, { minGapSeconds: GAP_MS / 1000, jitterSeconds: 0 })).status).toBe(200);
    const ids = c.emails.map((e) => c.enrollmentOf(e).id);
    // Down for maintenance until a set second, as its Retry-After says: every lead refused while
    // it lasts comes back then, so the claims paced 2 s apart before it all meet at its end.
    const recoverAt = Math.ceil((Date.now() + 15_000) / 1000) * 1000;
    stack.double.failWhen(() => Date.now() < recoverAt, { ...DOWN, retryAfter: new Date(recoverAt).toUTCString() });
    try {
      await c.api.post(`/v1/campaigns/${c.id}/start`);
      await eventually(async () => ids.every((id) => stack.postsFor(id).some((p) => p.status === 503)), 30_000, 'every step claimed and refused before the end of the outage');
      expect(Date.now()).toBeLessThan(recoverAt);
      await eventually(async () => ids.every((id) => stack.acceptedFor(id).length === 1), 60_000, 'every step accepted');
    } finally {
      stack.double.clearFailures();
    }
    const times = ids.map((id) => Date.parse(stack.acceptedFor(id)[0]!.createdAt)).sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // A send leaves within RESERVATION_CURRENT_MS of its slot (else its slot is judged again).
    expect(Math.min(...gaps), `gaps at the provider: ${gaps.join(', ')} ms`).toBeGreaterThanOrEqual(GAP_MS - RESERVATION_CURRENT_MS);
  }, 120_000);

  // Held before this change too (every attempt checks the window first); kept so it stays held.
  it('a carried claim never leaves outside the sending window: after the outage it waits for the opening', async () => {
    const c = await stack.campaign(ONE_STEP, 1, { start: false });
    const id = c.enrollmentOf(c.emails[0]!).id;
    stack.double.failWhen(() => true, DOWN);
    try {
      await c.api.post(`/v1/campaigns/${c.id}/start`);
      await eventually(async () => stack.postsFor(id).some((p) => p.status === 503), 30_000, 'claimed and refused');
      // The window closes without a clock moving: from now on it is open only on the week's other days.
      const today = new Date().getUTCDay() || 7;
      const days = [1, 2, 3, 4, 5, 6, 7].filter((d) => d !== today);
      const closed = await c.api.patch(`/v1/campaigns/${c.id}`, { settings: { sendingWindow: { timezone: 'UTC', days, start: '00:00', end: '23:59' } } });
      expect(closed.status).toBe(200);
    } finally {
      stack.double.clearFailures();
    }
    await eventually(async () => (await stack.deps.db.enrollment.findUniqueOrThrow({ where: { id } })).waitingFor === 'window', 30_000, 'waiting for the window');
    expect(stack.acceptedFor(id)).toHaveLength(0);
  }, 60_000);

  it('a step an earlier call may have sent is retried under its key on the next day, not held by that day\'s full limit', async () => {
    const c = await stack.campaign(ONE_STEP, 1, { dailyLimit: 1, start: false });
    const first = c.enrollmentOf(c.emails[0]!).id;
    expect((await c.api.patch('/v1/workspace', { timezone: DAY_D })).status).toBe(200);
    // The mail is accepted and its answer lost; its retries are refused until the day has turned.
    stack.double.loseNext(1);
    stack.double.failWhen((key) => key === `${first}/1` && stack.acceptedFor(first).length > 0, DOWN);
    try {
      await c.api.post(`/v1/campaigns/${c.id}/start`);
      await eventually(async () => stack.postsFor(first).some((p) => p.status === 503), 30_000, 'a retry refused after the lost answer');
      expect((await c.api.patch('/v1/workspace', { timezone: DAY_D1 })).status).toBe(200);
      // A fresh lead takes the new day's one unit before the retry comes back.
      const fresh = `fresh-${uniq()}@example.com`;
      expect((await c.api.post(`/v1/campaigns/${c.id}/leads/bulk`, { leads: [{ email: fresh }] })).status).toBe(200);
      await eventually(async () => (await stack.deps.db.message.count({ where: { campaignId: c.id, status: 'sent' } })) > 0, 30_000, 'the fresh lead sent');
    } finally {
      stack.double.clearFailures();
    }
    // Held by the caps it would wait for tomorrow with its mail already out; retried, it is recorded sent.
    const settled = await eventually(async () => {
      const m = await stack.deps.db.message.findFirst({ where: { enrollmentId: first }, select: { status: true } });
      const e = await stack.deps.db.enrollment.findUnique({ where: { id: first }, select: { waitingFor: true } });
      return (m?.status !== 'sending' || e?.waitingFor === 'capacity') && { message: m?.status, waitingFor: e?.waitingFor };
    }, 30_000, 'the possibly-sent step settled or held');
    expect(settled).toEqual({ message: 'sent', waitingFor: null });
    expect(stack.acceptedFor(first)).toHaveLength(1);
  }, 120_000);

  it('a mark left by an attempt that never called does not let the step pass the next day\'s full limit', async () => {
    const c = await stack.campaign(ONE_STEP, 1, { dailyLimit: 1, start: false });
    const first = c.enrollmentOf(c.emails[0]!).id;
    const { db } = stack.deps;
    expect((await c.api.patch('/v1/workspace', { timezone: DAY_D })).status).toBe(200);
    stack.double.failWhen((key) => key === `${first}/1`, DOWN);
    try {
      await c.api.post(`/v1/campaigns/${c.id}/start`);
      await eventually(async () => stack.postsFor(first).some((p) => p.status === 503), 30_000, 'the step claimed and refused');
      // What two overlapping attempts leave when neither called: a mark no answer can take back
      // (withdrawMark keeps it once another attempt has marked since).
      await db.$executeRaw`UPDATE "Message" SET "unconfirmedSince" = now(), "unconfirmedMarks" = "unconfirmedMarks" + 1 WHERE "enrollmentId" = ${first}`;
      const refused = stack.postsFor(first).length;
      await eventually(async () => stack.postsFor(first).length > refused, 30_000, 'an attempt after the mark refused');
      expect((await c.api.patch('/v1/workspace', { timezone: DAY_D1 })).status).toBe(200);
      const fresh = `fresh-${uniq()}@example.com`;
      expect((await c.api.post(`/v1/campaigns/${c.id}/leads/bulk`, { leads: [{ email: fresh }] })).status).toBe(200);
      const turned = stack.postsFor(first).length;
      await eventually(async () => {
        const rows = await db.enrollment.findMany({ where: { campaignId: c.id }, select: { id: true, waitingFor: true } });
        const held = (id: string) => rows.find((e) => e.id === id)?.waitingFor === 'capacity';
        const freshDone = rows.some((e) => e.id !== first && (stack.acceptedFor(e.id).length > 0 || held(e.id)));
        return freshDone && (stack.postsFor(first).length > turned || held(first));
      }, 30_000, 'the fresh lead judged, the marked step tried or held on the new day');
    } finally {
      stack.double.clearFailures();
    }
    const all = await eventually(async () => {
      const rows = await db.enrollment.findMany({ where: { campaignId: c.id }, select: { id: true, waitingFor: true } });
      return rows.every((e) => stack.acceptedFor(e.id).length > 0 || e.waitingFor === 'capacity') && rows.map((e) => e.id);
    }, 60_000, 'both leads sent or waiting for capacity');
    const perDay = acceptedPerDay(all, DAY_D1);
    expect(perDay, 'mail accepted per day (dailyLimit 1)').toEqual({ [dayIn(DAY_D1, new Date().toISOString())]: 1 });
  }, 120_000);

  it('a day that turns while a call is on its way counts that mail on the day it reaches the provider', async () => {
    const c = await stack.campaign(ONE_STEP, 1, { start: false });
    const id = c.enrollmentOf(c.emails[0]!).id;
    expect((await c.api.patch('/v1/workspace', { timezone: DAY_D })).status).toBe(200);
    // The call has passed every check (on day D) and is on its way when the day turns (checker seed 4).
    stack.gate.delayMs = 1_500;
    const entered = stack.gate.entered;
    const turnedAt = await (async () => {
      try {
        await c.api.post(`/v1/campaigns/${c.id}/start`);
        await eventually(async () => stack.gate.entered > entered, 30_000, 'the call begun');
        expect((await c.api.patch('/v1/workspace', { timezone: DAY_D1 })).status).toBe(200);
        return Date.now();
      } finally {
        stack.gate.delayMs = 0;
      }
    })();
    const [mail] = await eventually(async () => stack.acceptedFor(id).length > 0 && stack.acceptedFor(id), 30_000, 'the mail accepted');
    const message = await eventually(async () => { const m = await stack.message(id, 1); return m?.status === 'sent' && m; }, 30_000, 'the send recorded');
    // The day the mail left: D+1 once the turn was answered, D before.
    const leftOn = dayIn(Date.parse(mail!.createdAt) > turnedAt ? DAY_D1 : DAY_D, mail!.createdAt);
    expect(message.reservedDay, `accepted ${Date.parse(mail!.createdAt) - turnedAt} ms after the turn's answer`).toBe(leftOn);
  }, 60_000);
});
