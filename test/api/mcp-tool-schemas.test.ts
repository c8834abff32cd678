import { describe, expect, it } from 'vitest';
import { headerArgument, TOOLS } from '../../src/mcp/tools.js';
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
      const expected = [...params, ...headers, ...query.map((p) => p.name), ...Object.keys(body.properties ?? {}), ...(spec.confirm ? ['confirm'] : [])];
      expect(Object.keys(tool.inputSchema.properties ?? {}).sort(), spec.name).toEqual(expected.sort());
      const required = [...params, ...query.filter((p) => p.required).map((p) => p.name), ...(body.required ?? [])];
      expect((tool.inputSchema.required ?? []).sort(), `${spec.name} required`).toEqual(required.sort());
      for (const [name, schema] of Object.entries(body.properties ?? {})) {
        expect(resolve(tool.inputSchema.properties![name]!).type, `${spec.name}.${name}`).toEqual(resolve(schema).type);
      }
      expect(tool.description, spec.name).toBeTruthy();
      expect(tool.description, `${spec.name} speaks of a request body`).not.toMatch(/request body/i);
      expect(undescribed(tool.inputSchema), `${spec.name}: arguments without a description`).toEqual([]);
    }
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
