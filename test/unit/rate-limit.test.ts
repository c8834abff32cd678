import { describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../src/api/rate-limit.js';
import { apiRateLimitOf, ConfigError, parseConfig } from '../../src/config.js';

describe('per-key token buckets', () => {
  it('allows the burst, refuses the next with a whole-second Retry-After, refills at the rate', () => {
    let now = 0;
    const buckets = new TokenBuckets(2, 5, () => now);
    const decisions = Array.from({ length: 6 }, () => buckets.take('a'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
    expect(decisions[5]).toMatchObject({ retryAfterSeconds: 1, resetSeconds: 3 });
    now += 499;
    expect(buckets.take('a').allowed).toBe(false);
    now += 1;
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
  });

  it('keeps keys apart', () => {
    const buckets = new TokenBuckets(1, 1, () => 0);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    expect(buckets.take('b').allowed).toBe(true);
  });

  it('rounds Retry-After up to whole seconds, never below 1', () => {
    const slow = new TokenBuckets(0.25, 1, () => 0);
    slow.take('k');
    expect(slow.take('k').retryAfterSeconds).toBe(4);
    const fast = new TokenBuckets(1000, 1, () => 0);
    fast.take('k');
    expect(fast.take('k').retryAfterSeconds).toBe(1);
  });

  it('drops refilled buckets once it tracks many keys, so memory does not grow with every key ever seen', () => {
    let now = 0;
    const buckets = new TokenBuckets(10, 10, () => now);
    for (let i = 0; i < 10_000; i++) buckets.take(`k${i}`);
    now += 10_000;
    buckets.take('new');
    expect(buckets.size).toBe(1);
  });

  it('is configured by API_RATE_LIMIT and API_RATE_BURST (default 50/s, burst twice the rate; 0 turns it off)', () => {
    expect(apiRateLimitOf(parseConfig({}))).toEqual({ ratePerSecond: 50, burst: 100 });
    expect(apiRateLimitOf(parseConfig({ API_RATE_LIMIT: '5' }))).toEqual({ ratePerSecond: 5, burst: 10 });
    expect(apiRateLimitOf(parseConfig({ API_RATE_LIMIT: '5', API_RATE_BURST: '7' }))).toEqual({ ratePerSecond: 5, burst: 7 });
    expect(apiRateLimitOf(parseConfig({ API_RATE_LIMIT: '0.5' }))).toEqual({ ratePerSecond: 0.5, burst: 1 });
    expect(apiRateLimitOf(parseConfig({ API_RATE_LIMIT: '0' }))).toBeNull();
    for (const env of [{ API_RATE_LIMIT: 'fast' }, { API_RATE_LIMIT: '-1' }, { API_RATE_BURST: '0' }, { API_RATE_BURST: '1.5' }]) {
      expect(() => parseConfig(env)).toThrow(ConfigError);
      expect(() => parseConfig(env)).toThrow(Object.keys(env)[0]);
    }
  });
});
