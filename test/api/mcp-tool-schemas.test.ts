import { describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/mcp/catalog.js';
import { headerArgument } from '../../src/mcp/tools.js';
import { testApp } from '../helpers/deps.js';

type Schema = { $ref?: string; properties?: Record<string, Schema>; required?: string[]; type?: unknown; allOf?: Schema[]; description?: string; items?: Schema; anyOf?: Schema[] };
type Operation = { parameters?: { name: string; in: string; required?: boolean }[]; requestBody?: { content: { 'application/json': { schema: Schema } } } };

/** Tool schemas against the REST validators as /openapi.json documents them: no drift either way. */
describe('MCP tool input schemas', () => {
  it('are the REST routes\' own parameters and body fields, with the same required ones', async () => {
    const { app, apiKey } = await testApp();
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
    const resolve = (s: Schema): Schema => (s.$ref ? resolve(doc.components.schemas[s.$ref.split('/').pop()!]!) : s);
    const res = await app.request('/mcp', {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    const listed = ((await res.json()) as { result: { tools: { name: string; inputSchema: Schema; description?: string }[] } }).result.tools;
    expect(listed.map((t) => t.name).sort()).toEqual(TOOLS.map((t) => t.name).sort());

    for (const spec of TOOLS) {
      const tool = listed.find((t) => t.name === spec.name)!;
      const operation = doc.paths[spec.path]![spec.method]!;
      const params = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => spec.params?.[p.name] ?? p.name);
      const query = (operation.parameters ?? []).filter((p) => p.in === 'query');
      const headers = (operation.parameters ?? []).filter((p) => p.in === 'header').map((p) => headerArgument(p.name));
      const body = operation.requestBody ? resolve(operation.requestBody.content['application/json'].schema) : { properties: {}, required: [] };
      // A lead tool takes the lead by leadId or by email: neither is required alone.
      const byEmail = params.includes('leadId') ? ['email'] : [];
      const expected = [...params, ...byEmail, ...headers, ...query.map((p) => p.name), ...Object.keys(body.properties ?? {}), ...(spec.confirm ? ['confirm'] : [])];
      expect(Object.keys(tool.inputSchema.properties ?? {}).sort(), spec.name).toEqual(expected.sort());
      const required = [...params.filter((p) => p !== 'leadId'), ...query.filter((p) => p.required).map((p) => p.name), ...(body.required ?? [])];
      expect((tool.inputSchema.required ?? []).sort(), `${spec.name} required`).toEqual(required.sort());
      for (const [name, schema] of Object.entries(body.properties ?? {})) {
        expect(typesOf(resolve(tool.inputSchema.properties![name]!)), `${spec.name}.${name}`).toEqual(typesOf(resolve(schema)));
      }
      expect(tool.description, spec.name).toBeTruthy();
      expect(tool.description, `${spec.name} speaks of a request body`).not.toMatch(/request body/i);
      expect(undescribed(tool.inputSchema), `${spec.name}: arguments without a description`).toEqual([]);
    }
  });
});

/** A schema's JSON types, however it writes them (`type: ["object", "null"]` or an anyOf). */
function typesOf(schema: Schema): string[] {
  const own = ([] as unknown[]).concat(schema.type ?? []).map(String);
  return [...new Set([...own, ...(schema.anyOf ?? []).flatMap(typesOf)])].sort();
}

/**
 * What an agent with only the tools cannot see or use: HTTP methods and paths, HTTP headers, status
 * codes (a three-digit 2xx–5xx number said as one). Mail headers (`Auto-Submitted`) are the mail's own.
 */
const REST_TALK = [
  /\b(GET|POST|PATCH|PUT|DELETE)\b/,
  /\/v1\b|\/(campaigns|leads|events|webhooks|replies|api-keys|sender-accounts)\b|…\//,
  /Idempotency-Key|If-Match|\bETag\b|Idempotent-Replayed|Retry-After|Last-Event-ID|Content-Type|Location header|\bheader Idempotent/i,
  /\b(4[0-2][0-9]|50[0-9])\b|\b20[0-9] (OK|Created)\b/,
];

/** Every description under a schema that speaks REST, with where it is. */
function restTalk(schema: unknown, at: string): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const own = (schema as { description?: unknown }).description;
  const found = typeof own === 'string' && REST_TALK.some((r) => r.test(own)) ? [`${at}: ${own}`] : [];
  return [...found, ...Object.entries(schema).flatMap(([key, value]) => (key === 'description' || key === 'examples' ? [] : restTalk(value, `${at}.${key}`)))];
}

/** REST routes no tool stands for, and why: an agent has another way, or it is not a workspace's to call. */
const NOT_TOOLS: Record<string, string> = {
  'get /v1/events/stream': 'a stream of Server-Sent Events; list_events with after is the same feed, polled',
  'post /v1/providers/resend/events': "the mail provider's own callback",
  'get /v1/guide': 'the agent guide, which MCP offers as the prompt run_campaign_safely and the resource sequent://guide',
};

describe('MCP tools speak to agents', () => {
  it('in names, descriptions and arguments that never mention HTTP paths, methods, headers or status codes', async () => {
    const { app, apiKey } = await testApp();
    const res = await app.request('/mcp', {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    const tools = ((await res.json()) as { result: { tools: { name: string; description: string; inputSchema: unknown; outputSchema?: unknown; annotations?: Record<string, unknown> }[] } }).result.tools;
    const talk = tools.flatMap((t) => [...restTalk({ description: t.description }, t.name), ...restTalk(t.inputSchema, `${t.name}.input`), ...restTalk(t.outputSchema, `${t.name}.output`)]);
    expect(talk).toEqual([]);
    for (const t of tools) {
      expect(t.outputSchema, `${t.name} has an output schema`).toBeTruthy();
      expect(undescribed(t.outputSchema as Schema), `${t.name}: output fields without a description`).toEqual([]);
      expect(Object.keys(t.annotations ?? {}).sort(), t.name).toEqual(['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint', 'title']);
      if (t.annotations!.readOnlyHint) expect([t.annotations!.destructiveHint, t.annotations!.idempotentHint], t.name).toEqual([false, true]);
    }
  });

  it('one for every call of the API a workspace key can make', async () => {
    const { app } = await testApp();
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const covered = new Set(TOOLS.map((t) => `${t.method} ${t.path}`));
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
    const missing = routes.filter((r) => !covered.has(r) && !NOT_TOOLS[r] && !r.includes(' /admin/'));
    expect(missing).toEqual([]);
  });
});

/** Every field under a tool's input, nested objects and array items included, that says nothing about itself. */
function undescribed(schema: Schema, path = ''): string[] {
  const missing: string[] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const at = path ? `${path}.${name}` : name;
    const options = [field, ...(field.anyOf ?? [])];
    if (!options.some((o) => o.description)) missing.push(at);
    for (const option of options) {
      missing.push(...undescribed(option, at));
      if (option.items) missing.push(...undescribed(option.items, `${at}[]`));
    }
  }
  return missing;
}

describe('add_leads rows, loosened for the tool only', () => {
  it('stay one level deep however many servers are built, and REST still refuses a bad row', async () => {
    const { app, apiKey, api } = await testApp();
    const rowsSchema = async () => {
      const res = await app.request('/mcp', {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      const tools = ((await res.json()) as { result: { tools: { name: string; inputSchema: Schema }[] } }).result.tools;
      return tools.find((t) => t.name === 'add_leads')!.inputSchema.properties!.leads!.items!;
    };
    await rowsSchema();
    const items = await rowsSchema();
    expect(items.anyOf).toHaveLength(2);
    expect(items.anyOf!.map((o) => o.anyOf)).toEqual([undefined, undefined]);

    const id = (await api.post('/v1/campaigns', { name: 'rows', sequenceSteps: [{ delayDays: 0, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    const refused = await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'ok@acme.io' }, { email: 'not an address' }] });
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0]).toMatchObject({ index: 1, field: 'email' });
    expect((await api.get(`/v1/campaigns/${id}/leads`)).body.data).toEqual([]);
  });
});
