import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { serveOverHttp } from '../helpers/serve.js';
import { DAY_MS } from '../../src/domain/time.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';
import { eventually, startTestWorker } from '../helpers/worker.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: any };

describe('the MCP server drives the whole loop (real API, worker, Temporal and PostgreSQL)', () => {
  let base = '';
  beforeAll(async () => {
    await startTestWorker();
    base = await serveOverHttp(createApp(testDeps()));
  });

  const transports = {
    http: (apiKey: string) => new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }),
    stdio: (apiKey: string) =>
      new StdioClientTransport({
        // The command the README gives MCP clients (--silent: npm's banner would corrupt stdout).
        command: 'npm',
        args: ['run', '--silent', '--prefix', ROOT, 'mcp'],
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SEQUENT_URL: base, SEQUENT_API_KEY: apiKey },
        stderr: 'pipe',
      }),
  };

  it.each(['http', 'stdio'] as const)('over %s: create, add leads, preview, start (refused without confirm), stats, pause', async (kind) => {
    const { apiKey, workspaceId } = await newWorkspace(testDeps().db, `mcp-${kind}`);
    const client = new Client({ name: 'sequent-test-agent', version: '1.0.0' });
    await client.connect(transports[kind](apiKey));
    try {
      const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolAnswer;
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['create_campaign', 'add_leads', 'preview_campaign', 'launch_preview', 'start_campaign', 'campaign_stats', 'pause_campaign', 'list_events']));

      const created = await call('create_campaign', {
        name: 'Agent outreach',
        sequenceSteps: [
          { delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>Hello {{firstName}} at {{company}}</p>' },
          { delayDays: 3, subject: '', bodyHtml: '<p>Following up, {{firstName|there}}</p>' },
        ],
      });
      expect(created.isError, JSON.stringify(created.content)).toBeFalsy();
      const campaignId = created.structuredContent.data.id as string;
      expect(created.content[0]!.text).toContain(campaignId);
      // The whole answer is in the text as well, for clients that give the model text only.
      expect(JSON.parse(created.content[1]!.text)).toEqual(created.structuredContent);

      // Versions reach agents too: a stale ifMatch changes nothing.
      expect(await call('update_campaign', { campaignId, name: 'Renamed', ifMatch: '"9"' })).toMatchObject({ isError: true, structuredContent: { error: { code: 'version_mismatch' } } });
      expect((await call('update_campaign', { campaignId, name: 'Renamed', ifMatch: '"1"' })).structuredContent.data).toMatchObject({ name: 'Renamed', version: 2 });

      const added = await call('add_leads', { campaignId, leads: [{ email: 'ada@example.com', firstName: 'Ada', company: 'Acme' }, { email: 'bob@example.com' }] });
      expect(added.structuredContent.data).toMatchObject({ enrolled: 2, total: 2 });
      const preview = await call('preview_campaign', { campaignId, email: 'bob@example.com' });
      expect(preview.structuredContent.data.emptyTokens.sort()).toEqual(['company', 'firstName']);

      const bob = (await call('list_leads', { campaignId })).structuredContent.data.find((l: { email: string }) => l.email === 'bob@example.com');
      const plan = await call('lead_schedule', { campaignId, leadId: bob.leadId });
      expect(plan.structuredContent.data.steps.map((s: { stepNumber: number; subject: string }) => [s.stepNumber, s.subject])).toEqual([[1, 'Hi'], [2, 'Re: Hi']]);

      // Without confirm nothing is sent: the answer says what would happen.
      const dry = await call('start_campaign', { campaignId });
      expect(dry.isError).toBeFalsy();
      expect(dry.structuredContent).toMatchObject({ confirmed: false, wouldStart: { leads: 2, firstDayVolume: 2, emptyTokens: [{ token: 'company', leads: 1 }, { token: 'firstName', leads: 1 }] } });
      expect(dry.content[0]!.text).toMatch(/confirm: true/);
      expect((await call('get_campaign', { campaignId })).structuredContent.data.status).toBe('draft');

      const started = await call('start_campaign', { campaignId, confirm: true });
      expect(started.structuredContent.data.status).toBe('running');
      const stats = await eventually(async () => {
        const s = await call('campaign_stats', { campaignId });
        return s.structuredContent.data.metrics.sent === 2 ? s : null;
      }, 30_000, 'step 1 sent to both leads');
      expect(stats.content[0]!.text).toContain('sent 2');
      expect((await call('start_campaign', { campaignId })).content[0]!.text).toMatch(/already running: starting or resuming it changes nothing/);

      const paused = await call('pause_campaign', { campaignId });
      expect(paused.structuredContent.data.status).toBe('paused');
      // A resume's preview tells leads in the sequence from new ones: both had step 1, none gets it again.
      const resume = await call('resume_campaign', { campaignId });
      expect(resume.structuredContent.wouldStart).toMatchObject({ status: 'paused', leads: 2, newLeads: 0, inSequence: 2, firstDayVolume: 0 });
      expect(Date.parse(resume.structuredContent.wouldStart.nextFollowUpAt)).toBeGreaterThan(Date.now() + 2 * DAY_MS);
      expect(resume.content[0]!.text).toMatch(/^Not resumed: .*Resuming campaign .* 2 already in the sequence go on with their next step/);
      expect(resume.content[0]!.text).not.toMatch(/step 1 on the first day/);
      // A reply says what it did to the lead.
      const replied = await call('record_reply', { email: 'ada@example.com', campaignId, text: 'Interested, call me.' });
      expect(replied.content[0]!.text).toMatch(new RegExp(`classified interested: in ${campaignId} the lead is now replied\\.`));
      // The feed's cursor is the next after, and the summary says so.
      const feed = await call('list_events', { after: '', limit: 2 });
      expect(feed.structuredContent.data).toHaveLength(2);
      expect(feed.content[0]!.text).toBe(`2 events, oldest first; poll again with after: "${feed.structuredContent.nextCursor}" for the ones after them.`);
      // The API's own errors come back as tool errors with its code.
      const missing = await call('get_campaign', { campaignId: 'camp_missing' });
      expect(missing).toMatchObject({ isError: true, structuredContent: { error: { code: 'campaign_not_found' } } });
      // Arguments that fail the route's own schema are refused before any request, naming the field.
      const refused = await call('create_campaign', { name: 'x', sequenceSteps: [{ delayDays: -1, subject: 's', bodyHtml: 'b' }] });
      expect(refused.isError).toBe(true);
      expect(refused.content[0]!.text).toMatch(/delayDays/);
      // Rules only the API checks come back with its code.
      const late = await call('add_leads', { campaignId: 'camp_missing', leads: [{ email: 'x@example.com' }] });
      expect(late).toMatchObject({ isError: true, structuredContent: { error: { code: 'campaign_not_found' } } });
      // Scoped to the key's workspace: another workspace's campaign is not found.
      const other = await newWorkspace(testDeps().db, 'mcp-other');
      const otherClient = new Client({ name: 'other', version: '1.0.0' });
      await otherClient.connect(transports[kind](other.apiKey));
      const foreign = (await otherClient.callTool({ name: 'get_campaign', arguments: { campaignId } })) as ToolAnswer;
      await otherClient.close();
      expect(foreign).toMatchObject({ isError: true, structuredContent: { error: { code: 'campaign_not_found' } } });
      expect(workspaceId).not.toBe(other.workspaceId);
    } finally {
      await client.close();
    }
  });

  it('refuses /mcp without a valid key, before any MCP exchange', async () => {
    const res = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer sk_live_wrong' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('authentication_failed');
  });
});
