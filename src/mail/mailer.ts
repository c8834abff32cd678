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

export interface Mailer {
  readonly name: string;
  send(mail: OutgoingMail): Promise<SendOutcome>;
}

/** A failure that retrying cannot fix (invalid address, bad credentials). */
export class PermanentMailError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentMailError';
  }
}

/** A failure worth retrying (rate limit, provider or network trouble), after `retryAfterMs` if known. */
export class RetryableMailError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableMailError';
  }
}
