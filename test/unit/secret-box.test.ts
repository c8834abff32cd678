import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEV_ONLY_SECRET_ENCRYPTION_KEY, parseConfig, usesDevOnlyKey } from '../../src/config.js';
import { isSealed, openSecret, parseEncryptionKey, sealSecret } from '../../src/domain/secret-box.js';

const key = randomBytes(32);
const secret = `whsec_${randomBytes(32).toString('base64')}`;

describe('secret box (AES-256-GCM, SPEC §9)', () => {
  it('seals so the stored value holds nothing of the secret, and opens it again', () => {
    const sealed = sealSecret(key, secret, 'wh_1');
    expect(isSealed(sealed)).toBe(true);
    expect(isSealed(secret)).toBe(false);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(sealSecret(key, secret, 'wh_1')).not.toBe(sealed); // a fresh IV each time
    expect(openSecret(key, sealed, 'wh_1')).toBe(secret);
  });

  it('refuses another key, another row, or a changed value', () => {
    const sealed = sealSecret(key, secret, 'wh_1');
    expect(() => openSecret(randomBytes(32), sealed, 'wh_1')).toThrow();
    expect(() => openSecret(key, sealed, 'wh_2')).toThrow();
    const [v, iv, tag, ct] = sealed.split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => openSecret(key, [v, iv, tag, flipped.toString('base64url')].join('.'), 'wh_1')).toThrow();
    expect(() => openSecret(key, secret, 'wh_1')).toThrow(/not a sealed secret/);
  });

  it('takes a key as 64 hex characters or base64 of 32 bytes, nothing else', () => {
    expect(parseEncryptionKey(key.toString('hex'))?.equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString('base64url'))?.equals(key)).toBe(true);
    expect(parseEncryptionKey(randomBytes(16).toString('base64'))).toBeNull();
    expect(parseEncryptionKey('x'.repeat(64))).toBeNull();
  });

  it('knows the dev-only key `npm start` falls back to', () => {
    expect(usesDevOnlyKey(parseConfig({ SECRET_ENCRYPTION_KEY: DEV_ONLY_SECRET_ENCRYPTION_KEY }))).toBe(true);
    expect(usesDevOnlyKey(parseConfig({ SECRET_ENCRYPTION_KEY: key.toString('hex') }))).toBe(false);
    expect(usesDevOnlyKey(parseConfig({}))).toBe(false);
  });
});
