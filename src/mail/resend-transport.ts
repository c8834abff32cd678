import { Resend } from 'resend';
import { toStorableText } from '../domain/text.js';
import { SEND_BUDGET } from '../domain/send-budget.js';
import { AccountMailError, KeyAlreadyUsedMailError, PermanentMailError, RetryableMailError, type Mailer, type OutgoingMail, type SendOptions, type SendOutcome } from './mailer.js';

type ResendError = { name?: string; message?: string; statusCode?: number | null };

// Quotas reset slowly; retrying them every few seconds only burns requests.
const QUOTA_RETRY_MS = 15 * 60 * 1000;
// Resend answers in well under a second; a call still open after this is given up as "no answer"
// (the mail may have gone out: the retry uses the same idempotency key). It also bounds how long a
// send holds its campaign's pause lock: one link of deliverStep's time budget (SEND_BUDGET).
export const PROVIDER_TIMEOUT_MS = SEND_BUDGET.providerCallMs;
// Refusals of the account, not of the message: a missing or invalid key, a domain not verified.
const ACCOUNT_ERRORS = new Set(['missing_api_key', 'invalid_api_key', 'restricted_api_key', 'invalid_access', 'invalid_from_address']);

function retryAfterMs(headers: Record<string, string> | null): number | undefined {
  const value = headers?.['retry-after'];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Resend's answers sorted four ways: rate limits, quotas, concurrent use of one idempotency key,
 * 5xx and network failures are transient; a key already used with another payload means an
 * earlier attempt got through, maybe sent; 401/403 and refusals of the sender (a bad key, an
 * unverified domain) are the account's, not the lead's; other 4xx refuse this message for good.
 */
export function classifyResendError(error: ResendError, headers: Record<string, string> | null): Error {
  const status = error.statusCode ?? null;
  const what = `Resend ${status ?? 'network'} ${error.name ?? 'error'}: ${error.message ?? 'no message'}`;
  if (error.name === 'daily_quota_exceeded' || error.name === 'monthly_quota_exceeded') {
    return new RetryableMailError(what, retryAfterMs(headers) ?? QUOTA_RETRY_MS);
  }
  if (status === null) return new RetryableMailError(what, undefined, false);
  if (status === 429 || status >= 500 || error.name === 'concurrent_idempotent_requests') {
    return new RetryableMailError(what, retryAfterMs(headers));
  }
  if (error.name === 'invalid_idempotent_request') return new KeyAlreadyUsedMailError(what);
  if (status === 401 || status === 403 || ACCOUNT_ERRORS.has(error.name ?? '') || /domain is not verified|`from`/i.test(error.message ?? '')) {
    return new AccountMailError(what);
  }
  return new PermanentMailError(what);
}

export function createResendTransport(options: { apiKey: string; baseUrl?: string | undefined }): Mailer {
  const resend = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } : undefined);
  return {
    name: 'resend',
    async send(mail: OutgoingMail, options: SendOptions = {}): Promise<SendOutcome> {
      const timeout = AbortSignal.timeout(PROVIDER_TIMEOUT_MS);
      const { data, error, headers } = await resend.emails.send(
        {
          from: mail.from,
          to: [mail.to],
          subject: mail.subject,
          html: mail.html,
          ...(mail.headers ? { headers: mail.headers } : {}),
          ...(mail.tags ? { tags: Object.entries(mail.tags).map(([name, value]) => ({ name, value })) } : {}),
        },
        { idempotencyKey: mail.idempotencyKey, signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout },
      );
      if (data) return { providerId: data.id, delivered: false };
      throw classifyResendError(error ?? {}, headers);
    },
  };
}

/** Fetches an inbound email's content through Resend's receiving API (for reply intake). */
export function createResendInboundFetcher(options: { apiKey: string; baseUrl?: string | undefined }) {
  const resend = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl } : undefined);
  return async (emailId: string) => {
    const { data, error, headers } = await resend.emails.receiving.get(emailId);
    if (error) {
      const classified = classifyResendError(error, headers);
      if (classified instanceof RetryableMailError) throw classified;
      return null;
    }
    const email = data as unknown as { from: string; subject?: string; text?: string | null; html?: string | null; headers?: Record<string, string> | null };
    // Mail is whatever its sender wrote: NULs and broken surrogates must not fail the reply's insert.
    const clean = (v: unknown) => toStorableText(typeof v === 'string' ? v : '');
    return {
      from: clean(email.from),
      subject: typeof email.subject === 'string' ? clean(email.subject) : undefined,
      text: clean(email.text ?? (email.html ?? '').replace(/<[^>]+>/g, ' ')),
      headers: Object.fromEntries(Object.entries(email.headers ?? {}).map(([k, v]) => [clean(k), clean(v)])),
    };
  };
}
