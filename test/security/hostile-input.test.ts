import fc from 'fast-check';
import { Webhook } from 'svix';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { MAX_REQUEST_BYTES } from '../../src/api/middleware.js';
import { newId } from '../../src/domain/ids.js';
import { ADMIN_TOKEN, newWorkspace, testConfig, testDeps } from '../helpers/deps.js';
import {
  documentedOperations,
  encodeBytes,
  encodeSegment,
  expectApiAnswer,
  expectErrorShape,
  expectSnapshotCoversSchema,
  fillPath,
  opKey,
  routedEndpoints,
  send,
  workspaceCounts,
  workspaceSnapshot,
  type Operation,
  isDocsAsset,
} from './support.js';

/**
 * Hostile input against every endpoint the app routes: whatever arrives in the path, the query or
 * the body, the answer is never a 5xx, an error always has the one shape, and a rejected request
 * writes nothing. The endpoint list comes from the app itself (its OpenAPI document and Hono's
 * route table), so a new endpoint is fuzzed automatically — or fails here until it is described.
 */

const RUNS_PER_OPERATION = 20;
/** Endpoints that read nothing but an ignored query string get a few runs only. */
const runsFor = (op: Operation) => (op.pathParams.length + op.queryParams.length === 0 && !op.hasBody && op.method === 'GET' && op.auth === 'none' ? 5 : RUNS_PER_OPERATION);

