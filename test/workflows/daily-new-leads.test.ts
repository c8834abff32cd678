import { describe, expect, it } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { createApp } from '../../src/api/app.js';
import { campaignHealth } from '../../src/campaigns/health.js';
import { startCampaign } from '../../src/campaigns/lifecycle.js';
import { newId } from '../../src/domain/ids.js';
import { DAY_MS as DAY } from '../../src/domain/time.js';
import { bulkUpsertLeads } from '../../src/leads/bulk-upsert.js';
import { createLogger } from '../../src/logger.js';
import { createLocalTransport } from '../../src/mail/local-transport.js';
import { buildWorker } from '../../src/worker/build-worker.js';
import { apiClient, newWorkspace, testDeps } from '../helpers/deps.js';
import { serverClock } from '../helpers/server-clock.js';
import { useTimeSkippingEnv } from '../helpers/time-skipping.js';
import { temporalOrchestrator } from '../../src/workflows/client.js';
import { testWorkflowBundle } from '../helpers/worker.js';

const HOUR = 60 * 60 * 1000;
const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * SPEC §10 over several simulated days: the real workflows, activities and database on the
 * time-skipping server, with the activities reading the server's clock.
 */
describe('new leads per day, follow-ups first (time-skipping, real activities)', () => {
  const ts = useTimeSkippingEnv();

  it('starts at most dailyNewLeads a day and sends every due follow-up on its day when capacity is short', async () => {
    const { env } = ts;
    const deps = testDeps();
    const { db } = deps;
    const taskQueue = `new-leads-${process.pid}`;
    let serverNow = await env.currentTimeMs();
    const now = serverClock(() => serverNow);
    const config = { ...deps.config, TEMPORAL_TASK_QUEUE: taskQueue };
    const activities = activitiesFromConfig(config, { db, logger: createLogger('silent', 'test'), client: env.client, mailer: createLocalTransport(), now });
    const worker = await buildWorker({ workflowBundle: testWorkflowBundle(), connection: env.nativeConnection, namespace: 'default', taskQueue, activities, concurrency: { sends: 4, claims: 4, activities: 4 } });

    // One account, 4 a day; a two-step sequence (step 2 a day after step 1); 3 new leads a day.
    const { workspaceId } = await newWorkspace(db);
    await db.senderAccount.create({ data: { id: newId('sa'), workspaceId, email: `cap-${workspaceId}@acme.com`, name: 'Cap', dailyLimit: 4 } });
    const campaign = await db.campaign.create({
      data: {
        id: newId('camp'),
        workspaceId,
        name: 'new leads',
        settings: { dailyNewLeads: 3 },
        steps: { create: [1, 2].map((n) => ({ stepNumber: n, delayDays: n === 1 ? 0 : 1, subject: `S${n}`, bodyHtml: 'b' })) },
      },
    });
    const services = { db, orchestrator: temporalOrchestrator({ client: env.client, taskQueue }), now: () => new Date(serverNow) };
    await bulkUpsertLeads(services, workspaceId, campaign.id, Array.from({ length: 8 }, (_, i) => ({ email: `n${i}-${campaign.id}@example.com` })));

    const waitingDay1 = await worker.runUntil(async () => {
      // Start at 09:00 UTC, so the days below are whole ones.
      await env.sleep(DAY - ((serverNow - 9 * HOUR) % DAY));
      serverNow = await env.currentTimeMs();
      await startCampaign(services, workspaceId, campaign.id);
      await env.sleep(3 * HOUR);
      const waiting = await db.enrollment.groupBy({ by: ['waitingFor'], where: { campaignId: campaign.id }, _count: { _all: true } });
      const health = await campaignHealth(services, workspaceId, campaign.id);
      expect(health.status).toBe('waiting');
      const tomorrow = new Date(Math.ceil(serverNow / DAY) * DAY).toISOString();
      expect(health.reasons).toContainEqual(expect.objectContaining({ code: 'daily_new_leads', count: 5, until: tomorrow }));
      for (let day = 0; day < 6 && (await db.enrollment.count({ where: { campaignId: campaign.id, status: 'active' } })) > 0; day++) await env.sleep('1 day');
      return Object.fromEntries(waiting.map((w) => [w.waitingFor, w._count._all]));
    });
    expect(waitingDay1).toEqual({ delay: 3, daily_new_leads: 5 });

    const messages = await db.message.findMany({ where: { campaignId: campaign.id }, select: { enrollmentId: true, stepNumber: true, sentAt: true }, orderBy: { sentAt: 'asc' } });
    // Every lead got both steps, once each, and finished.
    expect(messages).toHaveLength(16);
    expect(new Set(messages.map((m) => `${m.enrollmentId}/${m.stepNumber}`)).size).toBe(16);
    expect(await db.enrollment.count({ where: { campaignId: campaign.id, status: 'completed' } })).toBe(8);

    const perDay = new Map<string, { new: number; all: number }>();
    for (const m of messages) {
      const d = perDay.get(utcDay(m.sentAt!)) ?? { new: 0, all: 0 };
      perDay.set(utcDay(m.sentAt!), { new: d.new + (m.stepNumber === 1 ? 1 : 0), all: d.all + 1 });
    }
    // 3 new leads on day 1; then each day the follow-ups due take their places first.
    expect([...perDay.values()]).toEqual([
      { new: 3, all: 3 },
      { new: 1, all: 4 },
      { new: 3, all: 4 },
      { new: 1, all: 4 },
      { new: 0, all: 1 },
    ]);
    // Each follow-up went out on the day it fell due, never pushed back by a new lead.
    const firstSent = new Map(messages.filter((m) => m.stepNumber === 1).map((m) => [m.enrollmentId, m.sentAt!.getTime()]));
    for (const m of messages.filter((x) => x.stepNumber === 2)) {
      expect(utcDay(m.sentAt!)).toBe(utcDay(new Date(firstSent.get(m.enrollmentId)! + DAY)));
    }
  });

  it('takes dailyNewLeads in campaign settings: a whole number from 1, null for none', async () => {
    const deps = testDeps();
    const ws = await newWorkspace(deps.db);
    const api = apiClient(createApp(deps), ws.apiKey);
    const steps = [{ delayDays: 0, subject: 'S', bodyHtml: 'b' }];
    for (const bad of [0, 2.5, '40']) {
      const refused = await api.post('/v1/campaigns', { name: 'c', sequenceSteps: steps, settings: { dailyNewLeads: bad } });
      expect(refused.status).toBe(422);
    }
    expect(await deps.db.campaign.count({ where: { workspaceId: ws.workspaceId } })).toBe(0);
    const id = (await api.post('/v1/campaigns', { name: 'c', sequenceSteps: steps, settings: { dailyNewLeads: 40 } })).body.data.id;
    expect((await api.get(`/v1/campaigns/${id}`)).body.data.settings.dailyNewLeads).toBe(40);
    await api.patch(`/v1/campaigns/${id}`, { settings: { stopCompanyOnReply: true } });
    expect((await api.get(`/v1/campaigns/${id}`)).body.data.settings.dailyNewLeads).toBe(40);
    await api.patch(`/v1/campaigns/${id}`, { settings: { dailyNewLeads: null } });
    expect((await api.get(`/v1/campaigns/${id}`)).body.data.settings.dailyNewLeads).toBeNull();
  });
});
