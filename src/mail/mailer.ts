/** The one boundary to a mail provider. Implementations map provider errors to these classes. */
export type OutgoingMail = {
  from: string;
  to: string;
  subject: string;
  html: string;
  /** `<enrollmentId>/<step>`: the provider dedupes retries on it. */
  idempotencyKey: string;
  headers?: Record<string, string>;
  tags?: Record<string, string>;
};

export type SendOutcome = {
  providerId: string;
  /** The local transport knows delivery at once; real providers report it later by webhook. */
  delivered: boolean;
};

/** `signal`: the caller's deadline for the call (its transaction's time); aborted means "no answer". */
export type SendOptions = { signal?: AbortSignal | undefined };

export interface Mailer {
  readonly name: string;
  send(mail: OutgoingMail, options?: SendOptions): Promise<SendOutcome>;
}

/** The provider refused this one message (an invalid recipient): retrying cannot fix it. */
export class PermanentMailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMailError';
  }
}

/**
 * The provider refused the sending account itself (bad API key, unverified domain): no message
 * from it can go out until someone fixes the account, and no lead is at fault.
 */
export class AccountMailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountMailError';
  }
}

/**
 * The provider already holds this message's idempotency key for a request with another payload
 * (Resend's 409 `invalid_idempotent_request`): an earlier attempt reached it, so the mail may have
 * gone out. Neither sent nor failed for sure; retrying would be refused the same way.
 */
export class KeyAlreadyUsedMailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyAlreadyUsedMailError';
  }
}

/**
 * A failure worth retrying (rate limit, provider or network trouble), after `retryAfterMs` if known.
 * `answered`: the provider answered with an error, so it did not take the mail; without an answer
 * (a timeout, a dropped connection) the mail may have gone out.
 */
export class RetryableMailError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly answered = true,
  ) {
    super(message);
    this.name = 'RetryableMailError';
  }
}
