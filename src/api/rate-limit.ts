import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.js';
import { ApiError } from './errors.js';

export type RateDecision = {
  allowed: boolean;
  /** Whole requests left in the bucket after this one. */
  remaining: number;
  /** Seconds (whole, ≥ 1) until the next request would be allowed; 0 when allowed. */
  retryAfterSeconds: number;
  /** Seconds (whole) until the bucket is full again. */
  resetSeconds: number;
};

type Bucket = { tokens: number; at: number };

// Past this many keys, buckets that have refilled are dropped (a full bucket equals no bucket).
const PRUNE_AT = 10_000;

/**
 * A token bucket per key, in this process's memory: `burst` requests at once, refilled at
 * `ratePerSecond`. `now` is a monotonic clock in milliseconds (injectable for tests).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError('ratePerSecond must be > 0 and burst ≥ 1');
  }

  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.refilled(this.buckets.get(key), now);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    if (!this.buckets.has(key) && this.buckets.size >= PRUNE_AT) this.prune(now);
    this.buckets.set(key, bucket);
    return {
      allowed,
      remaining: Math.floor(bucket.tokens),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond)),
      resetSeconds: Math.ceil((this.burst - bucket.tokens) / this.ratePerSecond),
    };
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: Bucket | undefined, now: number): Bucket {
    if (!bucket) return { tokens: this.burst, at: now };
    const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
    return { tokens: Math.min(this.burst, bucket.tokens + elapsedSeconds * this.ratePerSecond), at: now };
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.refilled(bucket, now).tokens >= this.burst) this.buckets.delete(key);
    }
  }
}

/**
 * Limits each API key (set by the auth middleware, so it runs after it) with no I/O: over the limit
 * is 429 `rate_limited` with `Retry-After`; every answer carries `RateLimit-*` headers.
 */
export function rateLimit(buckets: TokenBuckets): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const decision = buckets.take(c.get('apiKeyId'));
    const headers = {
      'RateLimit-Limit': String(buckets.burst),
      'RateLimit-Remaining': String(decision.remaining),
      'RateLimit-Reset': String(decision.resetSeconds),
    };
    if (!decision.allowed) {
      throw new ApiError(
        429,
        'rate_limited',
        `Too many requests for this API key (${buckets.ratePerSecond}/s, bursts of ${buckets.burst}); retry after ${decision.retryAfterSeconds} s.`,
        undefined,
        { ...headers, 'Retry-After': String(decision.retryAfterSeconds) },
      );
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
  };
}
