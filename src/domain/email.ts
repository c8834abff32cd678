import { domainToUnicode } from 'node:url';

const NON_ASCII = /[\u0080-\uFFFF]/;
const HOSTNAME_CHARS = /^[\p{L}\p{M}\p{N}.-]+$/u;

/**
 * A lead is one record per (workspace, lowercased trimmed email). One mailbox has one spelling:
 * Unicode is NFC-composed, and an IDN domain is kept in its Unicode form whether it arrives as
 * `bücher.de`, `BÜCHER.DE` or `xn--bcher-kva.de` (UTS #46), so no spelling escapes a suppression
 * or enrolls the same person twice. Plus-addressing is kept: `jane+tag@` is its own address.
 */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase().normalize('NFC');
  const at = email.lastIndexOf('@');
  if (at < 0) return email;
  const domain = email.slice(at + 1);
  if (!(NON_ASCII.test(domain) || /(?:^|\.)xn--/.test(domain)) || !HOSTNAME_CHARS.test(domain)) return email;
  const unicode = domainToUnicode(domain);
  // An empty answer means the domain is not a valid IDN; validation then refuses it as it is.
  return unicode ? `${email.slice(0, at + 1)}${unicode}` : email;
}

// Unicode local parts and IDN domains are allowed (SMTPUTF8); the domain needs a dot and a TLD.
const SHAPE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"_]+\.[^\s@<>()[\]\\,;:"_.\d]{2,}$/u;

export function isValidEmail(email: string): boolean {
  if (email.length > 254 || /\p{Cc}/u.test(email)) return false;
  const [local = '', domain = ''] = email.split('@');
  if (local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  if (domain.split('.').some((label) => label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-'))) return false;
  return SHAPE.test(email);
}

/** Splits "Name <email@host>" (or a bare address) into its parts. */
export function parseMailbox(value: string): { name: string; email: string } {
  const match = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(value);
  if (match) return { name: match[1]!.replace(/^"|"$/g, ''), email: normalizeEmail(match[2]!) };
  return { name: '', email: normalizeEmail(value) };
}
