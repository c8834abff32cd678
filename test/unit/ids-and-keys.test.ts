import { describe, expect, it } from 'vitest';
import { apiKeyPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from '../../src/domain/api-keys.js';
import { isId, newId } from '../../src/domain/ids.js';

describe('ids', () => {
  it('are a prefix and a 26-character lowercase ULID', () => {
    const id = newId('camp');
    expect(id).toMatch(/^camp_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(isId('camp', id)).toBe(true);
    expect(isId('lead', id)).toBe(false);
  });

  it('sort in creation order even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId('msg'));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
  });
});

describe('API keys', () => {
  it('are unguessable sk_live_ keys whose hash is stable and whose prefix is short', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).toMatch(/^sk_live_[A-Za-z0-9]{40}$/);
    expect(a).not.toBe(b);
    expect(isWellFormedApiKey(a)).toBe(true);
    expect(isWellFormedApiKey('sk_live_../../etc')).toBe(false);
    expect(hashApiKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(a)).toBe(hashApiKey(a));
    expect(hashApiKey(a)).not.toBe(hashApiKey(b));
    expect(apiKeyPrefix(a)).toHaveLength(12);
  });
});
