// The pacing scenario (BENCH_SCENARIOS=pool): a pool of 3 accounts, 50 a day each, a 09:00-17:00
// (UTC) sending window and 150 leads, on the time-skipping server with the real activities. It
// measures how sends spread through the window: the gaps between consecutive sends of one account
// (never under minGapSeconds), the share of the window the day's sends span, and what the waits
// cost in provider-rate tokens.
import { startCampaign } from '../src/campaigns/lifecycle.js';
import { RUNNABLE_STATUSES } from '../src/domain/enrollment-status.js';
import { newId } from '../src/domain/ids.js';
import { DAY_MS as DAY } from '../src/domain/time.js';
import { bulkUpsertLeads } from '../src/leads/bulk-upsert.js';
import { DEFAULT_PACING } from '../src/senders/senders.js';
import { countWorkflowTasks, withTimeSkippingStack, type Recorder } from './time-skipping-stack.js';

const HOUR = 60 * 60 * 1000;
const WINDOW = { timezone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '17:00' };
const WINDOW_MS = 8 * HOUR;

export type PoolPacing = { label: string; minGapSeconds: number; jitterSeconds: number };

export async function poolPacingScenario(record: Recorder, pacing: PoolPacing, options = { accounts: 3, dailyLimit: 50, leads: 150 }) {
  await withTimeSkippingStack('pool', async (stack) => {
    const { db, services, workspaceId, counts } = stack;
    const { minGapSeconds, jitterSeconds } = pacing;
    for (let i = 0; i < options.accounts; i++) {
      await db.senderAccount.create({ data: { id: newId('sa'), workspaceId, email: `p${i}@acme.com`, name: `P${i}`, dailyLimit: options.dailyLimit, minGapSeconds, jitterSeconds } });
    }
    const campaign = await db.campaign.create({
      data: { id: newId('camp'), workspaceId, name: 'pool', settings: { sendingWindow: WINDOW }, steps: { create: [{ stepNumber: 1, delayDays: 0, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] } },
    });
    const leads = Array.from({ length: options.leads }, (_, i) => ({ email: `l${i}@pool.example.com` }));
    await bulkUpsertLeads(services, workspaceId, campaign.id, leads);

    const unfinished = () => db.enrollment.count({ where: { campaignId: campaign.id, status: { in: [...RUNNABLE_STATUSES] } } });
    let opensAt = 0;
    await stack.worker.runUntil(async () => {
      // Started at 06:00, three hours before the window opens: every lead waits for the opening.
      const now = (await stack.env.currentTimeMs()) - 6 * HOUR;
      await stack.sleep(DAY - (now % DAY));
      opensAt = (await stack.env.currentTimeMs()) + 3 * HOUR;
      await startCampaign(services, workspaceId, campaign.id);
      for (let day = 0; day < 5 && (await unfinished()) > 0; day++) await stack.sleep(DAY);
    });

    const sends = await db.message.findMany({ where: { campaignId: campaign.id }, select: { fromEmail: true, sentAt: true }, orderBy: { sentAt: 'asc' } });
    const firstDay = sends.filter((s) => s.sentAt!.getTime() < opensAt + WINDOW_MS);
    // Gaps and span within the first day's window (a lead left for the next day is counted apart).
    const byAccount = new Map<string, number[]>();
    for (const s of firstDay) byAccount.set(s.fromEmail, [...(byAccount.get(s.fromEmail) ?? []), s.sentAt!.getTime()]);
    const gaps = [...byAccount.values()].flatMap((times) => times.slice(1).map((t, i) => (t - times[i]!) / 1000));
    const lastSend = Math.max(...firstDay.map((s) => s.sentAt!.getTime()));
    const firstSend = Math.min(...firstDay.map((s) => s.sentAt!.getTime()));
    const workflowTasks = await countWorkflowTasks(stack, campaign.id);
    const scenario = `pool (${pacing.label})`;
    record({ scenario, metric: 'accounts × daily limit, leads, window', value: options.leads, unit: 'leads', target: `${options.accounts} × ${options.dailyLimit}/day, ${WINDOW.start}-${WINDOW.end}, gap ${minGapSeconds} s + up to ${jitterSeconds} s` });
    record({ scenario, metric: 'sent on the first day', value: firstDay.length, unit: '', target: `${options.leads}` });
    record({ scenario, metric: 'first-day sends per account, fewest', value: Math.min(...[...byAccount.values()].map((t) => t.length)), unit: '', target: `most ${Math.max(...[...byAccount.values()].map((t) => t.length))}` });
    record({ scenario, metric: 'first send after the window opened', value: Math.round((firstSend - opensAt) / 1000), unit: 's' });
    record({ scenario, metric: 'smallest gap between two sends of one account', value: Math.round(Math.min(...gaps)), unit: 's', target: `>= ${minGapSeconds}` });
    record({ scenario, metric: 'largest gap between two sends of one account', value: Math.round(Math.max(...gaps)), unit: 's', target: `<= ${minGapSeconds + jitterSeconds}` });
    record({ scenario, metric: 'share of the window the sends span', value: +((lastSend - opensAt) / WINDOW_MS).toFixed(3), unit: '' });
    record({ scenario, metric: 'provider-rate tokens (deliverStep runs) per sent message', value: +(counts.deliveries / sends.length).toFixed(3), unit: '', target: '1.000' });
    record({ scenario, metric: 'claims (local, no token) per sent message', value: +(counts.claims / sends.length).toFixed(3), unit: '' });
    record({ scenario, metric: 'workflow tasks per sent message', value: +(workflowTasks / sends.length).toFixed(2), unit: '' });
    if (firstDay.length !== options.leads || Math.min(...gaps) < minGapSeconds) throw new Error(`pool: ${sends.length} of ${options.leads} sent, smallest gap ${Math.min(...gaps)} s`);
  });
}

/** The API's defaults, and a gap that fills the window: 50 sends over 8 hours is one per 576 s; 450 s + up to 120 s ends before 17:00 even at the most jitter. */
export const POOL_PACINGS: PoolPacing[] = [
  { label: 'API default pacing', ...DEFAULT_PACING },
  { label: 'window-filling pacing', minGapSeconds: 450, jitterSeconds: 120 },
];
