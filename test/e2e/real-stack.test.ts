import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startChild, stopChildren, type Child } from '../../scripts/lib/children.js';
import { DEV_ONLY_SECRET_ENCRYPTION_KEY } from '../../src/config.js';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { DAY_MS } from '../../src/domain/time.js';
import { SEED_CAMPAIGN } from '../helpers/fixtures.js';
import { eventually } from '../helpers/worker.js';
import { httpClient } from '../helpers/http-client.js';

// The production entry points (`npm run api`, `npm run worker`) as separate processes, driven over
// HTTP exactly as a client would, against the test run's PostgreSQL and Temporal dev server.
describe('the real stack over HTTP', () => {
  const children: Child[] = [];
  const apiKey = generateApiKey();
  const taskQueue = `real-stack-${process.pid}`;
  let base = '';
  let temporal: Client;

  const call = httpClient(() => base, apiKey);

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      PORT: String(port),
      BOOTSTRAP_API_KEY: apiKey,
      LOG_LEVEL: 'warn',
      SECRET_ENCRYPTION_KEY: DEV_ONLY_SECRET_ENCRYPTION_KEY,
    };
    const root = path.resolve(import.meta.dirname, '../..');
    for (const [name, entry] of [['worker', 'worker.ts'], ['api', 'src/api/server.ts']]) {
      children.push(startChild(name!, process.execPath, ['--import', 'tsx', path.join(root, entry!)], { env, quiet: true }));
    }
    await eventually(async () => (await fetch(`${base}/readyz`)).ok, 60_000, 'api ready');
    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  }, 90_000);

  afterAll(async () => {
    await stopChildren(children);
    await temporal?.connection.close();
  });

  it("runs the seed's campaign from creation to stats, findable by search attribute in Temporal", async () => {
    const created = await call('POST', '/v1/campaigns', SEED_CAMPAIGN);
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'VP Sales — AI Workflow Q1', status: 'draft', sequenceSteps: 2 });
    const id = created.body.data.id;
    const tag = Math.random().toString(36).slice(2, 8);
    const bulk = await call('POST', `/v1/campaigns/${id}/leads/bulk`, {
      leads: [
        { email: `jane-${tag}@acme.com`, firstName: 'Jane', company: 'Acme' },
        { email: `raj-${tag}@globex.com`, firstName: 'Raj', company: 'Globex' },
      ],
    });
    expect(bulk.body.data).toEqual({ enrolled: 2, updated: 0, skipped: 0, total: 2 });
    expect((await call('POST', `/v1/campaigns/${id}/start`)).body.data.status).toBe('running');

    // Step 1 goes out at once; step 2 waits its three days.
    const stats = await eventually(async () => {
      const s = await call('GET', `/v1/campaigns/${id}/stats`);
      return s.body.data.metrics.sent === 2 ? s.body.data : null;
    }, 30_000, 'step 1 sent');
    expect(stats).toMatchObject({ campaignId: id, status: 'running', enrolledLeads: 2, metrics: { sent: 2, delivered: 2, queued: 2, bounced: 0, replied: 0, replyRate: 0 } });

    const leads = await call('GET', `/v1/campaigns/${id}/leads`);
    for (const lead of leads.body.data) {
      expect(lead).toMatchObject({ status: 'active', currentStep: 1 });
      const due = Date.parse(lead.nextSendAt) - Date.now();
      expect(due).toBeGreaterThan(3 * DAY_MS - 120_000);
      expect(due).toBeLessThanOrEqual(3 * DAY_MS);
    }

    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of temporal.workflow.list({ query: `CampaignId = "${id}" AND EnrollmentStatus = "waiting"` })) ids.push(wf.workflowId);
      return ids.length === 2 ? ids : null;
    }, 30_000, 'workflows visible by search attribute');
    expect(found.every((w) => w.startsWith('enrollment-enr_'))).toBe(true);
    const byEmail = [];
    for await (const wf of temporal.workflow.list({ query: `LeadEmail = "jane-${tag}@acme.com"` })) byEmail.push(wf.workflowId);
    expect(byEmail).toHaveLength(1);
  });

  it('stops both processes cleanly on SIGTERM', async () => {
    const codes = await Promise.all(
      children.map(async (c) => {
        c.process.kill('SIGTERM');
        return c.exited;
      }),
    );
    expect(codes).toEqual([0, 0]);
  });
});
