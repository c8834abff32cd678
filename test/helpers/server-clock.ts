import { activityInfo } from '@temporalio/activity';

/**
 * The time-skipping server's clock for activities: an activity's scheduled time inside one, and
 * outside one the last server time `fallback` gives (what services called by the test read).
 */
export const serverClock = (fallback: () => number) => (): Date => {
  try {
    return new Date(activityInfo().currentAttemptScheduledTimestampMs);
  } catch {
    return new Date(fallback());
  }
};
