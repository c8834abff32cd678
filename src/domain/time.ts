/** A day of 24 hours in milliseconds: a step's `delayDays`, a ramp's days, rolling windows. */
export const DAY_MS = 24 * 60 * 60 * 1000;
