import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { ADMIN_TOKEN, apiClient, testConfig, testDeps, type TestResponse } from '../helpers/deps.js';
import { documentedOperations, encodeSegment, expectErrorShape, fillPath, type Operation } from './support.js';

/**
 * API keys: revoked and malformed keys are 401 with the error shape and `WWW-Authenticate: Bearer`
 * on every workspace route, before any other work; keys exist at rest only as their SHA-256
 * (docs/decisions.md item 3).
 */

const deps = { ...testDeps(), config: testConfig({ API_RATE_LIMIT: '0' }) };
const app = createApp(deps);
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const sha256 = (s: string) => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');

function expect401(res: TestResponse, what: string) {
  expect(res.status, `${what}: ${JSON.stringify(res.body).slice(0, 200)}`).toBe(401);
  expectErrorShape({ status: res.status, text: JSON.stringify(res.body), body: res.body, headers: res.headers }, what);
  expect(res.body.error.code).toBe('authentication_failed');
  expect(res.headers.get('www-authenticate'), what).toBe('Bearer');
}

describe('API keys', () => {
  let workspaceId: string;
  let key: string;
  let operations: Operation[];
  let campaignId: string;

  beforeAll(async () => {
    const created = await apiClient(app).post('/admin/workspaces', { name: 'keys' }, admin);
    expect(created.status).toBe(201);
    workspaceId = created.body.data.workspace.id;
    key = created.body.data.apiKey;
    campaignId = (await apiClient(app, key).post('/v1/campaigns', { name: 'keys' })).body.data.id;
    operations = (await documentedOperations(app)).filter((op) => op.auth === 'bearerAuth');
  });

  /** Every workspace operation, on a real id where it takes one, with a JSON body where it takes one. */
  const everyOperation = async (headers: Record<string, string>, what: string) => {
    expect(operations.length).toBeGreaterThanOrEqual(24);
    for (const op of operations) {
      const path = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p, encodeSegment(p === 'email' ? 'x@acme.com' : campaignId)])));
      const res = await apiClient(app).raw(op.method, path, op.hasBody ? {} : undefined, headers);
      expect401(res, `${what}: ${op.method} ${path}`);
    }
  };

  it('refuses a revoked key on every workspace operation, and only that key', async () => {
    const second = await apiClient(app).post(`/admin/workspaces/${workspaceId}/api-keys`, undefined, admin);
    expect(second.status).toBe(201);
    const revokedKey: string = second.body.data.apiKey;
    expect((await apiClient(app, revokedKey).get('/v1/campaigns')).status).toBe(200);
    const revoked = await apiClient(app).delete(`/admin/api-keys/${second.body.data.id}`, admin);
    expect(revoked.status).toBe(200);
    await everyOperation({ authorization: `Bearer ${revokedKey}` }, 'revoked key');
    // Revoking again is idempotent, and the other key is unaffected.
    expect((await apiClient(app).delete(`/admin/api-keys/${second.body.data.id}`, admin)).status).toBe(200);
    expect((await apiClient(app, key).get('/v1/campaigns')).status).toBe(200);
    const row = await deps.db.apiKey.findUniqueOrThrow({ where: { id: second.body.data.id } });
    expect(row.revokedAt).toBeInstanceOf(Date);
  });

  it('refuses missing and malformed Authorization headers on every workspace operation', async () => {
    await everyOperation({}, 'no header');
    await everyOperation({ authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` }, 'Basic scheme');
  });

  const MALFORMED: [string, (k: string) => string][] = [
    ['empty header', () => ''],
    ['only the scheme', () => 'Bearer'],
    ['scheme and a space', () => 'Bearer '],
    ['the key without a scheme', (k) => k],
    ['Basic with the key as user', (k) => `Basic ${Buffer.from(`${k}:`).toString('base64')}`],
    ['Basic with the raw key', (k) => `Basic ${k}`],
    ['Token scheme', (k) => `Token ${k}`],
    ['Bearerkey with no space', (k) => `Bearer${k}`],
    ['wrong prefix sk_test_', (k) => `Bearer ${k.replace('sk_live_', 'sk_test_')}`],
    ['wrong prefix pk_live_', (k) => `Bearer ${k.replace('sk_live_', 'pk_live_')}`],
    ['no prefix', (k) => `Bearer ${k.slice('sk_live_'.length)}`],
    ['upper-case prefix', (k) => `Bearer ${k.replace('sk_live_', 'SK_LIVE_')}`],
    ['key one character short', (k) => `Bearer ${k.slice(0, -1)}`],
    ['key one character long', (k) => `Bearer ${k}x`],
    ['too long (129 characters after the prefix)', () => `Bearer sk_live_${'a'.repeat(129)}`],
    ['far too long (64 KB)', () => `Bearer sk_live_${'a'.repeat(65_536)}`],
    ['two keys', (k) => `Bearer ${k} ${k}`],
    ['key with a space inside', (k) => `Bearer ${k.slice(0, 20)} ${k.slice(20)}`],
    ['comma-separated credentials', (k) => `Bearer ${k}, Bearer ${k}`],
    ['quoted key', (k) => `Bearer "${k}"`],
    ['lower-case bearer with an unknown key', () => `bearer sk_live_${'z'.repeat(40)}`],
    ['lower-case bearer with a short key', () => 'bearer sk_live_short'],
    ['unknown well-formed key', () => `Bearer sk_live_${'Q'.repeat(40)}`],
  ];

  it.each(MALFORMED)('refuses %s with 401, the error shape and WWW-Authenticate', async (name, header) => {
    // The real key in the query string changes nothing: only the Authorization header counts.
    const res = await apiClient(app).get(`/v1/campaigns?api_key=${encodeURIComponent(key)}&key=${encodeURIComponent(key)}`, { authorization: header(key) });
    expect401(res, name);
  });

  it('refuses keys with non-ASCII characters (as raw UTF-8 bytes in the header) with 401', async () => {
    // fetch only carries Latin-1 header values; a server receives other characters as raw bytes,
    // which is what this sends: the UTF-8 of the character, one byte per Latin-1 code unit.
    const asHeader = (s: string) => String.fromCharCode(...Buffer.from(s, 'utf8'));
    for (const header of [
      `Bearer ${key.slice(0, -1)}é`,
      `Bearer ${key.slice(0, -2)}Ｋ`,
      `Bearer sk_live_${'ä'.repeat(40)}`,
      `Bearer ${key.replace('_', '\u00a0')}`,
      `Bearer ${key}\u00a0`,
    ]) {
      const res = await apiClient(app).get('/v1/campaigns', { authorization: asHeader(header) });
      expect401(res, JSON.stringify(header));
    }
  });

  it('accepts what RFC 6750/7235 allow: any case of "Bearer", several spaces or a tab before the key', async () => {
    // The auth scheme is case-insensitive and 1*SP separates it from the token (RFC 7235 §2.1),
    // so these are well-formed credentials, not malformed ones.
    for (const header of [`bearer ${key}`, `BEARER ${key}`, `Bearer  ${key}`, `Bearer \t ${key}`, `Bearer ${key} `]) {
      const res = await apiClient(app).get('/v1/campaigns', { authorization: header });
      expect([JSON.stringify(header), res.status]).toEqual([JSON.stringify(header), 200]);
    }
  });

  it('refuses any mangled form of a real key (property)', async () => {
    const mangled = fc
      .tuple(fc.nat({ max: key.length - 1 }), fc.constantFrom('drop', 'swap', 'insert', 'case'), fc.constantFrom('a', 'Z', '0', '_', '-', ' ', '.'))
      .map(([i, how, ch]) => {
        if (how === 'drop') return key.slice(0, i) + key.slice(i + 1);
        if (how === 'insert') return key.slice(0, i) + ch + key.slice(i);
        if (how === 'case') {
          const c = key.charAt(i);
          return key.slice(0, i) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + key.slice(i + 1);
        }
        return key.slice(0, i) + (key[i] === ch ? 'b' : ch) + key.slice(i + 1);
      })
      .filter((k) => k !== key);
    await fc.assert(
      fc.asyncProperty(mangled, async (candidate) => {
        const res = await apiClient(app).get('/v1/campaigns', { authorization: `Bearer ${candidate}` });
        // A trailing space is still the real key (RFC 7235 OWS); anything else is refused.
        if (candidate.trim() === key) expect(res.status).toBe(200);
        else expect401(res, JSON.stringify(candidate));
      }),
      { numRuns: 100 },
    );
  });

  describe('at rest', () => {
    it('stores no key in plain text anywhere in the database, only its SHA-256', async () => {
      const created = await apiClient(app).post('/admin/workspaces', { name: 'at rest' }, admin);
      const ws: string = created.body.data.workspace.id;
      const second = await apiClient(app).post(`/admin/workspaces/${ws}/api-keys`, undefined, admin);
      const keys: string[] = [created.body.data.apiKey, second.body.data.apiKey];
      // Use the keys so anything that might record them (idempotency records, events) has run.
      for (const [i, k] of keys.entries()) {
        expect((await apiClient(app, k).post('/v1/campaigns', { name: 'with idempotency' }, { 'idempotency-key': `at-rest-${i}` })).status).toBe(201);
      }

      const rows = await deps.db.$queryRaw<Record<string, unknown>[]>`SELECT * FROM "ApiKey" WHERE "workspaceId" = ${ws} ORDER BY id`;
      expect(rows).toHaveLength(2);
      for (const [i, row] of rows.entries()) {
        const plain = keys[i]!;
        expect(row.keyHash).toBe(sha256(plain));
        expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
        for (const [column, value] of Object.entries(row)) {
          const text = value instanceof Date ? value.toISOString() : String(value);
          expect(text.includes(plain), `ApiKey.${column} holds the key`).toBe(false);
          // Not even the secret part: at most the documented display prefix (sk_live_ + 4 characters).
          expect(text.includes(plain.slice('sk_live_'.length, 'sk_live_'.length + 12)), `ApiKey.${column} holds part of the key`).toBe(false);
        }
        expect(row.prefix).toBe(plain.slice(0, 12));
      }

      // No other table holds it either.
      const tables = await deps.db.$queryRaw<{ table_name: string }[]>`
        SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`;
      for (const { table_name } of tables) {
        for (const plain of keys) {
          const [hit] = await deps.db.$queryRawUnsafe<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM "${table_name}" t WHERE strpos(row_to_json(t)::text, $1) > 0`,
            plain.slice('sk_live_'.length),
          );
          expect(hit!.n, `${table_name} holds an API key`).toBe(0);
        }
      }
    });

    it('authenticates by the hash: a row whose hash is the SHA-256 of a key makes that key valid', async () => {
      // The lookup is by SHA-256, so the stored hash is exactly what authenticates.
      const plain = `sk_live_${'H'.repeat(20)}${Date.now()}${'h'.repeat(8)}`;
      await deps.db.apiKey.create({ data: { id: `key_manual${Date.now()}`, workspaceId, keyHash: sha256(plain), prefix: plain.slice(0, 12) } });
      expect((await apiClient(app, plain).get('/v1/workspace')).body.data.id).toBe(workspaceId);
    });
  });
});
