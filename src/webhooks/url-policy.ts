import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** Addresses a webhook must never reach (SSRF): anything but the public internet. */
export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() !== 'unicast';
}

export type UrlCheck = { ok: true } | { ok: false; reason: string };

/**
 * A webhook URL must be https and every address its host resolves to must be public, unless the
 * operator allows private targets (local development). Checked at registration and again before
 * every delivery, since DNS can change.
 */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'must be an absolute URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not contain credentials' };
  if (allowPrivate) return url.protocol === 'https:' || url.protocol === 'http:' ? { ok: true } : { ok: false, reason: 'must be http(s)' };
  if (url.protocol !== 'https:') return { ok: false, reason: 'must use https' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch {
    return { ok: false, reason: `host ${host} does not resolve` };
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    return { ok: false, reason: 'must not point at a private, loopback or link-local address' };
  }
  return { ok: true };
}