const step = { stepNumber: 1, delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>{{company|there}}</p>' };
const window = { timezone: 'Europe/Berlin', days: [1, 2, 3], start: '09:00', end: '17:00' };

/** One valid body per operation that takes one; mutations of it reach past the outer checks. */
const SEED_BODIES: Record<string, (ids: Ids) => unknown> = {
  'POST /v1/campaigns': () => ({ name: 'Fuzz', sequenceSteps: [step, { delayDays: 2, variants: [{ subject: 'A', bodyHtml: '<p>a</p>' }, { id: 'b', subject: '', bodyHtml: '<p>b</p>', weight: 3 }] }], settings: { sendingWindow: window, stopCompanyOnReply: true } }),
  'PATCH /v1/campaigns/{id}': () => ({ name: 'Fuzz 2', sequenceSteps: [step, { ...step, stepNumber: 2, delayDays: 3 }], settings: { sendingWindow: null } }),
  'POST /v1/campaigns/{id}/steps/{stepNumber}/variants': () => ({ id: 'B', subject: 'Other {{firstName}}', bodyHtml: '<p>b</p>', weight: 2 }),
  'POST /v1/campaigns/{id}/leads/bulk': () => ({
    leads: [{ email: 'fuzz@acme.com', firstName: 'F', lastName: 'L', company: 'C', jobTitle: 'J', customFields: { city: 'Berlin', n: 1, b: true, z: null }, extra: 'e' }],
  }),
  'POST /v1/sender-accounts': () => ({ email: 'sender2@acme.com', name: 'Sender', dailyLimit: 10, status: 'active' }),
  'PATCH /v1/sender-accounts/{id}': () => ({ name: 'Sender', dailyLimit: 20, status: 'active' }),
  'PATCH /v1/workspace': () => ({ name: 'Fuzzed', timezone: 'Europe/Berlin' }),
  'POST /v1/replies': (ids) => ({ email: ids.leadEmail, campaignId: ids.campaigns[0], subject: 'Re: hi', text: 'Out of office until Monday', receivedAt: '2025-01-01T10:00:00Z', headers: { 'X-Test': '1' } }),
  'POST /v1/suppression-list': () => ({ emails: ['fuzz-suppressed@acme.com'] }),
  'POST /v1/webhooks': () => ({ url: 'https://example.com/hook', events: ['message.sent', 'reply.received'] }),
  'POST /admin/workspaces': () => ({ name: 'Fuzz workspace' }),
  'POST /admin/workspaces/{id}/api-keys': () => ({ scopes: ['read'] }),
  'POST /v1/api-keys': () => ({ scopes: ['read', 'write'] }),
};

/** Routes outside the OpenAPI document (pages, signed provider callbacks, operations endpoints). */
const UNDOCUMENTED: Operation[] = [
  { method: 'GET', path: '/healthz', pathParams: [], queryParams: [], hasBody: false, auth: 'none' },
  { method: 'GET', path: '/readyz', pathParams: [], queryParams: [], hasBody: false, auth: 'none' },
  { method: 'GET', path: '/openapi.json', pathParams: [], queryParams: [], hasBody: false, auth: 'none' },
  { method: 'GET', path: '/docs', pathParams: [], queryParams: [], hasBody: false, auth: 'none' },
  { method: 'GET', path: '/', pathParams: [], queryParams: [], hasBody: false, auth: 'none' },
  { method: 'GET', path: '/console/app.js', pathParams: [], queryParams: [], hasBody: false, auth: 'none' },
  { method: 'GET', path: '/console/app.css', pathParams: [], queryParams: [], hasBody: false, auth: 'none' },
  { method: 'GET', path: '/u/{token}', pathParams: ['token'], queryParams: [], hasBody: false, auth: 'none' },
  { method: 'POST', path: '/u/{token}', pathParams: ['token'], queryParams: [], hasBody: false, auth: 'none' },
  { method: 'POST', path: '/v1/providers/resend/events', pathParams: [], queryParams: [], hasBody: true, auth: 'none' },
];
// Pages (and the console's script and stylesheet): never a 5xx, and an error is a page or the JSON shape.
const HTML_ROUTES = new Set(['GET /u/{token}', 'POST /u/{token}', 'GET /docs', 'GET /', 'GET /console/app.js', 'GET /console/app.css']);
const STREAM_ROUTES = new Set(['GET /v1/events/stream']);
const MARKDOWN_ROUTES = new Set(['GET /v1/guide']);

type Ids = {
  workspaceId: string;
  campaigns: string[];
  leadIds: string[];
  leadEmail: string;
  senderId: string;
  webhookId: string;
  suppressed: string;
  spareKeyId: string;
  unsubscribeToken: string;
  messageId: string;
};

/** Real ids for a path parameter, by route; a parameter nobody knows fails the test. */
function idsFor(op: Operation, param: string, ids: Ids): string[] {
  if (op.path.startsWith('/v1/campaigns/') && param === 'id') return ids.campaigns;
  if (param === 'leadId' || (op.path.startsWith('/v1/leads/') && param === 'lead')) return ids.leadIds;
  if (param === 'stepNumber') return ['1', '2'];
  if (op.path.startsWith('/v1/sender-accounts/')) return [ids.senderId];
  if (op.path.startsWith('/v1/webhooks/')) return [ids.webhookId];
  if (op.path.startsWith('/v1/suppression-list/')) return [ids.suppressed];
  if (op.path.startsWith('/admin/workspaces/')) return [ids.workspaceId];
  if (op.path.startsWith('/admin/api-keys/') || op.path.startsWith('/v1/api-keys/')) return [ids.spareKeyId];
  if (op.path.startsWith('/u/')) return [ids.unsubscribeToken];
  throw new Error(`${opKey(op)}: no known ids for path parameter "${param}"; teach idsFor about it`);
}

// ---- arbitraries ------------------------------------------------------------------------------

const INJECTIONS = [
  '{{email}}',
  '{{ firstName | <script>alert(1)</script> }}',
  '}}{{',
  '{{{{firstName}}}}',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '\r\nBcc: victim@example.com',
  '\nX-Injected: yes',
  "'; DROP TABLE \"Lead\"; --",
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDC00y',
  '\uFEFF',
  '\u202Eevil',
  '%00',
  '%',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'e\u0301',
  '𝕏'.repeat(50),
  'a'.repeat(1_001),
  'b'.repeat(70_000),
];

const hostileString = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.array(fc.constantFrom(...INJECTIONS.slice(0, 14), 'x', ' ', '|'), { maxLength: 5 }).map((a) => a.join('')),
);

const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, -0, 1.5, 1e308, -1e308, 2 ** 53 + 1, 100_001, 366, '', [], {}, [null], { __proto__: null }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
);

type Path = (string | number)[];
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

type Mutation = { pick: number; action: 'replace' | 'delete' | 'add' | 'wrap'; value: unknown; key: string };

