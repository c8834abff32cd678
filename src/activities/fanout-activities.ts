import { heartbeat, activityInfo } from '@temporalio/activity';
import { signalEnrollment, startEnrollmentWorkflow } from '../campaigns/orchestration.js';
import { planOf } from './enrollment-activities.js';
import type { ActivityDeps } from './index.js';

const PAGE = 500;
// Enough parallel RPCs to keep the Temporal frontend busy without flooding it.
export const FANOUT_CONCURRENCY = 32;

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(runners);
}

type Cursor = { phase: 'start' | 'signal'; after: string };

export function createFanoutActivities({ db, orchestrator, now }: ActivityDeps) {
  /**
   * Brings every enrollment of a campaign in line with the campaign's current status. Idempotent:
   * starting is "use existing", signals are state-setting, so a retried sweep is harmless.
   */
  async function syncCampaign({ campaignId, signalAll }: { campaignId: string; signalAll: boolean }) {
    const campaign = await db.campaign.findUnique({
      where: { id: campaignId },
      select: { status: true, workspaceId: true, startedAt: true, steps: { orderBy: { stepNumber: 'asc' }, select: { delayDays: true } } },
    });
    if (!campaign || campaign.status === 'draft') return { started: 0, signalled: 0 };

    const resumeFrom = activityInfo().heartbeatDetails as Cursor | undefined;
    let started = 0;
    let signalled = 0;

    if (campaign.status === 'running' && resumeFrom?.phase !== 'signal') {
      let after = resumeFrom?.after ?? '';
      for (;;) {
        // A pause during the sweep stops it: the rest start on resume (their workflowStartedAt is
        // still null), instead of 10,000 workflows starting only to be paused one by one.
        if (after && (await db.campaign.findUnique({ where: { id: campaignId }, select: { status: true } }))?.status !== 'running') break;
        const page = await db.enrollment.findMany({
          where: { campaignId, id: { gt: after }, workflowStartedAt: null, status: { in: ['pending', 'active'] } },
          orderBy: { id: 'asc' },
          take: PAGE,
          select: { id: true, enrolledAt: true, currentStep: true, status: true, lead: { select: { email: true } } },
        });
        if (page.length === 0) break;
        // Never started, so nothing was sent: the plan is known here and the workflow need not load it.
        await inParallel(page, FANOUT_CONCURRENCY, (e) =>
          startEnrollmentWorkflow(orchestrator, {
            enrollmentId: e.id,
            campaignId,
            workspaceId: campaign.workspaceId,
            leadEmail: e.lead.email,
            ...(e.currentStep === 0 ? { plan: planOf(e, campaign, null) } : {}),
          }),
        );
        await db.enrollment.updateMany({
          where: { id: { in: page.map((e) => e.id) }, workflowStartedAt: null },
          data: { workflowStartedAt: now() },
        });
        await db.enrollment.updateMany({ where: { id: { in: page.map((e) => e.id) }, status: 'pending' }, data: { status: 'active' } });
        started += page.length;
        after = page.at(-1)!.id;
        heartbeat({ phase: 'start', after } satisfies Cursor);
      }
    }

    if (signalAll) {
      const signal = campaign.status === 'running' ? 'resume' : 'pause';
      let after = resumeFrom?.phase === 'signal' ? resumeFrom.after : '';
      for (;;) {
        // Leads paused one by one stay paused when the campaign resumes.
        const page = await db.enrollment.findMany({
          where: { campaignId, id: { gt: after }, workflowStartedAt: { not: null }, status: 'active' },
          orderBy: { id: 'asc' },
          take: PAGE,
          select: { id: true },
        });
        if (page.length === 0) break;
        await inParallel(page, FANOUT_CONCURRENCY, (e) => signalEnrollment(orchestrator, e.id, signal));
        signalled += page.length;
        after = page.at(-1)!.id;
        heartbeat({ phase: 'signal', after } satisfies Cursor);
      }
    }
    return { started, signalled };
  }

  return { syncCampaign };
}
