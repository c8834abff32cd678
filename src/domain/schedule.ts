import { DateTime } from 'luxon';

export type SendingWindow = { timezone: string; days: number[]; start: string; end: string };

/** The workspace-local calendar day a send counts against (capacity resets at local midnight). */
export function localDay(now: Date, timezone: string): string {
  return DateTime.fromJSDate(now, { zone: timezone }).toISODate()!;
}

export function nextLocalMidnight(now: Date, timezone: string): Date {
  return DateTime.fromJSDate(now, { zone: timezone }).startOf('day').plus({ days: 1 }).toJSDate();
}

/** When a local calendar day (YYYY-MM-DD) begins in a zone. */
export function startOfLocalDay(day: string, timezone: string): Date {
  return DateTime.fromISO(day, { zone: timezone }).startOf('day').toJSDate();
}

const minutes = (hhmm: string) => {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
};

/**
 * Whether `now` falls in the window, and if not, the next instant it opens. Wall-clock times are
 * resolved in the window's zone on each candidate day, so a daylight-saving change moves the UTC
 * instant, not the local opening time (a start inside a spring-forward gap opens at the shifted time).
 */
export function checkWindow(now: Date, window: SendingWindow): { open: true } | { open: false; opensAt: Date } {
  const local = DateTime.fromJSDate(now, { zone: window.timezone });
  const start = minutes(window.start);
  const end = minutes(window.end);
  const current = local.hour * 60 + local.minute;
  if (window.days.includes(local.weekday) && current >= start && current < end) return { open: true };
  for (let offset = 0; offset <= 7; offset++) {
    const day = local.startOf('day').plus({ days: offset });
    if (!window.days.includes(day.weekday)) continue;
    const opening = DateTime.fromObject(
      { year: day.year, month: day.month, day: day.day, hour: Math.floor(start / 60), minute: start % 60 },
      { zone: window.timezone },
    );
    if (opening > local) return { open: false, opensAt: opening.toJSDate() };
  }
  // Unreachable with at least one day in the window; a week later is a safe answer regardless.
  return { open: false, opensAt: local.plus({ days: 7 }).toJSDate() };
}
