import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

export type ResolvedAddress = { address: string; family: 4 | 6 };
/** Every address a hostname resolves to (injectable: tests resolve made-up names). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

// Global unicast IPv6 lives in 2000::/3; everything else (IPv4-compatible ::/96 included) is not
// the public internet.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/** Addresses a webhook must never reach (SSRF): anything but the public internet. */
export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (ip.kind() === 'ipv6' && !(ip as ipaddr.IPv6).match(GLOBAL_UNICAST_V6)) return true;
  return ip.range() !== 'unicast';
}

export type UrlCheck = { ok: true } | { ok: false; reason: string };
/** A URL that passed the policy, with the addresses it was checked against: connect only to these. */
export type WebhookTarget = { url: URL; addresses: ResolvedAddress[] };
export type TargetCheck = { ok: true; target: WebhookTarget } | { ok: false; reason: string };

const PRIVATE = 'must not point at a private, loopback or link-local address';

function parseWebhookUrl(raw: string, allowPrivate: boolean): { ok: true; url: URL } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'must be an absolute URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not contain credentials' };
  if (allowPrivate) return url.protocol === 'https:' || url.protocol === 'http:' ? { ok: true, url } : { ok: false, reason: 'must be http(s)' };
  if (url.protocol !== 'https:') return { ok: false, reason: 'must use https' };
  return { ok: true, url };
}

/**
 * Resolves a webhook URL's host once and checks every address: the caller connects to exactly
 * these addresses (never resolving again), so DNS that changes between check and connect (DNS
 * rebinding) cannot steer the request elsewhere. The URL parser has already normalised decimal,
 * octal and hex IPv4 forms (`https://2130706433/` is 127.0.0.1). With `allowPrivate` (local
 * development) any address is accepted, still pinned.
 */
export async function resolveWebhookTarget(raw: string, allowPrivate: boolean, resolve: HostResolver = systemResolver): Promise<TargetCheck> {
  const parsed = parseWebhookUrl(raw, allowPrivate);
  if (!parsed.ok) return parsed;
  const host = parsed.url.hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      return { ok: false, reason: `host ${host} does not resolve` };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: `host ${host} does not resolve` };
  if (!allowPrivate && addresses.some((a) => isPrivateAddress(a.address))) return { ok: false, reason: PRIVATE };
  return { ok: true, target: { url: parsed.url, addresses } };
}

/**
 * A webhook URL must be https and every address its host resolves to must be public, unless the
 * operator allows private targets (local development, where the host need not resolve yet).
 * Checked at registration; every delivery checks again through `resolveWebhookTarget`.
 */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean, resolve: HostResolver = systemResolver): Promise<UrlCheck> {
  if (allowPrivate) {
    const parsed = parseWebhookUrl(raw, true);
    return parsed.ok ? { ok: true } : parsed;
  }
  const checked = await resolveWebhookTarget(raw, false, resolve);
  return checked.ok ? { ok: true } : checked;
}
