import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets Sequent must use again (webhook signing secrets) are kept encrypted at rest
 * (SPEC §9): AES-256-GCM with a key from SECRET_ENCRYPTION_KEY. A sealed value reads
 * `v1.<iv>.<tag>.<ciphertext>` (base64url); the version leaves room for a key rotation.
 * `context` (the row's id) is authenticated with it, so a value copied onto another row
 * does not open there.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
/** How every sealed value begins (a plaintext `whsec_…` never does). */
export const SEALED_PREFIX = `${VERSION}.`;

export function sealSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export const isSealed = (stored: string) => stored.startsWith(SEALED_PREFIX);

/** The plaintext of a sealed value; throws when the key, the context or the value is wrong. */
export function openSecret(key: Buffer, sealed: string, context: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed secret');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/** 32 bytes written as 64 hex characters or as base64; null for anything else. */
export function parseEncryptionKey(text: string): Buffer | null {
  if (HEX_KEY.test(text)) return Buffer.from(text, 'hex');
  if (!BASE64_KEY.test(text)) return null;
  const key = Buffer.from(text, 'base64');
  return key.length === 32 ? key : null;
}
