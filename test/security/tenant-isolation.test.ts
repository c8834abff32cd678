import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { newId } from '../../src/domain/ids.js';
import { ADMIN_TOKEN, apiClient, newWorkspace, testConfig, testDeps, type TestResponse } from '../helpers/deps.js';
import { documentedOperations, encodeSegment, expectErrorShape, expectSnapshotCoversSchema, fillPath, opKey, routedEndpoints, workspaceSnapshot, type Operation, isDocsAsset } from './support.js';

/**
 * Two workspaces, A and B, each with campaigns, leads, enrollments, messages, senders, webhooks and
 * their deliveries, replies, events and suppressions. Every operation is taken from the app's own
 * OpenAPI document; every place it takes an id (path, query, body) is called with A's key and B's
 * ids: the answer is 404 in the error shape (or, for filters and cursors, A's own data only), no byte
 * of B appears in it, and neither workspace changes. An id-taking place this file does not know
 * fails the test.
 */

type Tenant = Awaited<ReturnType<typeof buildTenant>>;

const deps = { ...testDeps(), config: testConfig({ API_RATE_LIMIT: '0' }) };
const app = createApp(deps);
const STEP = { delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>{{company}}</p>' };

async function buildTenant(tag: 'a' | 'b') {
  const ws = await newWorkspace(deps.db, `iso-${tag}`);
  const api = apiClient(app, ws.apiKey);
  const ok = (res: TestResponse) => {
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    return res.body.data;
  };
  const marker = `${tag.toUpperCase()}-SECRET-${Math.random().toString(36).slice(2, 10)}`;
  const domain = `${tag}-${marker.toLowerCase()}.example.com`;
  const emails = [`ada@${domain}`, `bob@${domain}`, `cy@${domain}`];
  const draft = ok(await api.post('/v1/campaigns', { name: `${marker} draft`, sequenceSteps: [STEP] })).id as string;
  const running = ok(await api.post('/v1/campaigns', { name: `${marker} running`, sequenceSteps: [STEP, { ...STEP, delayDays: 2 }] })).id as string;
  ok(await api.post(`/v1/campaigns/${draft}/leads/bulk`, { leads: emails.map((email) => ({ email, firstName: marker, company: marker })) }));
  ok(await api.post(`/v1/campaigns/${running}/leads/bulk`, { leads: emails.slice(0, 2).map((email) => ({ email })) }));
  ok(await api.post(`/v1/campaigns/${running}/start`));
  const leads = await deps.db.lead.findMany({ where: { workspaceId: ws.workspaceId }, orderBy: { email: 'asc' } });
  const enrollments = await deps.db.enrollment.findMany({ where: { workspaceId: ws.workspaceId } });
  const first = enrollments.find((e) => e.campaignId === running && e.leadId === leads[0]!.id)!;
  const message = await deps.db.message.create({
    data: {
      id: newId('msg'),
      workspaceId: ws.workspaceId,
      campaignId: running,
      enrollmentId: first.id,
      leadId: first.leadId,
      stepNumber: 1,
      idempotencyKey: `${first.id}/1`,
      toEmail: emails[0]!,
      fromEmail: `sales@${domain}`,
      subject: `Hi ${marker}`,
      bodyHtml: `<p>${marker}</p>`,
      status: 'delivered',
      sentAt: new Date(),
      deliveredAt: new Date(),
      rfcMessageId: `<${newId('msg')}@${domain}>`,
      unsubscribeToken: `tok${marker.replace(/[^A-Za-z0-9]/g, '')}xxxxxxxxxxxxxxxx`,
    },
  });
  const sender = ok(await api.post('/v1/sender-accounts', { email: `sales@${domain}`, name: marker, dailyLimit: 100 }));
  const webhook = ok(await api.post('/v1/webhooks', { url: `https://hooks.${domain}/${marker}`, events: ['reply.received', 'campaign.started'] }));
  ok(await api.post('/v1/suppression-list', { emails: [`gone@${domain}`] }));
  const reply = ok(await api.post('/v1/replies', { email: emails[1], campaignId: running, subject: `Re: ${marker}`, text: `Sounds good, ${marker}` }));
  const events = await deps.db.event.findMany({ where: { workspaceId: ws.workspaceId } });
  expect(events.length).toBeGreaterThan(0);
  const delivery = await deps.db.webhookDelivery.create({
    data: { id: newId('whd'), webhookId: webhook.id, eventId: events[0]!.id, eventType: events[0]!.type, attempt: 1, succeeded: false, responseStatus: 500, error: marker, durationMs: 5, attemptedAt: new Date() },
  });
  const keyRow = await deps.db.apiKey.findFirstOrThrow({ where: { workspaceId: ws.workspaceId } });
  return {
    ...ws,
    api,
    marker,
    campaigns: { draft, running },
    leads: leads.map((l) => l.id),
    emails,
    suppressed: `gone@${domain}`,
    senderId: sender.id as string,
    senderEmail: `sales@${domain}`,
    webhookId: webhook.id as string,
    webhookSecret: webhook.secret as string,
    replyId: reply.id as string,
    enrollmentIds: enrollments.map((e) => e.id),
    messageId: message.id,
    unsubscribeToken: message.unsubscribeToken!,
    eventIds: events.map((e) => e.id),
    deliveryId: delivery.id,
    keyId: keyRow.id,
    /** Everything that identifies this tenant's data: none of it may appear in another's answers. */
    secrets(): string[] {
      return [
        ws.workspaceId,
        ws.apiKey,
        keyRow.id,
        marker,
        domain,
        draft,
        running,
        ...leads.map((l) => l.id),
        ...enrollments.map((e) => e.id),
        message.id,
        sender.id,
        webhook.id,
        webhook.secret,
        reply.id,
        ...events.map((e) => e.id),
        delivery.id,
      ];
    },
  };
}

/** The ids of one tenant a path parameter takes, by route. Unknown parameters fail the test. */
function pathIds(op: Operation, param: string, t: Tenant): string[] {
  if (op.path.startsWith('/v1/campaigns/') && param === 'id') return [t.campaigns.draft, t.campaigns.running];
  // A lead is named by its id or its address: B's address must be as unknown to A as B's id.
  if (op.path.startsWith('/v1/campaigns/') && param === 'leadId') return [t.leads[0]!, t.emails[0]!];
  if (op.path.startsWith('/v1/leads/') && param === 'lead') return [t.leads[0]!, t.emails[0]!];
  if (param in NON_ID_PATH) return [NON_ID_PATH[param]!];
  if (op.path.startsWith('/v1/sender-accounts/') && param === 'id') return [t.senderId];
  if (op.path.startsWith('/v1/webhooks/') && param === 'id') return [t.webhookId];
  if (op.path.startsWith('/v1/suppression-list/') && param === 'email') return [t.suppressed];
  if (op.path.startsWith('/v1/api-keys/') && param === 'id') return [t.keyId];
  throw new Error(`${opKey(op)}: path parameter "${param}" takes an id this test does not know; add it to pathIds`);
}

/** Query parameters that carry no id; every other one must be covered in QUERY_CASES. */
const NON_ID_QUERY = new Set(['limit', 'status', 'classification', 'type', 'return', 'groupBy', 'from', 'to']);
/** Path parameters that carry no id (a step's position within the campaign the path names). */
const NON_ID_PATH: Record<string, string> = { stepNumber: '1' };
const ID_QUERY = new Set(['cursor', 'leadId', 'email', 'campaignId', 'after']);

/** A valid body per operation that takes one, and where B's ids go in it. */
const BODIES: Record<string, { valid: (a: Tenant) => unknown; crossing?: (a: Tenant, b: Tenant) => { body: unknown; expect: 'not_found' | 'own_data' }[] }> = {
  'POST /v1/campaigns': { valid: () => ({ name: 'mine', sequenceSteps: [STEP] }) },
  'POST /v1/campaigns/{id}/steps/{stepNumber}/variants': { valid: () => ({ subject: 'hijacked', bodyHtml: '<p>x</p>' }) },
  'PATCH /v1/campaigns/{id}': { valid: () => ({ name: 'hijacked', sequenceSteps: [STEP], settings: { stopCompanyOnReply: true } }) },
  'POST /v1/campaigns/{id}/leads/bulk': {
    valid: (a) => ({ leads: [{ email: a.emails[0], firstName: 'hijacked' }] }),
    // B's addresses enrolled by A are A's own new leads: B's fields are neither read nor touched.
    crossing: (_a, b) => [{ body: { leads: b.emails.map((email) => ({ email, firstName: 'A wrote this' })) }, expect: 'own_data' }],
  },
  'POST /v1/sender-accounts': {
    valid: () => ({ email: 'own-sender@a.example.com', name: 'A', dailyLimit: 1 }),
    // B having this sender must not make it a conflict (a 409 would tell A that B exists).
    crossing: (_a, b) => [{ body: { email: b.senderEmail, name: 'A', dailyLimit: 1 }, expect: 'own_data' }],
  },
  'PATCH /v1/sender-accounts/{id}': { valid: () => ({ name: 'hijacked', dailyLimit: 1, status: 'paused' }) },
  'PATCH /v1/workspace': { valid: () => ({ name: 'A renamed' }) },
  'POST /v1/replies': {
    valid: (a) => ({ email: a.emails[0], campaignId: a.campaigns.running, text: 'Please unsubscribe me' }),
    crossing: (a, b) => [
      { body: { email: b.emails[0], campaignId: b.campaigns.running, text: 'Please unsubscribe me' }, expect: 'not_found' },
      { body: { email: b.emails[0], text: 'Please unsubscribe me' }, expect: 'not_found' },
      { body: { email: a.emails[0], campaignId: b.campaigns.running, text: 'Please unsubscribe me' }, expect: 'not_found' },
    ],
  },
  'POST /v1/suppression-list': {
    valid: () => ({ emails: ['someone@a.example.com'] }),
    // A may suppress any address for itself; B's leads and enrollments must not stop.
    crossing: (_a, b) => [{ body: { emails: [...b.emails, b.suppressed] }, expect: 'own_data' }],
  },
  'POST /v1/api-keys': { valid: () => ({ scopes: ['read'] }) },
  'POST /v1/webhooks': {
    valid: () => ({ url: 'https://a.example.com/hook', events: ['message.sent'] }),
    crossing: (_a, b) => [{ body: { url: `https://hooks.${b.emails[0]!.split('@')[1]}/x`, events: ['message.sent'] }, expect: 'own_data' }],
  },
};

/** Routes that take something id-like but are not tenant-scoped, and why. */
const NOT_TENANT_SCOPED: Record<string, string> = {
  'POST /admin/workspaces': 'operator API: ADMIN_TOKEN, not a workspace key (a workspace key is refused below)',
  'POST /admin/workspaces/{id}/api-keys': 'operator API',
  'DELETE /admin/api-keys/{id}': 'operator API',
  'GET /u/{token}': 'the unsubscribe token is the capability; it is 24 random bytes and names no workspace',
  'POST /u/{token}': 'as above',
  'POST /v1/providers/resend/events': 'authenticated by the Svix signature, applied by message id',
};

describe('tenant isolation', () => {
  let a: Tenant;
  let b: Tenant;
  let operations: Operation[];
  const covered = new Map<string, number>();

  beforeAll(async () => {
    [a, b] = [await buildTenant('a'), await buildTenant('b')];
    operations = (await documentedOperations(app)).filter((op) => op.auth === 'bearerAuth');
  });

  const snapshots = async () => `${await workspaceSnapshot(deps.db, a.workspaceId)}\n${await workspaceSnapshot(deps.db, b.workspaceId)}`;

  function expectNoLeak(res: TestResponse, what: string, secrets = b.secrets()) {
    const text = JSON.stringify(res.body);
    expect(secrets.filter((s) => text.includes(s)), `${what} leaked B's data: ${text.slice(0, 400)}`).toEqual([]);
  }

  /** `sent`: what A put in the request itself; an error may repeat that back, it is no leak. */
  function expectNotFound(res: TestResponse, what: string, sent = '') {
    expect(res.status, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(404);
    expectErrorShape({ status: res.status, text: JSON.stringify(res.body), body: res.body, headers: res.headers }, what);
    // Every thing named in a path has its own `<thing>_not_found` code (docs/decisions.md, 39).
    expect(['campaign_not_found', 'lead_not_found', 'webhook_not_found', 'sender_account_not_found', 'suppressed_address_not_found', 'api_key_not_found']).toContain(res.body.error.code);
    expectNoLeak(res, what, b.secrets().filter((s) => !sent.includes(s)));
  }

  const call = (op: Operation, path: string, body?: unknown) => a.api.raw(op.method, path, body);

  it('the snapshot covers every table, and every routed endpoint is documented or explicitly not tenant-scoped', async () => {
    await expectSnapshotCoversSchema(deps.db);
    const documented = new Set((await documentedOperations(app)).map(opKey));
    // The console's page and assets hold no data: it reads the workspace's through /v1 like any client.
    const operational = ['GET /healthz', 'GET /readyz', 'GET /openapi.json', 'GET /docs', 'GET /', 'GET /console/app.js', 'GET /console/app.css'];
    const unknown = routedEndpoints(app).filter((e) => !documented.has(e) && !(e in NOT_TENANT_SCOPED) && !operational.includes(e) && !isDocsAsset(e));
    expect(unknown, 'routes neither in the OpenAPI document nor classified here').toEqual([]);
  });

  it("answers every id in a path with B's id 404, leaks nothing and changes nothing", async () => {
    for (const op of operations.filter((o) => o.pathParams.length > 0)) {
      // Every assignment of A's and B's ids to the parameters with at least one of B's.
      const choices = op.pathParams.map((p) =>
        p in NON_ID_PATH ? [{ p, id: NON_ID_PATH[p]!, owner: 'a' }] : [...pathIds(op, p, a).map((id) => ({ p, id, owner: 'a' })), ...pathIds(op, p, b).map((id) => ({ p, id, owner: 'b' }))],
      );
      const combos = choices.reduce<{ p: string; id: string; owner: string }[][]>((acc, options) => acc.flatMap((c) => options.map((o) => [...c, o])), [[]]);
      const body = op.hasBody ? BODIES[opKey(op)]?.valid(a) : undefined;
      if (op.hasBody) expect(body, `${opKey(op)} needs a BODIES entry`).toBeDefined();
      for (const combo of combos.filter((c) => c.some((x) => x.owner === 'b'))) {
        // A required query (the preview's lead) names A's own lead, so only the path crosses.
        const query = op.queryParams.includes('leadId') ? `?leadId=${a.leads[0]}` : '';
        const path = fillPath(op.path, Object.fromEntries(combo.map((x) => [x.p, encodeSegment(x.id)]))) + query;
        const before = await snapshots();
        const res = await call(op, path, body);
        expectNotFound(res, `${op.method} ${path}`);
        expect(await snapshots(), `${op.method} ${path} changed a workspace`).toBe(before);
        covered.set(opKey(op), (covered.get(opKey(op)) ?? 0) + 1);
      }
      // The same call on A's own ids works, so the 404 above is the tenancy check (read-only routes).
      if (op.method === 'GET') {
        const own = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p, encodeSegment(pathIds(op, p, a)[0]!)])));
        const res = await call(op, op.queryParams.includes('leadId') ? `${own}?leadId=${a.leads[0]}` : own);
        expect(res.status, `${op.method} ${own}: ${JSON.stringify(res.body).slice(0, 200)}`).toBe(200);
      }
    }
  });

  it("answers B's ids in query parameters with 404 or A's own data only", async () => {
    for (const op of operations) {
      for (const param of op.queryParams) {
        if (NON_ID_QUERY.has(param)) continue;
        expect(ID_QUERY.has(param), `${opKey(op)}: query parameter "${param}" is not classified as id or non-id`).toBe(true);
        const basePath = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p, encodeSegment(pathIds(op, p, a)[1] ?? pathIds(op, p, a)[0]!)])));
        const values =
          param === 'cursor'
            ? [...b.secrets().filter((s) => /^[a-z]+_[0-9a-z]{26}$/.test(s)), b.suppressed, b.emails[0]!]
            : param === 'leadId'
              ? b.leads
              : param === 'email'
                ? [...b.emails, b.suppressed]
                : param === 'after'
                  ? b.eventIds
                  : [b.campaigns.draft, b.campaigns.running];
        for (const value of values) {
          const path = `${basePath}?${param}=${encodeSegment(value)}`;
          const before = await snapshots();
          const res = await call(op, path);
          if (param === 'leadId' || param === 'email') expectNotFound(res, `${op.method} ${path}`);
          else if (param === 'after') {
            // B's event is no cursor in A's feed: refused as unknown, telling nothing about B.
            expect([res.status, res.body.error?.code], `${op.method} ${path}`).toEqual([422, 'validation_failed']);
            expectNoLeak(res, `${op.method} ${path}`, b.secrets().filter((s) => s !== value));
          } else {
            // A filter or a cursor from B narrows A's own list; it never reaches B's rows.
            expect(res.status, `${op.method} ${path}`).toBe(200);
            expectNoLeak(res, `${op.method} ${path}`);
            if (param === 'campaignId') expect(res.body.data).toEqual([]);
          }
          expect(await snapshots(), `${op.method} ${path} changed a workspace`).toBe(before);
          covered.set(`${opKey(op)} ?${param}`, (covered.get(`${opKey(op)} ?${param}`) ?? 0) + 1);
        }
      }
    }
  });

  it("lists only A's data on every list and read endpoint", async () => {
    for (const op of operations.filter((o) => o.method === 'GET' && o.pathParams.length === 0)) {
      const res = await call(op, op.path);
      expect(res.status, opKey(op)).toBe(200);
      expectNoLeak(res, opKey(op));
      covered.set(opKey(op), (covered.get(opKey(op)) ?? 0) + 1);
    }
    const workspace = await a.api.get('/v1/workspace');
    expect(workspace.body.data.id).toBe(a.workspaceId);
  });

  it("keeps B untouched when A's bodies name B's ids or B's addresses", async () => {
    const cases = operations
      .filter((o) => o.hasBody)
      .flatMap((op) => {
        const entry = BODIES[opKey(op)];
        expect(entry, `${opKey(op)} takes a body; add it to BODIES (with crossing cases if the body can carry an id)`).toBeDefined();
        return (entry!.crossing?.(a, b) ?? []).map((crossing) => ({ op, crossing }));
      })
      // Refusals first: the accepted cases give A leads of its own with B's addresses.
      .sort((x, y) => (x.crossing.expect === 'not_found' ? 0 : 1) - (y.crossing.expect === 'not_found' ? 0 : 1));
    for (const { op, crossing } of cases) {
      const path = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p, encodeSegment(pathIds(op, p, a)[0]!)])));
      {
        const beforeB = await workspaceSnapshot(deps.db, b.workspaceId);
        const beforeA = await workspaceSnapshot(deps.db, a.workspaceId);
        const res = await call(op, path, crossing.body);
        const what = `${op.method} ${path} ${JSON.stringify(crossing.body).slice(0, 120)}`;
        if (crossing.expect === 'not_found') {
          expectNotFound(res, what, JSON.stringify(crossing.body));
          expect(await workspaceSnapshot(deps.db, a.workspaceId), `${what} changed A`).toBe(beforeA);
        } else {
          expect(res.status, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(300);
          // A's own records may now hold B's addresses (A wrote them); B's ids, names and secrets never appear.
          expectNoLeak(res, what, b.secrets().filter((s) => !s.includes('.example.com') && !s.startsWith(b.marker.toLowerCase())));
          if (opKey(op) === 'POST /v1/campaigns/{id}/leads/bulk') expect(res.body.data).toEqual({ enrolled: b.emails.length, updated: 0, skipped: 0, total: b.emails.length });
        }
        expect(await workspaceSnapshot(deps.db, b.workspaceId), `${what} changed B`).toBe(beforeB);
        covered.set(`${opKey(op)} body`, (covered.get(`${opKey(op)} body`) ?? 0) + 1);
      }
    }
  });

  it("refuses A's workspace key on the operator API and B's resources stay B's", async () => {
    for (const [method, path] of [
      ['POST', '/admin/workspaces'],
      ['POST', `/admin/workspaces/${b.workspaceId}/api-keys`],
      ['DELETE', `/admin/api-keys/${b.keyId}`],
    ] as const) {
      const before = await workspaceSnapshot(deps.db, b.workspaceId);
      const res = await a.api.raw(method, path, method === 'POST' && path === '/admin/workspaces' ? { name: 'x' } : undefined);
      expect([method, path, res.status, res.body.error?.code]).toEqual([method, path, 401, 'authentication_failed']);
      expect(await workspaceSnapshot(deps.db, b.workspaceId)).toBe(before);
    }
    // And the operator token is no workspace key.
    const res = await apiClient(app, ADMIN_TOKEN).get('/v1/campaigns');
    expect(res.status).toBe(401);
  });

  it('covered every tenant-scoped id-taking place (summary)', () => {
    const idTaking = operations.filter((op) => op.pathParams.length > 0 || op.queryParams.some((q) => ID_QUERY.has(q)));
    const missing = idTaking.filter((op) => ![...covered.keys()].some((k) => k.startsWith(opKey(op))));
    expect(missing.map(opKey)).toEqual([]);
    expect(idTaking.length).toBeGreaterThanOrEqual(20);
  });
});
