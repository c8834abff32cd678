import { heartbeat, activityInfo } from '@temporalio/activity';

import { inParallel } from '../domain/parallel.js';
import { planOf } from '../domain/enrollment-plan.js';
import { RUNNABLE_STATUSES } from '../domain/enrollment-status.js';
import type { ActivityDeps } from './deps.js';

const PAGE = 500;
// Enough parallel RPCs to keep the Temporal frontend busy without flooding it.
export const FANOUT_CONCURRENCY = 32;
/**
 * A pause or resume tells only the workflows that may act before they next read the database on
 * their own: those in a send, a retry or a wait "until told", or due within this long (decision 71).
 */
export const TELL_HORIZON_MS = 60_000;

/**
 * Where an attempt got to, for its retry. `changes` is the campaign's statusChanges it swept for: a
 * retry that finds another status starts over, since the workflows before the cursor were told the
 * old one (a pause sweep cut off by a crash, then a start: history checker seed 3383).
 */
type Cursor = { phase: 'start' | 'signal'; after: string; changes?: number };

type Page = { id: string; enrolledAt: Date; currentStep: number; status: string; lead: { email: string } }[];

/** Pages through a campaign's enrollments by id from `after`, until `next` answers an empty page or `stop` says so. */
async function sweep<T extends { id: string }>(options: {
  after: string;
  next: (after: string) => Promise<T[]>;
  each: (page: T[]) => Promise<void>;
  checkpoint: (after: string) => void;
  stop?: () => Promise<boolean>;
}): Promise<number> {
  let after = options.after;
  let done = 0;
  for (;;) {
    if (options.stop && after && (await options.stop())) break;
    const page = await options.next(after);
    if (page.length === 0) break;
    await options.each(page);
    done += page.length;
    after = page.at(-1)!.id;
    options.checkpoint(after);
  }
  return done;
}

export function createFanoutActivities({ db, orchestrator, now }: ActivityDeps) {
  /**
   * Brings every enrollment of a campaign in line with the campaign's current status: starts the
   * workflows of enrollments that wait for one (while running) and, when the status differs from
   * the one last brought in line (`syncedStatus`), tells started ones to pause or resume. A retry
   * or a repeated request is harmless: starting is "use existing", signals set state, and a
   * campaign already in line gets no signal sweep.
   */
  async function syncCampaign({ campaignId }: { campaignId: string }) {
    const campaign = await db.campaign.findUnique({
      where: { id: campaignId },
      select: { status: true, syncedStatus: true, statusChanges: true, syncedStatusChanges: true, workspaceId: true, startedAt: true, steps: { orderBy: { stepNumber: 'asc' }, select: { delayDays: true } } },
    });
    if (!campaign || campaign.status === 'draft') return { started: 0, signalled: 0 };
    const checkpoint = activityInfo().heartbeatDetails as Cursor | undefined;
    const resumeFrom = checkpoint?.changes === campaign.statusChanges ? checkpoint : undefined;
    let started = 0;
    let signalled = 0;

    if (campaign.status === 'running' && resumeFrom?.phase !== 'signal') {
      started = await sweep<Page[number]>({
        after: resumeFrom?.after ?? '',
        // A pause during the sweep stops it: the rest start on resume (their workflowStartedAt is
        // still null), instead of 10,000 workflows starting only to be paused one by one.
        stop: async () => (await db.campaign.findUnique({ where: { id: campaignId }, select: { status: true } }))?.status !== 'running',
        next: (after) =>
          db.enrollment.findMany({
            where: { campaignId, id: { gt: after }, workflowStartedAt: null, status: { in: [...RUNNABLE_STATUSES] } },
            orderBy: { id: 'asc' },
            take: PAGE,
            select: { id: true, enrolledAt: true, currentStep: true, status: true, lead: { select: { email: true } } },
          }),
        each: async (page) => {
          // Never started, so nothing was sent: the plan is known here and the workflow need not load it.
          await inParallel(page, FANOUT_CONCURRENCY, (e) =>
            orchestrator.startEnrollment({
              enrollmentId: e.id,
              campaignId,
              workspaceId: campaign.workspaceId,
              leadEmail: e.lead.email,
              ...(e.currentStep === 0 ? { plan: planOf(e, campaign, null) } : {}),
            }),
          );
          await db.$executeRaw`
            UPDATE "Enrollment" SET "workflowStartedAt" = ${now()},
                   status = CASE WHEN status = 'pending' THEN 'active'::"EnrollmentStatus" ELSE status END
             WHERE id = ANY(${page.map((e) => e.id)}::text[]) AND "workflowStartedAt" IS NULL`;
        },
        checkpoint: (after) => heartbeat({ phase: 'start', after, changes: campaign.statusChanges } satisfies Cursor),
      });
    }

    // A first start has nothing started to tell; otherwise any status change since the last sweep
    // is: a pause and a start between two sweeps leave the status as it was, but a workflow that
    // met the pause in its own claim waits for the resume. "First" is the first status change, not
    // a sweep that never recorded one: a first sweep cut off (a worker killed) before it wrote
    // syncedStatus may have started workflows that met a pause since.
    const fresh = campaign.syncedStatus === null && campaign.status === 'running' && campaign.statusChanges <= 1;
    const changed = campaign.syncedStatus !== campaign.status || campaign.syncedStatusChanges !== campaign.statusChanges;
    if (changed && !fresh) {
      const signal = campaign.status === 'running' ? 'resume' : 'pause';
      // One asleep past the horizon claims when it wakes, and its claim meets the campaign as it is
      // then: telling it now would cost a workflow task and change nothing it does.
      const horizon = new Date(now().getTime() + TELL_HORIZON_MS);
      signalled = await sweep<{ id: string }>({
        after: resumeFrom?.phase === 'signal' ? resumeFrom.after : '',
        // Leads paused one by one stay paused when the campaign resumes.
        next: (after) =>
          db.enrollment.findMany({
            where: { campaignId, id: { gt: after }, workflowStartedAt: { not: null }, status: 'active', OR: [{ nextSendAt: null }, { nextSendAt: { lte: horizon } }] },
            orderBy: { id: 'asc' },
            take: PAGE,
            select: { id: true },
          }),
        each: (page) => inParallel(page, FANOUT_CONCURRENCY, (e) => orchestrator.signalEnrollment(e.id, { name: signal })),
        checkpoint: (after) => heartbeat({ phase: 'signal', after, changes: campaign.statusChanges } satisfies Cursor),
      });
    }
    // What the enrollments were last told, whatever the status is by now: a resume that came during
    // this pause sweep requested another sweep, which must see "paused" here to send the resumes.
    await db.campaign.updateMany({ where: { id: campaignId }, data: { syncedStatus: campaign.status, syncedStatusChanges: campaign.statusChanges } });
    return { started, signalled };
  }

  return { syncCampaign };
}
