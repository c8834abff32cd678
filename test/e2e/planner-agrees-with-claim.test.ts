import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimStep } from '../../src/delivery/claim.js';
import { newId } from '../../src/domain/ids.js';
import { localDay, type SendingWindow } from '../../src/domain/schedule.js';
import { holdAt, type SendConditions } from '../../src/domain/send-plan.js';
import { HELD_SLOT_GRACE_MS } from '../../src/senders/capacity.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';

const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'];
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Null as often as not, or (`rarely`) four times in five: so that every kind of hold, and none, is drawn often. */
const sometimes = <T>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(null), arb);
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: arb, weight: 1 });

/** One instant's conditions, drawn across zones, daylight-saving changes and every kind of hold. */
const situation = fc.record({
  now: fc.integer({ min: Date.parse('2026-03-01T00:00:00Z'), max: Date.parse('2026-11-30T00:00:00Z') }),
  timezone: fc.constantFrom(...ZONES),
  leadTimezone: sometimes(fc.constantFrom(...ZONES)),
  window: sometimes(
    fc.record({
      timezone: fc.constantFrom('lead', ...ZONES),
      days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
      startHour: fc.integer({ min: 0, max: 22 }),
      hours: fc.integer({ min: 1, max: 10 }),
    }),
  ),
  heldFor: rarely(fc.integer({ min: -2 * DAY, max: 5 * DAY })),
  stepNumber: fc.constantFrom(1, 2),
  dailyNewLeads: sometimes(fc.record({ cap: fc.integer({ min: 1, max: 3 }), started: fc.integer({ min: 0, max: 3 }) })),
  dailyLimit: fc.integer({ min: 1, max: 3 }),
  used: fc.integer({ min: 0, max: 3 }),
  minGapSeconds: fc.constantFrom(0, 60),
  nextSlotIn: sometimes(fc.integer({ min: -10 * MIN, max: 10 * MIN })),
  heldSlotIn: sometimes(fc.integer({ min: -10 * MIN, max: 10 * MIN })),
});
type Situation = typeof situation extends fc.Arbitrary<infer T> ? T : never;

const windowOf = (w: NonNullable<Situation['window']>): SendingWindow => {
  const end = Math.min(w.startHour + w.hours, 23);
  return { timezone: w.timezone, fallbackTimezone: 'UTC', days: w.days, start: `${String(w.startHour).padStart(2, '0')}:00`, end: `${String(end).padStart(2, '0')}:59` };
};

/** The situation written as rows: a workspace, its one sender and its day's use, a campaign, a lead. */
async function arrange(s: Situation) {
  const { db } = testDeps();
  const now = new Date(s.now);
  const { workspaceId } = await newWorkspace(db, 'planner');
  await db.workspace.update({ where: { id: workspaceId }, data: { timezone: s.timezone } });
  const sender = await db.senderAccount.create({
    data: { id: newId('sa'), workspaceId, email: `ada-${newId('lead')}@acme.com`, name: 'Ada', dailyLimit: s.dailyLimit, minGapSeconds: s.minGapSeconds, jitterSeconds: 0, nextSlotAt: s.nextSlotIn === null ? null : new Date(s.now + s.nextSlotIn) },
  });
  const today = localDay(now, s.timezone);
  if (s.used) await db.senderDailyUsage.create({ data: { senderAccountId: sender.id, day: today, used: s.used } });
  const settings = { ...(s.window ? { sendingWindow: windowOf(s.window) } : {}), ...(s.dailyNewLeads ? { dailyNewLeads: s.dailyNewLeads.cap } : {}) };
  const campaign = await db.campaign.create({
    data: { id: newId('camp'), workspaceId, name: 'planner', status: 'running', startedAt: now, settings, steps: { create: [1, 2].map((n) => ({ stepNumber: n, delayDays: 0, subject: `S${n}`, bodyHtml: '<p>b</p>' })) } },
  });
  if (s.dailyNewLeads?.started) await db.campaignNewLeads.create({ data: { campaignId: campaign.id, day: today, started: s.dailyNewLeads.started } });
  const lead = await db.lead.create({ data: { id: newId('lead'), workspaceId, email: `p-${newId('lead')}@example.com`, timezone: s.leadTimezone } });
  const enrollment = await db.enrollment.create({
    data: {
      id: newId('enr'),
      workspaceId,
      campaignId: campaign.id,
      leadId: lead.id,
      status: 'active',
      currentStep: s.stepNumber - 1,
      // A follow-up goes from the lead's first sender; a step 1 picks one from the pool.
      senderAccountId: s.stepNumber === 2 ? sender.id : null,
      heldUntil: s.heldFor === null ? null : new Date(s.now + s.heldFor),
      paceSlotAt: s.stepNumber === 2 && s.heldSlotIn !== null ? new Date(s.now + s.heldSlotIn) : null,
    },
  });
  return { enrollmentId: enrollment.id, settings };
}

/** The same situation as the planner reads it. */
function conditionsOf(s: Situation): SendConditions {
  const heldSlot = s.stepNumber === 2 && s.heldSlotIn !== null && s.heldSlotIn >= -HELD_SLOT_GRACE_MS ? new Date(s.now + s.heldSlotIn) : null;
  const paced = s.minGapSeconds > 0;
  const nextSlot = Math.max(s.now, s.nextSlotIn === null ? s.now : s.now + s.nextSlotIn);
  return {
    timezone: s.timezone,
    window: s.window ? windowOf(s.window) : null,
    leadTimezone: s.leadTimezone,
    heldUntil: s.heldFor === null ? null : new Date(s.now + s.heldFor),
    newLeadsLeft: s.stepNumber === 1 && s.dailyNewLeads ? s.dailyNewLeads.cap - s.dailyNewLeads.started : null,
    capacityLeft: s.dailyLimit - s.used,
    slotAt: heldSlot ?? (paced ? new Date(nextSlot) : null),
  };
}

/**
 * Issue 25, one planner: the dry run and the launch preview read holdAt/planSend; the claim judges
 * with holdAt too, under its locks, on what it reads from the rows. Drawn situations, written as
 * rows, claimed for real: the claim goes exactly when the planner finds nothing holding the step,
 * and otherwise waits for the planner's reason until the planner's time.
 */
describe('the planner and the claim agree', () => {
  it('on whether a step goes now, and if not, why and until when', async () => {
    const { db } = testDeps();
    await fc.assert(
      fc.asyncProperty(situation, async (s) => {
        const { enrollmentId } = await arrange(s);
        const claimed = await claimStep({ db, now: () => new Date(s.now), fallback: { id: null, email: 'x@acme.com', name: 'X' }, publicUrl: 'http://localhost' }, enrollmentId, s.stepNumber);
        const gate = holdAt(new Date(s.now), conditionsOf(s));
        const decided = claimed.kind === 'attempt' ? null : claimed.kind === 'deferred' ? { reason: claimed.reason, until: claimed.until && new Date(claimed.until).toISOString() } : claimed;
        expect(decided).toEqual(gate && { reason: gate.reason, until: gate.until.toISOString() });
      }),
      { numRuns: 120 },
    );
  }, 120_000);
});
