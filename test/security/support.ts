import { expect } from 'vitest';
import type { createApp } from '../../src/api/app.js';
import type { Db } from '../../src/db.js';
import { readBody } from '../helpers/read-body.js';

type App = ReturnType<typeof createApp>;

export type Operation = {
  method: string;
  /** OpenAPI template, e.g. `/v1/campaigns/{id}/leads/{leadId}`. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  hasBody: boolean;
  /** `bearerAuth` (workspace key), `adminToken`, or none. */
  auth: 'bearerAuth' | 'adminToken' | 'none';
};

/** Every operation the app documents, read from its own `/openapi.json`. */
export async function documentedOperations(app: App): Promise<Operation[]> {
  const doc = (await (await app.request('/openapi.json')).json()) as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: unknown; security?: Record<string, unknown>[] }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const scheme = Object.keys(op.security?.[0] ?? {})[0];
      return {
        method: method.toUpperCase(),
        path,
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        hasBody: op.requestBody !== undefined,
        auth: scheme === 'bearerAuth' || scheme === 'adminToken' ? scheme : 'none',
      };
    }),
  );
}

/**
 * Every handler the app really routes (Hono's table, middleware excluded), as `METHOD /openapi/{style}`,
 * so a route added without an OpenAPI definition still shows up here.
 */
