import { describe, expect, it } from 'vitest';
import { holdAt, planSend } from '../../src/domain/send-plan.js';

const at = (iso: string) => new Date(iso);
// Monday to Friday, 09:00–17:00 in New York (UTC−5 in December).
const WORKDAYS = { timezone: 'America/New_York', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };

describe('holdAt: what holds a step back at an instant, in the claim\'s order', () => {
  it('nothing: it goes', () => {
    expect(holdAt(at('2026-12-07T15:00:00Z'), { timezone: 'UTC', window: WORKDAYS, capacityLeft: 1, newLeadsLeft: 1 })).toBeNull();
  });

  it('the hold first, then the window, new leads, capacity and pacing', () => {
    const now = at('2026-12-05T15:00:00Z'); // a Saturday
    const all = { timezone: 'UTC', heldUntil: at('2026-12-06T00:00:00Z'), window: WORKDAYS, newLeadsLeft: 0, capacityLeft: 0, slotAt: at('2026-12-05T15:10:00Z') };
    expect(holdAt(now, all)?.reason).toBe('out_of_office');
    expect(holdAt(now, { ...all, heldUntil: null })).toEqual({ reason: 'window', until: at('2026-12-07T14:00:00Z') });
    expect(holdAt(now, { ...all, heldUntil: null, window: null })).toEqual({ reason: 'daily_new_leads', until: at('2026-12-06T00:00:00Z') });
    expect(holdAt(now, { ...all, heldUntil: null, window: null, newLeadsLeft: 1 })?.reason).toBe('capacity');
    expect(holdAt(now, { timezone: 'UTC', slotAt: all.slotAt })).toEqual({ reason: 'pacing', until: all.slotAt });
  });

  it('a slot within a second is now', () => {
    const now = at('2026-12-07T15:00:00Z');
    expect(holdAt(now, { timezone: 'UTC', slotAt: new Date(now.getTime() + 1_000) })).toBeNull();
    expect(holdAt(now, { timezone: 'UTC', slotAt: new Date(now.getTime() + 1_001) })?.reason).toBe('pacing');
  });

  it('a day\'s capacity ends at the workspace\'s midnight, not UTC\'s', () => {
    expect(holdAt(at('2026-12-07T15:00:00Z'), { timezone: 'Asia/Kolkata', capacityLeft: 0 })?.until).toEqual(at('2026-12-07T18:30:00Z'));
  });
});

describe('planSend: when a step would go if nothing changed', () => {
  it('today full after the window closes: the next working day\'s opening, capacity given back', () => {
    // Friday 18:00 in New York, today's capacity used up: Monday 09:00 New York.
    const plan = planSend(at('2026-12-04T23:00:00Z'), { timezone: 'America/New_York', window: WORKDAYS, capacityLeft: 0 }, { capacity: 10 });
    expect(plan).toEqual({ at: at('2026-12-07T14:00:00Z'), because: ['window'] });
  });

  it('capacity first, then the window on the next day', () => {
    const plan = planSend(at('2026-12-07T15:00:00Z'), { timezone: 'America/New_York', window: WORKDAYS, capacityLeft: 0 }, { capacity: 10 });
    expect(plan).toEqual({ at: at('2026-12-08T14:00:00Z'), because: ['capacity', 'window'] });
  });

  it('a hold ending in a closed window waits for the opening too', () => {
    const plan = planSend(at('2026-12-07T15:00:00Z'), { timezone: 'UTC', heldUntil: at('2026-12-12T10:00:00Z'), window: WORKDAYS });
    expect(plan).toEqual({ at: at('2026-12-14T14:00:00Z'), because: ['out_of_office', 'window'] });
  });

  it('a day without capacity ever stops looking after a bounded number of days', () => {
    const plan = planSend(at('2026-12-07T15:00:00Z'), { timezone: 'UTC', capacityLeft: 0 }, { capacity: 0 });
    expect(plan.because).toEqual(['capacity']);
    expect(plan.at.getTime()).toBeGreaterThan(at('2027-01-01T00:00:00Z').getTime());
  });
});