function mutate(seed: unknown, m: Mutation): unknown {
  const copy = structuredClone(seed);
  const paths = pathsOf(copy);
  const path = paths[m.pick % paths.length]!;
  if (path.length === 0) {
    if (m.action === 'replace') return m.value;
    if (m.action === 'wrap') return [copy];
    if (m.action === 'add' && copy && typeof copy === 'object') (copy as Record<string, unknown>)[m.key] = m.value;
    return copy;
  }
  const parent = path.slice(0, -1).reduce<any>((node, k) => node[k], copy);
  const last = path[path.length - 1]!;
  if (m.action === 'replace') parent[last] = m.value;
  else if (m.action === 'wrap') parent[last] = [parent[last]];
  else if (m.action === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last])) {
    Object.defineProperty(parent[last], m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
  } else parent[last] = m.value;
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  action: fc.constantFrom('replace', 'replace', 'delete', 'add', 'wrap'),
  value: hostileJson,
  key: hostileString,
});

const BAD_JSON = ['', '{', '{"name": ', 'null', '[]', '"text"', '1', '{"a":1}{"b":2}', '\uFEFF{"name":"x"}', '{"name":"x",}', "{'name':'x'}", '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', 'NaN', '{"name":1e999}'];
// Overlong NUL, an encoded surrogate, stray continuation and lead bytes, Latin-1.
const BAD_BYTES = [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xff, 0xfe], [0xe2, 0x82], [0xfc]];

type Body = { kind: 'none' } | { kind: 'text'; text: string } | { kind: 'bytes'; bytes: Uint8Array };

/** JSON text of `value` with raw bytes spliced into one of its strings (invalid UTF-8 inside valid JSON). */
function withBytesInside(value: unknown, bytes: number[]): Uint8Array {
  const marker = 'BYTES_GO_HERE';
  const text = JSON.stringify(mutate(value, { pick: 1, action: 'replace', value: marker, key: '' }));
  const at = text.indexOf(marker);
  if (at < 0) return new Uint8Array(Buffer.from(text));
  return new Uint8Array(Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at + marker.length))]));
}

function bodyArb(seed: unknown): fc.Arbitrary<Body> {
  const base = seed ?? {};
  return fc.oneof(
    { weight: seed === undefined ? 4 : 1, arbitrary: fc.constant<Body>({ kind: 'none' }) },
    { weight: 8, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map<Body>((ms) => ({ kind: 'text', text: JSON.stringify(ms.reduce(mutate, base)) ?? 'null' })) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map<Body>((v) => ({ kind: 'text', text: JSON.stringify(v) })) },
    { weight: 2, arbitrary: fc.constantFrom(...BAD_JSON).map<Body>((text) => ({ kind: 'text', text })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 48 }).map<Body>((bytes) => ({ kind: 'bytes', bytes })) },
    { weight: 2, arbitrary: fc.constantFrom(...BAD_BYTES).map<Body>((b) => ({ kind: 'bytes', bytes: withBytesInside(base, b) })) },
    { weight: 1, arbitrary: fc.integer({ min: 50, max: 2_000 }).map<Body>((depth) => ({ kind: 'text', text: '['.repeat(depth) + ']'.repeat(depth) })) },
  );
}

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'application/vnd.api+json', 'APPLICATION/JSON', 'application/json; charset=latin1') },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', '', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'json') },
);

const RAW_SEGMENTS = ['%00', '%', '%zz', '..', '%2e%2e', '%2F', '%252F', 'camp_01hx4mrqpbcn7wh2gfk9yz6e3s', 'lead_01hx4mrqpbcn7wh2gfk9yz6e3s', 'null', 'undefined', '0', '-1', 'x'.repeat(3_000), '%ED%A0%80', '%C0%80', '%FF'];

function segmentArb(valid: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...valid).map(encodeSegment) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...valid), hostileString).map(([id, s]) => encodeSegment(id + s)) },
    { weight: 3, arbitrary: hostileString.map(encodeSegment) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 12 }).map(encodeBytes) },
  );
}

const QUERY_VALUES = ['', '0', '-1', '1', '200', '201', '1e2', '0x10', ' 5', 'NaN', 'Infinity', 'abc', 'draft', 'running', 'paused', 'active', 'bogus', 'interested', 'message.sent', '%00', '%ED%A0%80', 'x'.repeat(500)];

