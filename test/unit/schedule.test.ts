import { describe, expect, it } from 'vitest';
import { checkWindow, localDay, nextLocalMidnight } from '../../src/domain/schedule.js';

const weekdays = { timezone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };

describe('sending windows', () => {
  it('is open inside the window on a listed day', () => {
    expect(checkWindow(new Date('2026-11-25T10:00:00Z'), weekdays)).toEqual({ open: true }); // Wed 11:00 Berlin
  });

  it('opens later the same day before the start', () => {
    expect(checkWindow(new Date('2026-11-25T06:00:00Z'), weekdays)).toEqual({ open: false, opensAt: new Date('2026-11-25T08:00:00Z') });
  });

  it('skips to Monday after Friday closes', () => {
    // Fri 27 Nov 2026, 18:00 Berlin → Mon 30 Nov 09:00 Berlin (08:00 UTC)
    expect(checkWindow(new Date('2026-11-27T17:00:00Z'), weekdays)).toEqual({ open: false, opensAt: new Date('2026-11-30T08:00:00Z') });
  });

  it('keeps the local opening time across the spring-forward change', () => {
    // Sat 28 Mar 2026 20:00 Berlin (CET, UTC+1) → Mon 30 Mar 09:00 CEST (UTC+2) = 07:00 UTC
    expect(checkWindow(new Date('2026-03-28T19:00:00Z'), weekdays)).toEqual({ open: false, opensAt: new Date('2026-03-30T07:00:00Z') });
  });

  it('keeps the local opening time across the fall-back change in America/New_York', () => {
    const ny = { timezone: 'America/New_York', days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' };
    // Sat 31 Oct 2026 18:00 EDT → Sun 1 Nov 09:00 EST (UTC-5) = 14:00 UTC
    expect(checkWindow(new Date('2026-10-31T22:00:00Z'), ny)).toEqual({ open: false, opensAt: new Date('2026-11-01T14:00:00Z') });
  });

  it('opens a start inside a spring-forward gap at the shifted time', () => {
    const early = { timezone: 'America/New_York', days: [7], start: '02:30', end: '05:00' };
    // Sun 8 Mar 2026: 02:30 does not exist in New York; luxon moves it to 03:30 EDT = 07:30 UTC
    expect(checkWindow(new Date('2026-03-08T05:00:00Z'), early)).toEqual({ open: false, opensAt: new Date('2026-03-08T07:30:00Z') });
  });
});

describe('capacity days', () => {
  it('counts the day in the workspace time zone and resets at its midnight', () => {
    const now = new Date('2026-11-26T23:30:00Z');
    expect(localDay(now, 'UTC')).toBe('2026-11-26');
    expect(localDay(now, 'Europe/Berlin')).toBe('2026-11-27');
    expect(nextLocalMidnight(now, 'UTC')).toEqual(new Date('2026-11-27T00:00:00Z'));
    expect(nextLocalMidnight(now, 'America/Los_Angeles')).toEqual(new Date('2026-11-27T08:00:00Z'));
  });
});
