import { DateTime } from 'luxon';

/** A window in a fixed zone, or (`"lead"`) in each lead's own, falling back to `fallbackTimezone`. */
export type SendingWindow = { timezone: string; fallbackTimezone?: string | undefined; days: number[]; start: string; end: string };
export type ZonedWindow = SendingWindow & { timezone: string };

export const LEAD_TIMEZONE = 'lead';

/** The window as it applies to one lead: in the lead's zone when the window says so. */
export function windowFor(window: SendingWindow, leadTimezone: string | null): ZonedWindow {
  if (window.timezone !== LEAD_TIMEZONE) return window;
  return { ...window, timezone: leadTimezone ?? window.fallbackTimezone ?? 'UTC' };
}

/** Whether a string names a time zone the runtime knows (IANA). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

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
export function checkWindow(now: Date, window: ZonedWindow): { open: true } | { open: false; opensAt: Date } {
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