function queryArb(op: Operation, valid: string[]): fc.Arbitrary<string> {
  const value = fc.oneof(
    fc.constantFrom(...QUERY_VALUES),
    hostileString.map(encodeSegment),
    fc.constantFrom(...valid).map(encodeSegment),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map(encodeBytes),
  );
  const declared = op.queryParams.map((name) => fc.option(value, { nil: undefined }).map((v) => (v === undefined ? [] : [`${name}=${v}`])));
  const extra = fc.option(fc.tuple(fc.constantFrom('limit', 'cursor', 'status', '__proto__', 'x', '%00', encodeSegment('ü')), value), { nil: undefined }).map((kv) => (kv ? [`${kv[0]}=${kv[1]}`] : []));
  return fc.tuple(...declared, extra).map((parts) => parts.flat().join('&'));
}

// ---- the fixture workspace --------------------------------------------------------------------

describe('hostile input on every endpoint', () => {
  // The per-key rate limit would answer most of these requests with 429 before they reach validation.
  const deps = { ...testDeps(), config: testConfig({ API_RATE_LIMIT: '0' }) };
  const app = createApp(deps);
  let ws: { workspaceId: string; apiKey: string };
  let ids: Ids;
  let operations: Operation[];

  beforeAll(async () => {
    ws = await newWorkspace(deps.db, 'hostile');
    const auth = { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' };
    const post = async (path: string, body: unknown) => {
      const res = await send(app, 'POST', path, { headers: auth, body: JSON.stringify(body) });
      expect(res.status, `${path}: ${res.text}`).toBeLessThan(300);
      return res.body.data;
    };
    const draft = (await post('/v1/campaigns', { name: 'draft', sequenceSteps: [step] })).id as string;
    const running = (await post('/v1/campaigns', { name: 'running', sequenceSteps: [step] })).id as string;
    await post(`/v1/campaigns/${draft}/leads/bulk`, { leads: [{ email: 'ada@acme.com', firstName: 'Ada' }, { email: 'bob@acme.com' }] });
    await post(`/v1/campaigns/${running}/leads/bulk`, { leads: [{ email: 'ada@acme.com' }] });
    await post(`/v1/campaigns/${running}/start`, {});
    const leads = await deps.db.lead.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { email: 'asc' } });
    const sender = await post('/v1/sender-accounts', { email: 'sender@acme.com', name: 'Sender', dailyLimit: 50 });
    const webhook = await post('/v1/webhooks', { url: 'https://example.com/hook', events: ['message.sent'] });
    await post('/v1/suppression-list', { emails: ['gone@acme.com'] });
    const spare = await send(app, 'POST', `/admin/workspaces/${ws.workspaceId}/api-keys`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const enrollment = await deps.db.enrollment.findFirstOrThrow({ where: { campaignId: running } });
    const message = await deps.db.message.create({
      data: {
        id: newId('msg'),
        workspaceId: ws.workspaceId,
        campaignId: running,
        enrollmentId: enrollment.id,
        leadId: enrollment.leadId,
        stepNumber: 1,
        idempotencyKey: `${enrollment.id}/1`,
        toEmail: 'ada@acme.com',
        fromEmail: 'sender@acme.com',
        subject: 'Hi Ada',
        bodyHtml: '<p>x</p>',
        unsubscribeToken: 'fuzzTokenAAAAAAAAAAAAAAAAAAAAAAA',
        providerId: 'resend-fuzz-1',
        rfcMessageId: '<fuzz-1@acme.com>',
        status: 'sent',
        sentAt: new Date(),
      },
    });
    ids = {
      workspaceId: ws.workspaceId,
      campaigns: [draft, running],
      leadIds: leads.map((l) => l.id),
      leadEmail: 'ada@acme.com',
      senderId: sender.id,
      webhookId: webhook.id,
      suppressed: 'gone@acme.com',
      spareKeyId: spare.body.data.id,
      unsubscribeToken: message.unsubscribeToken!,
      messageId: message.id,
    };
    operations = [...(await documentedOperations(app)), ...UNDOCUMENTED];
  });

  it('knows every routed endpoint and has a seed body for each that takes one', async () => {
    const known = new Set(operations.map(opKey));
    expect(routedEndpoints(app).filter((e) => !known.has(e) && !isDocsAsset(e)), 'routed but neither documented nor listed in UNDOCUMENTED').toEqual([]);
    const bodyless = operations.filter((op) => op.hasBody && !SEED_BODIES[opKey(op)] && op.auth !== 'none');
    expect(bodyless.map(opKey), 'operations with a request body but no SEED_BODIES entry').toEqual([]);
    await expectSnapshotCoversSchema(deps.db);
    // 34 documented operations and 7 others at the time of writing; more is fine, fewer is a regression.
    expect(operations.length).toBeGreaterThanOrEqual(41);
  });

  async function fire(op: Operation, segments: Record<string, string>, query: string, body: Body, type: string) {
    const headers: Record<string, string> = {};
    if (op.auth === 'bearerAuth') headers.authorization = `Bearer ${ws.apiKey}`;
    if (op.auth === 'adminToken') headers.authorization = `Bearer ${ADMIN_TOKEN}`;
    if (body.kind !== 'none' && type && op.method !== 'GET') headers['content-type'] = type;
    const url = fillPath(op.path, segments) + (query ? `?${query}` : '');
    // fetch refuses a body on GET; every other method may carry one, declared or not.
    const payload = op.method === 'GET' ? undefined : body.kind === 'text' ? body.text : body.kind === 'bytes' ? body.bytes : undefined;
    return { url, res: await send(app, op.method, url, { headers, ...(payload !== undefined ? { body: payload } : {}) }) };
  }

  function expectAnswer(op: Operation, url: string, res: Awaited<ReturnType<typeof send>>) {
    const context = `${op.method} ${url.slice(0, 300)}`;
    if (HTML_ROUTES.has(opKey(op))) {
      expect(res.status, `${context} → ${res.text.slice(0, 300)}`).toBeLessThan(500);
      if (res.status >= 400 && !/^text\/html/.test(res.headers.get('content-type') ?? '')) expectErrorShape(res, context);
      return;
    }
    if (op.path === '/readyz' || op.path === '/healthz' || op.path === '/openapi.json') {
      expect(res.status, context).toBe(200);
      return;
    }
    // A request the event stream accepts opens it (its headers are read, then the test hangs up);
    // one it refuses answers JSON like any other route.
    if (STREAM_ROUTES.has(opKey(op)) && res.status === 200) {
      expect(res.headers.get('content-type'), context).toMatch(/^text\/event-stream/);
      return;
    }
    if (MARKDOWN_ROUTES.has(opKey(op)) && res.status === 200) {
      expect(res.headers.get('content-type'), context).toMatch(/^text\/markdown/);
      return;
    }
    expectApiAnswer(res, context);
    if (op.path === '/v1/providers/resend/events') expect(res.status, `${context}: unsigned provider events are refused`).toBeGreaterThanOrEqual(400);
  }

  // One property per operation, generated from the app's own route list.
  it('never answers 5xx, always answers errors in the one shape, and writes nothing when it refuses', async () => {
    let requests = 0;
    let unchanged: string | undefined;
    for (const op of operations) {
      const seed = SEED_BODIES[opKey(op)]?.(ids);
      const segments = fc.record(Object.fromEntries(op.pathParams.map((p) => [p, segmentArb(idsFor(op, p, ids))])));
      const valid = [...ids.campaigns, ...ids.leadIds, ids.senderId, ids.webhookId];
      await fc.assert(
        fc.asyncProperty(segments, queryArb(op, valid), bodyArb(op.hasBody ? seed : undefined), contentType, async (seg, query, body, type) => {
          // Nothing runs in the background here (no worker), so after a refusal the snapshot taken
          // after it is the next call's "before"; only a success forces a fresh one.
          const before = unchanged ?? (await workspaceSnapshot(deps.db, ws.workspaceId));
          unchanged = undefined;
          const { url, res } = await fire(op, seg, query, body, type);
          requests++;
          expectAnswer(op, url, res);
          if (res.status >= 400) {
            const after = await workspaceSnapshot(deps.db, ws.workspaceId);
            if (after !== before) expect.fail(`${op.method} ${url.slice(0, 200)} answered ${res.status} but wrote: ${JSON.stringify(await workspaceCounts(deps.db, ws.workspaceId))}`);
            unchanged = after;
          }
        }),
        { numRuns: runsFor(op) },
      );
    }
    expect(requests).toBe(operations.reduce((n, op) => n + runsFor(op), 0));
  });

  it('never answers a signed provider event with a 5xx, however malformed its fields (Resend would retry it forever)', async () => {
    const secret = `whsec_${Buffer.from('hostile-input-signing-secret-32b').toString('base64')}`;
    const signed = createApp({ ...deps, config: testConfig({ API_RATE_LIMIT: '0', RESEND_WEBHOOK_SECRET: secret }) });
    const webhook = new Webhook(secret);
    const seeds = [
      { type: 'email.delivered', created_at: '2025-01-01T10:00:00.000Z', data: { email_id: 'resend-fuzz-1', tags: { message_id: ids.messageId } } },
      { type: 'email.bounced', data: { email_id: 'resend-fuzz-1', bounce: { type: 'Permanent', subType: 'General', message: 'no such user' }, tags: [{ name: 'message_id', value: ids.messageId }] } },
      { type: 'email.complained', data: { tags: { message_id: ids.messageId } } },
      { type: 'email.received', created_at: '2025-01-01T10:00:00.000Z', data: { from: 'Ada <ada@acme.com>', to: ['sender@acme.com'], subject: 'Re: Hi', text: 'Out of office', headers: { 'In-Reply-To': '<fuzz-1@acme.com>' } } },
    ];
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (seed, ms) => {
        const payload = JSON.stringify(ms.reduce(mutate, seed)) ?? 'null';
        const id = `msg_fuzz_${Date.now()}_${n++}`;
        const at = new Date();
        const before = await workspaceSnapshot(deps.db, ws.workspaceId);
        const res = await send(signed, 'POST', '/v1/providers/resend/events', {
          headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': webhook.sign(id, at, payload) },
          body: payload,
        });
        expectApiAnswer(res, `signed ${payload.slice(0, 300)}`);
        if (res.status >= 400) expect(await workspaceSnapshot(deps.db, ws.workspaceId)).toBe(before);
      }),
      { numRuns: 60 },
    );
  });

  describe('sizes and nesting', () => {
    const bodyOps = () => operations.filter((op) => op.hasBody && op.auth !== 'none');
    const realPath = (op: Operation) => fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p, encodeSegment(idsFor(op, p, ids)[0]!)])));
    const authFor = (op: Operation) => `Bearer ${op.auth === 'adminToken' ? ADMIN_TOKEN : ws.apiKey}`;

    it('refuses 10,000-level nesting, alone and inside a valid body, with 400/422 and writes nothing', async () => {
      const nested = '['.repeat(10_000) + ']'.repeat(10_000);
      const nestedObject = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
      for (const op of bodyOps()) {
        const seed = JSON.stringify(SEED_BODIES[opKey(op)]!(ids));
        // The first value of the seed replaced by the deep structure: `{"name":[[[[…]]]], …}`.
        const inside = seed.replace(/^(\{"[^"]+":)("[^"]*"|[^,{[]+|\{[^}]*\}|\[[^\]]*\])/, `$1${nested}`);
        expect(inside, opKey(op)).not.toBe(seed);
        for (const text of [nested, nestedObject, inside]) {
          const before = await workspaceSnapshot(deps.db, ws.workspaceId);
          const res = await send(app, op.method, realPath(op), { headers: { authorization: authFor(op), 'content-type': 'application/json' }, body: text });
          expectErrorShape(res, `${opKey(op)} with deep nesting`);
          expect([400, 422], `${opKey(op)}: ${res.text.slice(0, 200)}`).toContain(res.status);
          expect(await workspaceSnapshot(deps.db, ws.workspaceId)).toBe(before);
        }
      }
    });

    it('refuses multi-megabyte strings in every string field with 400/422 and writes nothing', async () => {
      const huge = 'x'.repeat(3 * 1024 * 1024);
      for (const op of bodyOps()) {
        const seed = SEED_BODIES[opKey(op)]!(ids);
        const stringPaths = pathsOf(seed).filter((p) => typeof p.reduce<any>((n, k) => n[k], seed) === 'string');
        expect(stringPaths.length, opKey(op)).toBeGreaterThan(0);
        for (const path of stringPaths) {
          // Header values of a reported reply are read, never stored or length-limited by design.
          if (opKey(op) === 'POST /v1/replies' && path[0] === 'headers') continue;
          const body = mutate(seed, { pick: pathsOf(seed).findIndex((p) => p.join('.') === path.join('.')), action: 'replace', value: huge, key: '' });
          const before = await workspaceSnapshot(deps.db, ws.workspaceId);
          const res = await send(app, op.method, realPath(op), { headers: { authorization: authFor(op), 'content-type': 'application/json' }, body: JSON.stringify(body) });
          const where = `${opKey(op)} with 3 MB in ${path.join('.')}`;
          expectErrorShape(res, where);
          // The admin API's own body limit (64 KB) answers first there; an id nobody has is a 404.
          expect(op.auth === 'adminToken' ? [413] : [400, 404, 422], `${where}: ${res.text.slice(0, 200)}`).toContain(res.status);
          expect(await workspaceSnapshot(deps.db, ws.workspaceId)).toBe(before);
        }
      }
    });

    it('answers a body over the limit with 413 payload_too_large, declared or streamed, and writes nothing', async () => {
      const limits: [string, number][] = [
        ['/v1/', MAX_REQUEST_BYTES],
        ['/admin/', 64 * 1024],
        ['/v1/providers/', 1024 * 1024],
        ['/u/', 16 * 1024],
      ];
      const targets = [
        ...bodyOps(),
        UNDOCUMENTED.find((o) => o.path === '/v1/providers/resend/events')!,
        UNDOCUMENTED.find((o) => o.method === 'POST' && o.path === '/u/{token}')!,
      ];
      for (const op of targets) {
        const limit = [...limits].sort((a, b) => b[0].length - a[0].length).find(([prefix]) => op.path.startsWith(prefix))![1];
        const oversized = `{"name":"${'x'.repeat(limit)}"}`;
        for (const streamed of [false, true]) {
          const before = await workspaceSnapshot(deps.db, ws.workspaceId);
          const init: RequestInit & { duplex?: 'half' } = {
            method: op.method,
            headers: {
              authorization: authFor(op),
              'content-type': 'application/json',
              ...(streamed ? {} : { 'content-length': String(Buffer.byteLength(oversized)) }),
            },
            // A stream has no declared length: the limit must hold while reading, too.
            body: streamed ? new Blob([oversized]).stream() : oversized,
            ...(streamed ? { duplex: 'half' as const } : {}),
          };
          const res = await app.request(realPath(op), init);
          const text = await res.text();
          const where = `${opKey(op)} ${streamed ? 'streamed' : 'declared'} ${oversized.length} bytes`;
          expect(res.status, `${where}: ${text.slice(0, 200)}`).toBe(413);
          expectErrorShape({ status: res.status, text, body: JSON.parse(text), headers: res.headers }, where);
          expect(JSON.parse(text).error.code).toBe('payload_too_large');
          expect(await workspaceSnapshot(deps.db, ws.workspaceId)).toBe(before);
        }
      }
    });
  });

  describe('bytes that are not UTF-8', () => {
    it('decodes invalid UTF-8 with U+FFFD (the WHATWG decoder) and stores only valid text', async () => {
      // "Müller" in Latin-1: the 0xFC byte is not UTF-8.
      const latin1 = new Uint8Array(Buffer.concat([Buffer.from('{"name":"M'), Buffer.from([0xfc]), Buffer.from('ller"}')]));
      const res = await send(app, 'POST', '/v1/campaigns', { headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' }, body: latin1 });
      expect(res.status, res.text).toBe(201);
      expect(res.body.data.name).toBe('M\uFFFDller');
      const [row] = await deps.db.$queryRaw<{ name: string; valid: boolean }[]>`
        SELECT name, name IS NFC NORMALIZED AS valid FROM "Campaign" WHERE id = ${res.body.data.id as string}`;
      expect(row).toEqual({ name: 'M\uFFFDller', valid: true });
    });

    it('refuses NUL and unpaired surrogates in bodies (422, naming the field), paths and queries (400)', async () => {
      const auth = { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' };
      const before = await workspaceSnapshot(deps.db, ws.workspaceId);
      const cases: [string, string, string | undefined, number, string | null][] = [
        ['POST', '/v1/campaigns', JSON.stringify({ name: 'a\u0000b' }), 422, 'name'],
        ['POST', '/v1/campaigns', '{"name":"a\\ud800b"}', 422, 'name'],
        ['POST', `/v1/campaigns/${ids.campaigns[0]}/leads/bulk`, JSON.stringify({ leads: [{ email: 'ok@acme.com' }, { email: 'nul@acme.com', firstName: 'x\u0000' }] }), 422, 'firstName'],
        ['POST', `/v1/campaigns/${ids.campaigns[0]}/leads/bulk`, JSON.stringify({ leads: [{ email: 'key@acme.com', 'ci\u0000ty': 'Berlin' }] }), 422, 'ci\\u0000ty'],
        ['POST', `/v1/campaigns/${ids.campaigns[0]}/leads/bulk`, '{"leads":[{"email":"s@acme.com","customFields":{"city":"\\udfff"}}]}', 422, 'customFields.city'],
        ['POST', '/v1/replies', JSON.stringify({ email: 'ada@acme.com', text: 'hello\u0000' }), 422, 'text'],
        ['PATCH', '/v1/workspace', JSON.stringify({ name: 'x\u0000' }), 422, 'name'],
        ['POST', '/v1/sender-accounts', JSON.stringify({ email: 'n@acme.com', name: 'x\u0000', dailyLimit: 5 }), 422, 'name'],
        ['GET', '/v1/campaigns/%00', undefined, 400, 'id'],
        ['GET', '/v1/campaigns?cursor=%00', undefined, 400, 'cursor'],
        ['GET', `/v1/campaigns/${ids.campaigns[0]}/preview?email=%00`, undefined, 400, 'email'],
        ['DELETE', '/v1/suppression-list/%00', undefined, 400, 'email'],
        ['GET', `/v1/replies?campaignId=%ED%A0%80x`, undefined, 200, null],
      ];
      for (const [method, path, body, status, field] of cases) {
        const res = await send(app, method, path, { headers: auth, ...(body !== undefined ? { body } : {}) });
        expect([method, path, res.status], res.text).toEqual([method, path, status]);
        if (field === null) continue;
        expectErrorShape(res, `${method} ${path}`);
        expect(res.body.errors.map((e: { field: string }) => e.field), res.text).toContain(field);
      }
      const leadsWithIndex = await send(app, 'POST', `/v1/campaigns/${ids.campaigns[0]}/leads/bulk`, {
        headers: auth,
        body: JSON.stringify({ leads: [{ email: 'ok@acme.com' }, { email: 'nul@acme.com', lastName: '\u0000' }] }),
      });
      expect(leadsWithIndex.body.errors).toEqual([{ index: 1, field: 'lastName', message: expect.stringMatching(/NUL/) }]);
      expect(await workspaceSnapshot(deps.db, ws.workspaceId)).toBe(before);
    });

    it('answers unsubscribe links with bytes PostgreSQL refuses with the 404 page', async () => {
      for (const method of ['GET', 'POST']) {
        for (const token of ['%00', '%ED%A0%80', 'a%00b', encodeSegment('<script>')]) {
          const res = await send(app, method, `/u/${token}`);
          expect([method, token, res.status]).toEqual([method, token, 404]);
          expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        }
      }
    });
  });

  describe('the bulk limit', () => {
    it('refuses 10,001 leads in one call with 422 validation_failed on `leads` and writes nothing', async () => {
      const leads = Array.from({ length: 10_001 }, (_, i) => ({ email: `bulk-${i}@limit.example.com`, firstName: `L${i}` }));
      const before = await workspaceSnapshot(deps.db, ws.workspaceId);
      const res = await send(app, 'POST', `/v1/campaigns/${ids.campaigns[0]}/leads/bulk`, {
        headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ leads }),
      });
      expect(res.status, res.text.slice(0, 300)).toBe(422);
      expectErrorShape(res, '10,001 leads');
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.errors).toEqual([{ index: null, field: 'leads', message: expect.stringMatching(/10000/) }]);
      expect(await workspaceSnapshot(deps.db, ws.workspaceId)).toBe(before);
      expect(await deps.db.lead.count({ where: { workspaceId: ws.workspaceId, email: { endsWith: '@limit.example.com' } } })).toBe(0);
    });

    it('accepts exactly 10,000', async () => {
      const leads = Array.from({ length: 10_000 }, (_, i) => ({ email: `bulk-${i}@limit.example.com` }));
      const campaign = await send(app, 'POST', '/v1/campaigns', {
        headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'limit' }),
      });
      const res = await send(app, 'POST', `/v1/campaigns/${campaign.body.data.id}/leads/bulk`, {
        headers: { authorization: `Bearer ${ws.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ leads }),
      });
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      expect(res.body.data).toEqual({ enrolled: 10_000, updated: 0, skipped: 0, total: 10_000 });
    });
  });
});
