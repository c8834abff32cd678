/**
 * A step that cannot go now and will by itself, with nothing recorded against it: the provider's
 * rate limit is taken, the provider answered a transient error, the attempt ran out of time
 * before its call, or the day turned before it. Services throw it; the activity layer turns it
 * into a retry of the same attempt (Temporal's ApplicationFailure), `retryInMs` setting the pause
 * when known.
 */
export class TryAgainLater extends Error {
  constructor(
    message: string,
    readonly why: 'ProviderRateLimited' | 'MailTransient' | 'SendOutOfTime' | 'DayTurned',
    readonly retryInMs?: number,
  ) {
    super(message);
    this.name = 'TryAgainLater';
  }
}
