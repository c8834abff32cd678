import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { GUIDE_LOOKUPS, GUIDE_STEPS, guideMarkdown } from '../../src/mcp/guide.js';
import { GUIDE_URI } from '../../src/mcp/server.js';
import { serveOverHttp } from '../helpers/serve.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: any };

const at = (value: unknown, path: string) => path.split('.').reduce<any>((v, key) => v?.[key], value);

/** Replaces each `{name}` string (whole or inside a string) with the value kept under that name. */
function resolve(value: unknown, kept: Record<string, string>): any {
  if (typeof value === 'string') return value.replace(/\{(\w+)\}/g, (whole, name: string) => kept[name] ?? whole);
  if (Array.isArray(value)) return value.map((v) => resolve(v, kept));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, kept)]));
  return value;
}

/** SPEC §11 Round 2: the agent guide, offered three ways, and kept true by running its own steps. */
describe('the agent guide', () => {
  it('runs step by step as written, with the tools and arguments it gives', async () => {
    const base = await serveOverHttp(createApp(testDeps()));
    const { apiKey } = await newWorkspace(testDeps().db, `guide-${uniq()}`);
    const client = new Client({ name: 'guide-reader', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }));
    const call = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args })) as ToolAnswer;
    try {
      // The same guide as a prompt, a resource and Markdown over HTTP.
      const prompt = await client.getPrompt({ name: 'run_campaign_safely' });
      expect((prompt.messages[0]!.content as { text: string }).text).toContain(guideMarkdown());
      const resource = await client.readResource({ uri: GUIDE_URI });
      expect(resource.contents).toEqual([{ uri: GUIDE_URI, mimeType: 'text/markdown', text: guideMarkdown() }]);
      const http = await fetch(`${base}/v1/guide`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(http.headers.get('content-type')).toMatch(/^text\/markdown/);
      const markdown = await http.text();
      expect(markdown).toBe(guideMarkdown({ rest: true }));
      expect(markdown).toContain('Call `start_campaign` (REST: `POST /v1/campaigns/{campaignId}/start`) with:');

      const kept: Record<string, string> = {};
      for (const step of GUIDE_STEPS) {
        for (const [name, lookup] of Object.entries(GUIDE_LOOKUPS)) {
          if (JSON.stringify(step.args).includes(`{${name}}`) && !kept[name]) kept[name] = at((await call(lookup.tool, resolve(lookup.args, kept))).structuredContent, lookup.path);
        }
        const answer = await call(step.tool, resolve(step.args, kept));
        expect(answer.isError, `${step.title}: ${answer.content[0]?.text}`).toBeFalsy();
        expect(answer.structuredContent, step.title).toMatchObject(resolve(step.expect, kept));
        for (const [name, path] of Object.entries(step.keep ?? {})) kept[name] = at(answer.structuredContent, path);
        expect(markdown, step.title).toContain(`## ${GUIDE_STEPS.indexOf(step) + 1}. ${step.title}`);
      }
      expect(kept.campaignId).toMatch(/^camp_/);
      expect(kept.leadId).toMatch(/^lead_/);
    } finally {
      await client.close();
    }
  });
});
