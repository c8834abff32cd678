import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { serveOverHttp } from '../helpers/serve.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: any };

/**
 * SPEC §11 Round 2: a launch is confirmed by the person through MCP elicitation where the client
 * declares it, and by `confirm: true` where it does not. Both modes over Streamable HTTP with the
 * SDK's client.
 */
describe('launch confirmation over MCP', () => {
  let base = '';
  beforeAll(async () => {
    base = await serveOverHttp(createApp(testDeps()));
  });

  /** A client in a fresh workspace, with a draft of one step and two leads; `person` answers elicitations when given. */
  async function setup(person?: (message: string) => ElicitResult) {
    const { apiKey } = await newWorkspace(testDeps().db, `confirm-${uniq()}`);
    const asked: string[] = [];
    const client = new Client({ name: 'launcher', version: '1.0.0' }, person ? { capabilities: { elicitation: {} } } : {});
    if (person) {
      client.setRequestHandler(ElicitRequestSchema, (request) => {
        asked.push(request.params.message);
        return person(request.params.message);
      });
    }
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } });
    await client.connect(transport);
    const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolAnswer;
    const campaignId = (await call('create_campaign', { name: 'launch', sequenceSteps: [{ delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>Hi</p>' }] })).structuredContent.data.id as string;
    await call('add_leads', { campaignId, leads: [{ email: `a-${uniq()}@acme.io`, firstName: 'Ana' }, { email: `b-${uniq()}@acme.io` }] });
    const status = async () => (await call('get_campaign', { campaignId })).structuredContent.data.status as string;
    return { apiKey, client, transport, call, campaignId, asked, status };
  }

  it('asks the person where the client can ask, showing what would happen, and starts on a yes', async () => {
    const { client, call, campaignId, asked, status } = await setup(() => ({ action: 'accept', content: { confirm: true } }));
    try {
      const started = await call('start_campaign', { campaignId });
      expect(started.isError).toBeFalsy();
      expect(started.structuredContent.data).toMatchObject({ id: campaignId, status: 'running' });
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatch(/would set 2 leads going through 1 step.*firstName for 1 lead.*send real mail\?$/s);
      expect(await status()).toBe('running');
    } finally {
      await client.close();
    }
  });

  it.each([
    ['declines', { action: 'decline' }],
    ['cancels', { action: 'cancel' }],
    ['accepts without saying yes', { action: 'accept', content: { confirm: false } }],
  ] as const)('sends nothing when the person %s, even with confirm: true from the agent', async (_label, answer) => {
    const { client, call, campaignId, asked, status } = await setup(() => answer);
    try {
      for (const args of [{ campaignId }, { campaignId, confirm: true }]) {
        const refused = await call('start_campaign', args);
        expect(refused.isError).toBeFalsy();
        expect(refused.structuredContent).toMatchObject({ confirmed: false, wouldStart: { leads: 2, status: 'draft' } });
        expect(refused.content[0]!.text).toMatch(/^Not started: the person declined when asked\./);
      }
      expect(asked).toHaveLength(2);
      expect(await status()).toBe('draft');
    } finally {
      await client.close();
    }
  });

  it('without elicitation, sends only with confirm: true', async () => {
    const { client, call, campaignId, status } = await setup();
    try {
      const dry = await call('start_campaign', { campaignId });
      expect(dry.structuredContent).toMatchObject({ confirmed: false, wouldStart: { leads: 2 } });
      expect(dry.content[0]!.text).toMatch(/^Not started: call again with confirm: true to send\./);
      expect(await status()).toBe('draft');
      expect((await call('start_campaign', { campaignId, confirm: true })).structuredContent.data.status).toBe('running');
      expect(await status()).toBe('running');
    } finally {
      await client.close();
    }
  });

  it('keeps a session to the key that opened it, and serves clients that keep none', async () => {
    const { client, transport } = await setup();
    const other = await newWorkspace(testDeps().db, `confirm-other-${uniq()}`);
    try {
      const rpc = (headers: Record<string, string>) =>
        fetch(`${base}/mcp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
        });
      expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      const stolen = await rpc({ authorization: `Bearer ${other.apiKey}`, 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-06-18' });
      expect(stolen.status).toBe(404);
      const sessionless = await rpc({ authorization: `Bearer ${other.apiKey}` });
      expect(sessionless.status).toBe(200);
      expect(((await sessionless.json()) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(30);
    } finally {
      await client.close();
    }
  });
});
