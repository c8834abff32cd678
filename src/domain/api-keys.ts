import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY_PATTERN = /^sk_live_[A-Za-z0-9]{24,128}$/;

/** 40 base62 characters ≈ 238 bits: unguessable, so a fast hash at rest is enough. */
export function generateApiKey(): string {
  const bytes = randomBytes(40);
  let body = '';
  for (const byte of bytes) body += ALPHABET[byte % ALPHABET.length];
  return `sk_live_${body}`;
}

export function isWellFormedApiKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyPrefix(key: string): string {
  return key.slice(0, 12);
}

/** A key as a replayed answer shows it (SPEC §9): the prefix the key list shows, the rest masked. */
export const maskApiKey = (key: string) => `${apiKeyPrefix(key)}********`;
