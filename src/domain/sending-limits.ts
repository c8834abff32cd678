import { DAY_MS } from './time.js';

export type RampUp = { startLimit: number; increasePerDay: number; startedAt: Date };

/**
 * SPEC §10 ramp-up: a new mailbox starts at `startLimit` sends a day and grows by `increasePerDay`
 * for each whole day since the ramp began, up to its `dailyLimit`.
 */
export function effectiveDailyLimit(dailyLimit: number, ramp: RampUp | null, now: Date): number {
  if (!ramp) return dailyLimit;
  const days = Math.max(0, Math.floor((now.getTime() - ramp.startedAt.getTime()) / DAY_MS));
  return Math.min(dailyLimit, ramp.startLimit + ramp.increasePerDay * days);
}

export type Pacing = { minGapSeconds: number; jitterSeconds: number };

export const isPaced = (p: Pacing) => p.minGapSeconds > 0 || p.jitterSeconds > 0;

/** The gap until an account's next send: the minimum, plus a uniform random share of the jitter. */
export function paceGapMs(p: Pacing, random: () => number): number {
  return (p.minGapSeconds + random() * p.jitterSeconds) * 1000;
}
