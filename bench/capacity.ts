// The capacity-bound scenario (BENCH_SCENARIOS=capacity): leads on a sender pool that can send a
// tenth of them a day, over 10 simulated days on the time-skipping server with the real activities
// and a real PostgreSQL. It counts what waiting costs: provider-rate tokens (deliverStep runs on
// the rate-limited queue) and workflow tasks per message actually sent.
import { startCampaign } from '../src/campaigns/lifecycle.js';
import { RUNNABLE_STATUSES } from '../src/domain/enrollment-status.js';
import { newId } from '../src/domain/ids.js';
import { DAY_MS as DAY } from '../src/domain/time.js';
import { bulkUpsertLeads } from '../src/leads/bulk-upsert.js';
import { countWorkflowTasks, withTimeSkippingStack, type Recorder } from './time-skipping-stack.js';

export async function capacityScenario(record: Recorder, options: { leads: number; dailyCapacity: number; days: number }) {
  await withTimeSkippingStack('capacity', async (stack) => {
    const { db, services, workspaceId, counts } = stack;
    for (let i = 0; i < 2; i++) {
      await db.senderAccount.create({ data: { id: newId('sa'), workspaceId, email: `s${i}@acme.com`, name: `S${i}`, dailyLimit: options.dailyCapacity / 2 } });
    }
    const campaign = await db.campaign.create({
      data: { id: newId('camp'), workspaceId, name: 'capacity', steps: { create: [{ stepNumber: 1, delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>Hi</p>' }] } },
    });
    for (let i = 0; i < options.leads; i += 10_000) {
      const leads = Array.from({ length: Math.min(10_000, options.leads - i) }, (_, j) => ({ email: `c${i + j}@capacity.example.com`, firstName: `F${i + j}` }));
      await bulkUpsertLeads(services, workspaceId, campaign.id, leads);
    }

    const wallStart = performance.now();
    const unfinished = () => db.enrollment.count({ where: { campaignId: campaign.id, status: { in: [...RUNNABLE_STATUSES] } } });
    await stack.worker.runUntil(async () => {
      await startCampaign(services, workspaceId, campaign.id);
      // The simulated days, and whatever is left after them (there should be nothing).
      for (let day = 1; day <= options.days || (await unfinished()) > 0; day++) await stack.sleep(DAY);
    });
    const wallSeconds = (performance.now() - wallStart) / 1000;
    // Per calendar day of the workspace (UTC), as the capacity counts them.
    const days = await db.$queryRaw<{ day: string; sent: number }[]>`
      SELECT to_char("sentAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS sent FROM "Message"
       WHERE "campaignId" = ${campaign.id} AND "sentAt" IS NOT NULL GROUP BY 1 ORDER BY 1`;
    const sentByDay = days.map((d) => d.sent);

    const sent = await db.message.count({ where: { campaignId: campaign.id, sentAt: { not: null } } });
    const perEnrollment = await db.message.groupBy({ by: ['enrollmentId'], where: { campaignId: campaign.id }, _count: { _all: true } });
    const twice = perEnrollment.filter((g) => g._count._all > 1).length;
    const workflowTasks = await countWorkflowTasks(stack, campaign.id);

    record({ scenario: 'capacity', metric: `leads, pool capacity per day, simulated days`, value: options.leads, unit: '', target: `${options.dailyCapacity}/day, ${options.days} days` });
    record({ scenario: 'capacity', metric: `days with sends`, value: sentByDay.length, unit: '', target: `${options.days}` });
    record({ scenario: 'capacity', metric: 'sent per day, fewest (the limit is the most)', value: Math.min(...sentByDay), unit: '', target: `most ${Math.max(...sentByDay)}, limit ${options.dailyCapacity}` });
    record({ scenario: 'capacity', metric: 'leads sent exactly once', value: perEnrollment.length - twice, unit: '', target: `${options.leads}` });
    record({ scenario: 'capacity', metric: 'provider calls', value: counts.providerCalls, unit: '', target: `${options.leads}` });
    record({ scenario: 'capacity', metric: 'provider-rate tokens (deliverStep runs) per sent message', value: +(counts.deliveries / sent).toFixed(3), unit: '', target: '<= 1.05' });
    record({ scenario: 'capacity', metric: 'claims (local, no token) per sent message', value: +(counts.claims / sent).toFixed(3), unit: '' });
    record({ scenario: 'capacity', metric: 'workflow tasks per sent message', value: +(workflowTasks / sent).toFixed(2), unit: '' });
    record({ scenario: 'capacity', metric: 'wall time for the simulated days', value: Math.round(wallSeconds), unit: 's' });
    if (sent !== options.leads || twice > 0) throw new Error(`capacity: ${sent} of ${options.leads} sent, ${twice} twice`);
  });
}