export function routedEndpoints(app: App): string[] {
  const seen = new Set<string>();
  for (const r of app.routes) {
    if (r.method === 'ALL') continue;
    seen.add(`${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
  }
  return [...seen].sort();
}

export const opKey = (op: Pick<Operation, 'method' | 'path'>) => `${op.method} ${op.path}`;

/** Swagger UI's files under /docs: fixed paths, no input, tested in test/api/docs-assets.test.ts. */
export const isDocsAsset = (endpoint: string) => endpoint.startsWith('GET /docs/assets/');

/** Percent-encodes every byte of the string's UTF-8 form except RFC 3986 unreserved characters. */
export function encodeSegment(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** Raw bytes, percent-encoded as they are (so invalid UTF-8 reaches the server). */
export const encodeBytes = (bytes: Uint8Array) => [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    if (!(name in values)) throw new Error(`no value for path parameter ${name} of ${template}`);
    return values[name]!;
  });
}

export type Reply = { status: number; text: string; body: any; headers: Headers };

export async function send(
  app: App,
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: string | Uint8Array } = {},
): Promise<Reply> {
  const res = await app.request(url, {
    method,
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await readBody(res);
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: the assertions say so */
  }
  return { status: res.status, text, body, headers: res.headers };
}

const SNAKE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
// What a leaked internal error looks like: a stack frame, a driver or ORM message, SQL state.
const INTERNALS = /\n\s+at\s|node_modules|PrismaClient|prisma\.|invalid byte sequence|unsupported Unicode escape|SQLSTATE|ECONNREFUSED|TypeError|RangeError|SyntaxError: /;

/** `{error: {code, message}}`, plus `errors[{index, field, message}]` and nothing else. */
export function expectErrorShape(res: Reply, context: string) {
  const where = `${context} → ${res.status} ${res.text.slice(0, 500)}`;
  expect(res.headers.get('content-type') ?? '', where).toMatch(/^application\/json/);
  const body = res.body as Record<string, unknown>;
  expect(body, where).toBeTypeOf('object');
  expect(Object.keys(body).sort(), where).toEqual(body.errors === undefined ? ['error'] : ['error', 'errors']);
  const error = body.error as Record<string, unknown>;
  expect(Object.keys(error).sort(), where).toEqual(['code', 'message']);
  expect(error.code, where).toMatch(SNAKE);
  expect(typeof error.message === 'string' && error.message.length > 0, where).toBe(true);
  expect(error.message as string, where).not.toMatch(INTERNALS);
  if (body.errors !== undefined) {
    expect(Array.isArray(body.errors), where).toBe(true);
    for (const e of body.errors as Record<string, unknown>[]) {
      expect(Object.keys(e).sort(), where).toEqual(['field', 'index', 'message']);
      expect(e.index === null || Number.isInteger(e.index), where).toBe(true);
      expect(typeof e.field, where).toBe('string');
      expect(typeof e.message, where).toBe('string');
    }
  }
}

/** The API's answer to anything: never a 5xx; errors in the one shape; successes as `{data}`. */
export function expectApiAnswer(res: Reply, context: string) {
  const where = `${context} → ${res.status} ${res.text.slice(0, 500)}`;
  expect(res.status, where).toBeLessThan(500);
  if (res.status >= 400) expectErrorShape(res, context);
  else {
    expect(res.headers.get('content-type') ?? '', where).toMatch(/^application\/json/);
    expect(res.body, where).toHaveProperty('data');
  }
}

/**
 * The tables a workspace owns and how each is reached from the workspace. A table missing here
 * fails `expectSnapshotCoversSchema`, so a new table cannot silently escape the snapshots.
 */
const WORKSPACE_TABLES: Record<string, string> = {
  Workspace: `id = $1`,
  ApiKey: `"workspaceId" = $1`,
  Campaign: `"workspaceId" = $1`,
  SequenceStep: `"campaignId" IN (SELECT id FROM "Campaign" WHERE "workspaceId" = $1)`,
  CampaignCounters: `"campaignId" IN (SELECT id FROM "Campaign" WHERE "workspaceId" = $1)`,
  CampaignStatsBucket: `"campaignId" IN (SELECT id FROM "Campaign" WHERE "workspaceId" = $1)`,
  Lead: `"workspaceId" = $1`,
  Enrollment: `"workspaceId" = $1`,
  Message: `"workspaceId" = $1`,
  ProviderCall: `"messageId" IN (SELECT id FROM "Message" WHERE "workspaceId" = $1)`,
  IdempotencyRecord: `"workspaceId" = $1`,
  Suppression: `"workspaceId" = $1`,
  SenderAccount: `"workspaceId" = $1`,
  SenderDailyUsage: `"senderAccountId" IN (SELECT id FROM "SenderAccount" WHERE "workspaceId" = $1)`,
  CapacityBooking: `key = 'pool:' || $1 OR key IN (SELECT id FROM "SenderAccount" WHERE "workspaceId" = $1) OR key IN (SELECT 'new:' || id FROM "Campaign" WHERE "workspaceId" = $1)`,
  CampaignNewLeads: `"campaignId" IN (SELECT id FROM "Campaign" WHERE "workspaceId" = $1)`,
  WorkspaceDailyCounts: `"workspaceId" = $1`,
  Reply: `"workspaceId" = $1`,
  Event: `"workspaceId" = $1`,
  Webhook: `"workspaceId" = $1`,
  WebhookDelivery: `"webhookId" IN (SELECT id FROM "Webhook" WHERE "workspaceId" = $1)`,
};
/**
 * Not owned by a workspace: provider events are keyed by Svix id; the provider's rate slots belong
 * to the deployment's provider key (every workspace sends through it); migrations are bookkeeping.
 */
const GLOBAL_TABLES = ['ProviderEvent', 'ProviderRate', '_prisma_migrations'];

export async function expectSnapshotCoversSchema(db: Db) {
  const tables = await db.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`;
  const uncovered = tables.map((t) => t.table_name).filter((t) => !(t in WORKSPACE_TABLES) && !GLOBAL_TABLES.includes(t));
  expect(uncovered, 'tables the workspace snapshot does not cover').toEqual([]);
}

const SNAPSHOT_SQL = Object.entries(WORKSPACE_TABLES)
  .map(
    ([table, where]) =>
      `SELECT '${table}' AS t, count(*)::int AS n, md5(coalesce(string_agg(row_to_json(x)::text, E'\\n' ORDER BY row_to_json(x)::text), '')) AS h FROM "${table}" x WHERE ${where}`,
  )
  .join('\nUNION ALL\n');

/** Every row the workspace owns, as one comparable string (row counts and a hash per table). */
export async function workspaceSnapshot(db: Db, workspaceId: string): Promise<string> {
  const rows = await db.$queryRawUnsafe<{ t: string; n: number; h: string }[]>(SNAPSHOT_SQL, workspaceId);
  return rows.map((r) => `${r.t}:${r.n}:${r.h}`).join(' ');
}

/** Table counts only, for readable failure messages. */
export async function workspaceCounts(db: Db, workspaceId: string): Promise<Record<string, number>> {
  const rows = await db.$queryRawUnsafe<{ t: string; n: number }[]>(SNAPSHOT_SQL, workspaceId);
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}
