import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { startCampaign } from '../../src/campaigns/lifecycle.js';
import { newId } from '../../src/domain/ids.js';
import { DAY_MS as DAY } from '../../src/domain/time.js';
import { bulkUpsertLeads } from '../../src/leads/bulk-upsert.js';
import { createLogger } from '../../src/logger.js';
import { createLocalTransport } from '../../src/mail/local-transport.js';
import { recordReply } from '../../src/replies/intake.js';
import { buildWorker } from '../../src/worker/build-worker.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';
import { serverClock } from '../helpers/server-clock.js';
import { useTimeSkippingEnv } from '../helpers/time-skipping.js';
import { temporalOrchestrator } from '../../src/workflows/client.js';
import { testWorkflowBundle } from '../helpers/worker.js';

const HOUR = 60 * 60 * 1000;

/**
 * SPEC §12 `hold` over simulated days: the real workflow, activities and database on the
 * time-skipping server. An out-of-office reply names its return date; the lead's next step, due
 * the next day, waits and goes out on the working day after that date.
 */
describe('an out-of-office reply holds the lead until the working day after its return (time-skipping, real activities)', () => {
  const ts = useTimeSkippingEnv();

  it('sends nothing while held and the next step on the resume day', async () => {
    const { env } = ts;
    const deps = testDeps();
    const { db } = deps;
    const taskQueue = `ooo-${process.pid}`;
    let serverNow = await env.currentTimeMs();
    const now = serverClock(() => serverNow);
    const config = { ...deps.config, TEMPORAL_TASK_QUEUE: taskQueue };
    const activities = activitiesFromConfig(config, { db, logger: createLogger('silent', 'test'), client: env.client, mailer: createLocalTransport(), now });
    const worker = await buildWorker({ workflowBundle: testWorkflowBundle(), connection: env.nativeConnection, namespace: 'default', taskQueue, activities, concurrency: { sends: 2, claims: 2, activities: 4 } });

    const { workspaceId } = await newWorkspace(db);
    const campaign = await db.campaign.create({
      data: {
        id: newId('camp'),
        workspaceId,
        name: 'ooo',
        steps: { create: [1, 2, 3].map((n) => ({ stepNumber: n, delayDays: n === 1 ? 0 : 1, subject: n === 1 ? 'Hello' : '', bodyHtml: `<p>${n}</p>` })) },
      },
    });
    const services = { db, orchestrator: temporalOrchestrator({ client: env.client, taskQueue }), now: () => new Date(serverNow) };
    const email = `away-${campaign.id}@example.com`;
    await bulkUpsertLeads(services, workspaceId, campaign.id, [{ email }]);
    const enrollment = () => db.enrollment.findFirstOrThrow({ where: { campaignId: campaign.id } });
    const sentSteps = async () => (await db.message.findMany({ where: { campaignId: campaign.id, sentAt: { not: null } }, orderBy: { stepNumber: 'asc' } })).map((m) => ({ step: m.stepNumber, at: m.sentAt! }));

    const result = await worker.runUntil(async () => {
      await startCampaign(services, workspaceId, campaign.id);
      await env.sleep(HOUR);
      serverNow = await env.currentTimeMs();
      expect((await sentSteps()).map((s) => s.step)).toEqual([1]);

      // Back in five days; the reply says so by date, in German.
      const back = DateTime.fromMillis(serverNow, { zone: 'UTC' }).plus({ days: 5 });
      await recordReply(services, workspaceId, { email, campaignId: campaign.id, subject: 'Abwesenheitsnotiz', text: `Ich bin bis zum ${back.toFormat('dd.MM.yyyy')} nicht im Büro.` });
      const held = await enrollment();
      let resume = back.plus({ days: 1 }).startOf('day');
      while (resume.weekday > 5) resume = resume.plus({ days: 1 });
      expect(held).toMatchObject({ status: 'active', waitingFor: 'out_of_office', heldUntil: resume.toJSDate(), nextSendAt: resume.toJSDate() });

      // Step 2 falls due after a day; it waits, still out of office.
      await env.sleep(2 * DAY);
      serverNow = await env.currentTimeMs();
      expect((await sentSteps()).map((s) => s.step)).toEqual([1]);
      expect((await enrollment()).waitingFor).toBe('out_of_office');

      for (let day = 0; day < 10 && (await enrollment()).status === 'active'; day++) await env.sleep(DAY);
      return { resume: resume.toMillis(), sent: await sentSteps(), final: await enrollment() };
    });
    const [, two, three] = result.sent;
    expect(result.sent.map((s) => s.step)).toEqual([1, 2, 3]);
    // Step 2 on the resume day, at its start; step 3 its delay after.
    expect(two!.at.getTime()).toBeGreaterThanOrEqual(result.resume);
    expect(two!.at.getTime()).toBeLessThan(result.resume + HOUR);
    expect(three!.at.getTime() - two!.at.getTime()).toBeGreaterThanOrEqual(DAY);
    expect(result.final).toMatchObject({ status: 'completed', repliedAt: null });
  });
});
