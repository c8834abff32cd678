/** A lead is one record per (workspace, lowercased trimmed email). */
export const normalizeEmail = (raw: string) => raw.trim().toLowerCase();

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
