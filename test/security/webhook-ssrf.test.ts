import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { createApp } from '../../src/api/app.js';
import { newId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/logger.js';
import { emitEvent } from '../../src/webhooks/events.js';
import type { HostResolver, ResolvedAddress } from '../../src/webhooks/url-policy.js';
import { apiClient, newWorkspace, testConfig, testDeps } from '../helpers/deps.js';

const PUBLIC_IP = '93.184.216.34';
const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

/** A made-up DNS: names resolve only through this table (nothing reaches real DNS). */
function fakeDns(table: Record<string, ResolvedAddress[] | (() => ResolvedAddress[])>) {
  const calls: string[] = [];
  const resolve: HostResolver = async (hostname) => {
    calls.push(hostname);
    const entry = table[hostname];
    if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return typeof entry === 'function' ? entry() : entry;
  };
  return { resolve, calls };
}

/** A loopback HTTP server that records requests and answers each with `answer`. */
async function startServer(answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(200).end()) {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { port, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * SSRF: with WEBHOOK_ALLOW_PRIVATE_URLS off (the default; testConfig turns it on for other tests),
 * a webhook can never make Sequent send a request to a private, loopback, link-local or metadata
 * address — not at registration, not at delivery, not through DNS, not through a redirect.
 */
describe('webhook SSRF', () => {
  const dns = fakeDns({
    'hooks.example.test': [v4(PUBLIC_IP)],
    'dual.example.test': [v6('2606:4700:4700::1111'), v4(PUBLIC_IP)],
    'evil.test': [v4('127.0.0.1')],
    'metadata.test': [v4('169.254.169.254')],
    'loopback6.test': [v6('::1')],
    'mapped.test': [v6('::ffff:10.0.0.1')],
    'internal.test': [v4('10.1.2.3')],
    'mixed.test': [v4(PUBLIC_IP), v4('192.168.1.10')],
    localhost: [v4('127.0.0.1'), v6('::1')],
    'empty.test': [],
  });

  describe('at registration: 422 validation_failed on url, nothing stored', () => {
    const refused = [
      // IPv4 private, loopback, link-local (cloud metadata), CGNAT, unspecified
      'https://10.0.0.1/hook',
      'https://10.255.255.255/hook',
      'https://172.16.0.1/hook',
      'https://172.31.255.254/hook',
      'https://192.168.1.1/hook',
      'https://127.0.0.1/hook',
      'https://127.8.9.10/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://169.254.1.1/hook',
      'https://100.64.0.1/hook',
      'https://100.127.255.254/hook',
      'https://0.0.0.0/hook',
      'https://0.1.2.3/hook',
      'https://224.0.0.1/hook',
      'https://255.255.255.255/hook',
      // IPv6 loopback, unspecified, IPv4-mapped and -compatible, unique-local, link-local, metadata
      'https://[::1]/hook',
      'https://[::]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[::ffff:7f00:1]/hook',
      'https://[::ffff:169.254.169.254]/hook',
      'https://[::ffff:10.0.0.1]/hook',
      'https://[::127.0.0.1]/hook',
      'https://[fc00::1]/hook',
      'https://[fd12:3456::1]/hook',
      'https://[fd00:ec2::254]/hook',
      'https://[fe80::1]/hook',
      'https://[febf::1]/hook',
      'https://[ff02::1]/hook',
      'https://[64:ff9b::7f00:1]/hook',
      // Decimal, octal, hex and short IPv4 forms of loopback, private and metadata addresses
      'https://2130706433/hook',
      'https://0x7f.1/hook',
      'https://0x7f000001/hook',
      'https://017700000001/hook',
      'https://0177.0.0.1/hook',
      'https://127.1/hook',
      'https://3232235777/hook',
      'https://0xa9fea9fe/hook',
      'https://0251.0376.0251.0376/hook',
      // Hostnames that resolve to private addresses (any one private address is enough)
      'https://evil.test/hook',
      'https://metadata.test/latest/meta-data/',
      'https://loopback6.test/hook',
      'https://mapped.test/hook',
      'https://internal.test/hook',
      'https://mixed.test/hook',
      'https://localhost/hook',
      'https://localhost./hook',
      // Hostnames that do not resolve
      'https://nxdomain.test/hook',
      'https://empty.test/hook',
      // Not https, or with credentials
      'http://2130706433/hook',
      'http://0x7f.1/hook',
      'http://hooks.example.test/hook',
      'ftp://hooks.example.test/hook',
      'https://user:pass@hooks.example.test/hook',
    ];

    it.each(refused)('refuses %s', async (url) => {
      const deps = testDeps();
      const { apiKey } = await newWorkspace(deps.db);
      const strict = apiClient(createApp({ ...deps, config: testConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }), resolveHost: dns.resolve }), apiKey);
      const res = await strict.post('/v1/webhooks', { url, events: ['message.sent'] });
      expect([res.status, res.body.error?.code, res.body.errors?.[0]?.field]).toEqual([422, 'validation_failed', 'url']);
      expect((await strict.get('/v1/webhooks')).body.data).toEqual([]);
    });

    it('accepts public https targets (and the address just outside 172.16/12)', async () => {
      const deps = testDeps();
      const { apiKey } = await newWorkspace(deps.db);
      const strict = apiClient(createApp({ ...deps, config: testConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }), resolveHost: dns.resolve }), apiKey);
      const accepted = ['https://hooks.example.test/hook', 'https://dual.example.test/hook', 'https://8.8.8.8/hook', 'https://172.32.0.1/hook', 'https://[2606:4700:4700::1111]/hook'];
      for (const url of accepted) expect([url, (await strict.post('/v1/webhooks', { url, events: ['message.sent'] })).status]).toEqual([url, 201]);
      expect((await strict.get('/v1/webhooks')).body.data.map((h: { url: string }) => h.url)).toEqual(accepted);
    });
  });

  describe('at delivery: the attempt is refused, recorded, and nothing is sent', () => {
    let server: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      server = await startServer();
    });
    afterAll(() => server.close());

    /** The real deliverWebhook activity, run outside a worker, with the given policy and DNS. */
    function deliverer(allowPrivate: boolean, resolveHost: HostResolver) {
      const deps = testDeps();
      const config = testConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: String(allowPrivate) });
      const { deliverWebhook } = activitiesFromConfig(config, { db: deps.db, logger: createLogger('silent', 'test'), client: deps.temporal, resolveHost });
      return (input: { webhookId: string; eventId: string; attempt: number }) =>
        new MockActivityEnvironment({ currentAttemptScheduledTimestampMs: Date.now() }).run(deliverWebhook, input);
    }

    /** A webhook row as if it had been registered when it was allowed (DNS said public, or the flag was on). */
    async function storedHook(url: string) {
      const { db } = testDeps();
      const { workspaceId } = await newWorkspace(db);
      const hook = await db.webhook.create({
        data: { id: newId('wh'), workspaceId, url, events: ['message.sent'], secret: `whsec_${randomBytes(32).toString('base64')}` },
      });
      const event = await emitEvent(db, workspaceId, 'message.sent', { messageId: newId('msg') });
      return { hook, event };
    }

    it.each([
      ['a hostname resolving to loopback', (port: number) => `https://evil.test:${port}/hook`],
      ['a loopback IP', (port: number) => `https://127.0.0.1:${port}/hook`],
      ['an IPv4-mapped IPv6 loopback', (port: number) => `https://[::ffff:127.0.0.1]:${port}/hook`],
      ['a decimal IPv4 loopback', (port: number) => `https://2130706433:${port}/hook`],
      ['a hex IPv4 loopback', (port: number) => `https://0x7f.1:${port}/hook`],
      ['plain http to loopback', (port: number) => `http://127.0.0.1:${port}/hook`],
    ])('refuses %s', async (_what, urlOf) => {
      const { db } = testDeps();
      const { hook, event } = await storedHook(urlOf(server.port));
      const deliver = deliverer(false, fakeDns({ 'evil.test': [v4('127.0.0.1')] }).resolve);
      expect(await deliver({ webhookId: hook.id, eventId: event.id, attempt: 1 })).toBe('failed');
      const log = await db.webhookDelivery.findMany({ where: { webhookId: hook.id } });
      expect(log).toEqual([expect.objectContaining({ attempt: 1, succeeded: false, responseStatus: null, error: expect.stringMatching(/^refused: the URL must/) })]);
      expect(server.hits).toEqual([]);
    });

    it('resists DNS rebinding: public at registration, loopback at delivery → refused, and delivery asks DNS once', async () => {
      let answers = 0;
      const dnsRebind = fakeDns({ 'rebind.test': () => (answers++ === 0 ? [v4(PUBLIC_IP)] : [v4('127.0.0.1')]) });
      const deps = testDeps();
      const { apiKey, workspaceId } = await newWorkspace(deps.db);
      const strict = apiClient(createApp({ ...deps, config: testConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }), resolveHost: dnsRebind.resolve }), apiKey);
      const created = await strict.post('/v1/webhooks', { url: `https://rebind.test:${server.port}/hook`, events: ['message.sent'] });
      expect(created.status).toBe(201);
      const event = await emitEvent(deps.db, workspaceId, 'message.sent', { messageId: newId('msg') });

      const deliver = deliverer(false, dnsRebind.resolve);
      expect(await deliver({ webhookId: created.body.data.id, eventId: event.id, attempt: 1 })).toBe('failed');
      expect(dnsRebind.calls).toEqual(['rebind.test', 'rebind.test']);
      const [attempt] = (await strict.get(`/v1/webhooks/${created.body.data.id}/deliveries`)).body.data;
      expect(attempt).toMatchObject({ succeeded: false, responseStatus: null, error: expect.stringContaining('private') });
      expect(server.hits).toEqual([]);
    });

    it('connects to the address it checked, never resolving again (pinned)', async () => {
      // `pinned.test` exists only in the injected resolver, which answers loopback once and an
      // unroutable address after that: the request can only arrive if the socket used the first
      // (checked) answer. Private targets are allowed here only so a loopback server can answer.
      let answers = 0;
      const pinnedDns = fakeDns({ 'pinned.test': () => (answers++ === 0 ? [v4('127.0.0.1')] : [v4('192.0.2.1')]) });
      const { hook, event } = await storedHook(`http://pinned.test:${server.port}/pinned`);
      const before = server.hits.length;
      expect(await deliverer(true, pinnedDns.resolve)({ webhookId: hook.id, eventId: event.id, attempt: 1 })).toBe('delivered');
      expect(pinnedDns.calls).toEqual(['pinned.test']);
      expect(server.hits.slice(before)).toEqual(['POST /pinned']);
    });

    it.each([
      [302, 'loopback'],
      [307, 'metadata'],
      [301, 'private'],
    ])('does not follow a %s redirect (to a %s address): the 30x is the recorded answer', async (status, where) => {
      const target = await startServer();
      const locations: Record<string, string> = {
        loopback: `http://127.0.0.1:${target.port}/internal`,
        metadata: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
        private: 'http://10.0.0.1/admin',
      };
      const redirector = await startServer((_req, res) => res.writeHead(status, { location: locations[where]! }).end());
      try {
        // The first hop must be reachable on loopback, so private targets are allowed for it; the
        // redirect is refused regardless, so no answer can move the request to an unchecked address.
        const { db } = testDeps();
        const { hook, event } = await storedHook(`http://127.0.0.1:${redirector.port}/hook`);
        expect(await deliverer(true, dns.resolve)({ webhookId: hook.id, eventId: event.id, attempt: 1 })).toBe('failed');
        expect(redirector.hits).toEqual(['POST /hook']);
        expect(target.hits).toEqual([]);
        expect(await db.webhookDelivery.findMany({ where: { webhookId: hook.id } })).toEqual([
          expect.objectContaining({ succeeded: false, responseStatus: status, error: `HTTP ${status}` }),
        ]);
      } finally {
        await Promise.all([target.close(), redirector.close()]);
      }
    });
  });
});
