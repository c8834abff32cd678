import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPrivateAddress } from '../../src/webhooks/url-policy.js';

describe('webhook URL policy', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '::1', 'fc00::1', 'fe80::1', '::ffff:127.0.0.1', '::', '::7f00:1', '64:ff9b::7f00:1', 'fd00:ec2::254', '2001:db8::1', 'not an address'])(
    'treats %s as private',
    (ip) => expect(isPrivateAddress(ip)).toBe(true),
  );

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'])('treats %s as public', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it.each([
    ['http://example.com/hook', 'must use https'],
    ['https://127.0.0.1/hook', 'private'],
    ['https://[::1]/hook', 'private'],
    ['https://10.0.0.5/hook', 'private'],
    ['https://localhost/hook', 'private'],
    ['https://user:pass@example.com/hook', 'credentials'],
    ['not a url', 'absolute URL'],
  ])('refuses %s', async (url, reason) => {
    const result = await checkWebhookUrl(url, false);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });

  it('accepts a public https address, and private ones only when the operator allows them', async () => {
    expect(await checkWebhookUrl('https://1.1.1.1/hook', false)).toEqual({ ok: true });
    expect(await checkWebhookUrl('http://127.0.0.1:9999/hook', true)).toEqual({ ok: true });
  });
});
