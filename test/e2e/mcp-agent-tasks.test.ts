import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { serveOverHttp } from '../helpers/serve.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';

type ToolAnswer = { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: any };

/**
 * The tasks an agent with only the MCP tools was given (issue 26), each in the fewest calls an agent
 * would make, over Streamable HTTP with the SDK's client; each asserts what the agent needed to see.
 */
describe('an agent with only the MCP tools', () => {
  let base = '';
  beforeAll(async () => {
    base = await serveOverHttp(createApp(testDeps()));
  });

  async function agent(apiKey: string) {
    const client = new Client({ name: 'task-agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }));
    const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolAnswer;
    return { client, call };
  }

  /** A fresh workspace's agent runs `task`; its client is closed however the task ends. */
  async function asAgent(workspace: string, task: (call: Awaited<ReturnType<typeof agent>>['call']) => Promise<void>) {
    const { apiKey } = await newWorkspace(testDeps().db, workspace);
    const { client, call } = await agent(apiKey);
    try {
      await task(call);
    } finally {
      await client.close();
    }
  }

  async function draft(call: (name: string, args?: Record<string, unknown>) => Promise<ToolAnswer>) {
    const created = await call('create_campaign', { name: `task-${uniq()}`, sequenceSteps: [{ delayDays: 0, subject: 'Hi {{firstName|there}}', bodyHtml: '<p>{{company}}</p>' }] });
    return created.structuredContent.data.id as string;
  }

  it('adds the same lead twice in one call without losing a field, and is told it was merged', async () => {
    await asAgent('task-dupes', async (call) => {
      const campaignId = await draft(call);
      const added = await call('add_leads', {
        campaignId,
        leads: [{ email: 'ana@acme.io', firstName: 'Ana', company: 'Acme', customFields: { city: 'Porto' } }, { email: 'ana@acme.io', jobTitle: 'CRO' }],
      });
      expect(added.structuredContent.data).toMatchObject({ enrolled: 1, rows: [{ index: 1, outcome: 'merged_duplicate', mergedInto: 0 }] });
      expect(added.content[0]!.text).toMatch(/Merged 1 duplicate row field by field: row 1 into row 0\./);
      const leadId = (await call('list_leads', { campaignId })).structuredContent.data[0].leadId;
      const lead = (await call('get_lead', { campaignId, leadId })).structuredContent.data.lead;
      expect(lead).toMatchObject({ firstName: 'Ana', company: 'Acme', jobTitle: 'CRO', customFields: { city: 'Porto' } });
    });
  });

  it('imports a list with one bad address in one call, told which row was left out and why', async () => {
    await asAgent('task-skip', async (call) => {
      const campaignId = await draft(call);
      const added = await call('add_leads', { campaignId, onInvalid: 'skip', leads: [{ email: 'bo@acme.io' }, { email: 'not an address' }, { email: 'cy@acme.io' }] });
      expect(added.isError).toBeFalsy();
      expect(added.structuredContent.data).toMatchObject({ enrolled: 2, rows: [{ index: 1, outcome: 'invalid', errors: [{ field: 'email' }] }] });
      expect(added.content[0]!.text).toMatch(/Left out 1 invalid row: row 1 \(email: must be a valid email address\)\./);
    });
  });

  it('sees its A/B test in the stats as soon as it adds a variant, before any mail goes out', async () => {
    await asAgent('task-ab', async (call) => {
      const campaignId = await draft(call);
      // A subject test: the body is left out and stays the step's own.
      const variant = await call('add_step_variant', { campaignId, stepNumber: 1, subject: 'Quick one, {{firstName|there}}' });
      expect(variant.isError, variant.content[0]!.text).toBeFalsy();
      expect(variant.structuredContent.data.variants.map((v: { bodyHtml: string }) => v.bodyHtml)).toEqual(['<p>{{company}}</p>', '<p>{{company}}</p>']);
      // The answer carries the version the next guarded change needs.
      expect(variant.structuredContent.data.campaignVersion).toBe(2);
      // Each variant reads for a lead before it goes out, whichever the lead gets.
      await call('add_leads', { campaignId, leads: [{ email: 'li@initech.io', company: 'Initech' }] });
      const preview = (await call('preview_campaign', { campaignId, email: 'li@initech.io' })).structuredContent.data;
      expect(preview.steps[0].variants.map((v: { id: string; subject: string }) => [v.id, v.subject])).toEqual([
        ['A', 'Hi there'],
        ['B', 'Quick one, there'],
      ]);
      expect(['A', 'B']).toContain(preview.steps[0].variantId);
      const ids = variant.structuredContent.data.variants.map((v: { id: string }) => v.id);
      expect(ids).toHaveLength(2);
      const stats = await call('campaign_stats', { campaignId, groupBy: 'variant' });
      expect(stats.isError, stats.content[0]!.text).toBeFalsy();
      expect(stats.structuredContent.data.rows.map((r: { variantId: string | null; metrics: { sent: number } }) => [r.variantId, r.metrics.sent])).toEqual(ids.sort().map((id: string) => [id, 0]));
      expect(stats.content[0]!.text).toMatch(/^By variant, 2 rows\./);
    });
  });

  it('records a reply and is told whether colleagues at the same company were stopped', async () => {
    await asAgent('task-reply', async (call) => {
      const created = await call('create_campaign', {
        name: `company-${uniq()}`,
        settings: { stopCompanyOnReply: true },
        sequenceSteps: [{ delayDays: 3, subject: 'Hi', bodyHtml: '<p>Hi</p>' }],
      });
      const campaignId = created.structuredContent.data.id;
      const domain = `acme-${uniq()}.io`;
      await call('add_leads', { campaignId, leads: ['ana', 'bo', 'cy'].map((n) => ({ email: `${n}@${domain}` })) });
      expect((await call('start_campaign', { campaignId, confirm: true })).structuredContent.data.status).toBe('running');
      const unsubscribed = await call('record_reply', { email: `cy@${domain}`, campaignId, text: 'Please remove me from your list.' });
      expect(unsubscribed.structuredContent.data).toMatchObject({ classification: 'unsubscribe', colleaguesStopped: 0 });
      expect(unsubscribed.content[0]!.text).toMatch(/No colleague was stopped\.$/);
      const replied = await call('record_reply', { email: `ana@${domain}`, campaignId, text: 'Sounds good, can we talk Thursday?' });
      expect(replied.structuredContent.data).toMatchObject({ classification: 'interested', colleaguesStopped: 1, colleaguesStoppedEmails: [`bo@${domain}`] });
      expect(replied.content[0]!.text).toMatch(new RegExp(`It stopped 1 colleague at the same company in this campaign: bo@${domain}\\.$`));
    });
  });

  it('pauses a campaign and still sees which lead an out-of-office reply holds, and what its dates depend on', async () => {
    await asAgent('task-paused', async (call) => {
      const created = await call('create_campaign', { name: `ooo-${uniq()}`, sequenceSteps: [{ delayDays: 2, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] });
      const campaignId = created.structuredContent.data.id;
      await call('add_leads', { campaignId, leads: [{ email: 'ana@initech.io' }, { email: 'bo@initech.io' }] });
      await call('start_campaign', { campaignId, confirm: true });
      const held = await call('record_reply', { email: 'ana@initech.io', campaignId, text: 'Automatic reply: I am out of the office until 2027-01-11.' });
      expect(held.structuredContent.data.enrollments[0]).toMatchObject({ status: 'active', waitingFor: 'out_of_office' });
      await call('pause_campaign', { campaignId });

      const health = (await call('campaign_health', { campaignId })).structuredContent.data;
      expect(health.status).toBe('paused');
      const reasons = Object.fromEntries(health.reasons.map((r: { code: string; count: number; needsYou: boolean }) => [r.code, [r.count, r.needsYou]]));
      expect(reasons).toMatchObject({ campaign_paused: [2, true], out_of_office: [1, false] });

      const leads = (await call('list_leads', { campaignId })).structuredContent.data;
      const ana = leads.find((l: { email: string }) => l.email === 'ana@initech.io');
      expect(ana).toMatchObject({ waitingFor: 'campaign_paused', behindPause: 'out_of_office' });
      // An agent knows the lead by its address: the lead tools take it in place of the id.
      expect((await call('get_lead', { campaignId, leadId: 'ANA@initech.io' })).structuredContent.data.lead.id).toBe(ana.leadId);
      const schedule = (await call('lead_schedule', { campaignId, email: 'ana@initech.io' })).structuredContent.data;
      expect(await call('lead_schedule', { campaignId })).toMatchObject({ isError: true, structuredContent: { error: { code: 'validation_failed' } } });
      expect(schedule).toMatchObject({ campaignStatus: 'paused', plannedAsIf: 'resumed_now', steps: [{ stepNumber: 1, plannedBecause: ['out_of_office'] }] });
      expect(schedule.steps[0].plannedAt >= '2027-01-11').toBe(true);
    });
  });

  it('knows what queued counts before reading the stats', async () => {
    await asAgent('task-queued', async (call) => {
      const campaignId = await draft(call);
      await call('add_leads', { campaignId, leads: [{ email: 'ana@umbrella.io' }, { email: 'bo@umbrella.io' }] });
      const { client } = await agent((await newWorkspace(testDeps().db, `task-queued-reader-${uniq()}`)).apiKey);
      try {
        const tool = (await client.listTools()).tools.find((t) => t.name === 'campaign_stats')!;
        // The answer's schema (ungrouped or grouped) describes the field where the agent meets it.
        expect(JSON.stringify(tool.outputSchema)).toMatch(/"queued":\{[^}]*"description":"A count of now, unlike the running totals beside it/);
      } finally {
        await client.close();
      }
      const stats = await call('campaign_stats', { campaignId });
      expect(stats.structuredContent.data).toMatchObject({ enrolledLeads: 2, metrics: { queued: 2, sent: 0 } });
      expect(stats.content[0]!.text).toBe('2 leads: sent 0, delivered 0, bounced 0, replied 0 (0 % of delivered); 2 with a step still to come.');
    });
  });

  it('follows every change in the feed instead of polling the lists', async () => {
    await asAgent('task-feed', async (call) => {
      const campaignId = await draft(call);
      await call('add_leads', { campaignId, leads: [{ email: 'ana@hooli.io' }, { email: 'bo@hooli.io' }] });
      await call('add_step_variant', { campaignId, stepNumber: 1, subject: 'B side', bodyHtml: '<p>B</p>' });
      await call('suppress_address', { emails: ['bo@hooli.io'] });
      const first = await call('list_events', { after: '', type: 'campaign.*,lead.*,variant.added,suppression.added' });
      expect(first.structuredContent.data.map((e: { event: string; data: { email?: string } }) => [e.event, e.data.email ?? null])).toEqual([
        ['campaign.created', null],
        ['lead.enrolled', 'ana@hooli.io'],
        ['lead.enrolled', 'bo@hooli.io'],
        ['variant.added', null],
        ['lead.stopped', 'bo@hooli.io'],
        ['suppression.added', 'bo@hooli.io'],
      ]);
      const found = await call('find_lead', { email: 'bo@hooli.io' });
      expect(found.structuredContent.data).toMatchObject({ suppressed: true, suppressionReason: 'manual', campaigns: [{ campaignId, status: 'stopped', stopReason: 'suppressed (manual)' }] });
      expect(found.content[0]!.text).toMatch(/is in 1 campaign: .* \(stopped\)\. Its address is suppressed \(manual\): it is never mailed\.$/);
      const preview = await call('preview_campaign', { campaignId, email: 'bo@hooli.io' });
      expect(preview.structuredContent.data).toMatchObject({ enrollmentStatus: 'stopped', suppressed: true });
      expect(preview.content[0]!.text).toMatch(/Note: this address is suppressed and will never be mailed\.$/);
      const leadId = (await call('list_leads', { campaignId })).structuredContent.data.find((l: { email: string }) => l.email === 'ana@hooli.io').leadId;
      await call('pause_lead', { campaignId, leadId });
      // Another campaign's events stay out of a campaign's feed.
      await draft(call);
      const mine = await call('list_events', { after: '', campaignId });
      expect(mine.structuredContent.data.map((e: { event: string }) => e.event)).toEqual(['campaign.created', 'lead.enrolled', 'lead.enrolled', 'variant.added', 'lead.stopped', 'lead.held']);
      expect((await call('list_events', { campaignId, type: 'campaign.created' })).structuredContent.data).toHaveLength(1);
      const next = await call('list_events', { after: first.structuredContent.nextCursor, type: 'lead.*' });
      expect(next.structuredContent.data.map((e: { event: string; data: { reason?: string } }) => [e.event, e.data.reason])).toEqual([['lead.held', 'lead_paused']]);
    });
  });

  it('subscribes a webhook to lead events and reads its deliveries, from tool descriptions alone', async () => {
    await asAgent('task-webhook', async (call) => {
      const made = await call('create_webhook', { url: 'https://hooks.example.com/sequent', events: ['lead.*'] });
      expect(made.isError, made.content[0]!.text).toBeFalsy();
      expect(made.structuredContent.data.secret).toMatch(/^whsec_/);
      expect(made.structuredContent.data.events).toEqual(['lead.completed', 'lead.replied', 'lead.stopped', 'lead.enrolled', 'lead.held', 'lead.resumed']);
      const typo = await call('create_webhook', { url: 'https://hooks.example.com/other', events: ['lead.nothing'] });
      expect(typo.isError).toBe(true);
      expect(typo.content[0]!.text).toMatch(/names no event type: lead\.nothing/);
      const webhookId = made.structuredContent.data.id;
      expect((await call('list_webhooks')).structuredContent.data.map((w: { id: string }) => w.id)).toEqual([webhookId]);
      const deliveries = await call('list_webhook_deliveries', { webhookId });
      expect(deliveries.isError, deliveries.content[0]!.text).toBeFalsy();
      expect(deliveries.structuredContent.data).toEqual([]);
      expect(deliveries.content[0]!.text).toBe('No delivery attempts.');
      expect((await call('delete_webhook', { webhookId })).isError).toBeFalsy();
    });
  });

  it('makes a read-only key for a reporting agent, which can read and cannot change anything', async () => {
    await asAgent('task-keys', async (call) => {
      const campaignId = await draft(call);
      const made = await call('create_api_key', { scopes: ['read'], name: 'reporting agent' });
      expect(made.isError, made.content[0]!.text).toBeFalsy();
      const { apiKey: readKey, id } = made.structuredContent.data;
      expect(made.content[0]!.text).toContain(`with scopes read: ${readKey}`);
      const reporter = await agent(readKey);
      try {
        expect((await reporter.call('campaign_stats', { campaignId })).isError).toBeFalsy();
        // A tool beyond its scope says so before it is tried, and a call is refused for that reason.
        const tools = (await reporter.client.listTools()).tools;
        const beyond = tools.filter((t) => t.description!.startsWith('Not for this key')).map((t) => t.name);
        expect(beyond).toEqual(expect.arrayContaining(['pause_campaign', 'add_leads', 'create_api_key']));
        expect(tools.find((t) => t.name === 'start_campaign')!.description).toMatch(/^Not for this key: it needs the send scope/);
        expect(beyond).not.toContain('campaign_stats');
        expect(await reporter.call('pause_campaign', { campaignId })).toMatchObject({ isError: true, structuredContent: { error: { code: 'insufficient_scope' } } });
        expect((await call('get_campaign', { campaignId })).structuredContent.data.status).toBe('draft');
      } finally {
        await reporter.client.close();
      }
      const keys = (await call('list_api_keys')).structuredContent.data;
      expect(keys.find((k: { id: string }) => k.id === id)).toMatchObject({ scopes: ['read'], name: 'reporting agent' });
      expect((await call('revoke_api_key', { apiKeyId: id })).structuredContent.data).toEqual({ id, revoked: true });
    });
  });
});
