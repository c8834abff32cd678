import { ApiError } from '../api/errors.js';
import { retryOnConflict, MAY_WAIT_FOR_LOCKS, type Db, type Tx } from '../db.js';
import { getCampaign, mergeSettings, type CampaignSettings, type StepInput } from './campaign-service.js';
import { dispatchEvents, emitEvent } from '../webhooks/events.js';
import { requestCampaignSync, type Orchestrator } from './orchestration.js';

type LockedCampaign = { id: string; status: 'draft' | 'running' | 'paused'; startedAt: Date | null; pausedAt: Date | null };

/**
 * Locks the campaign row for the transaction: status changes serialize with each other, with bulk
 * enrollment and with sendStep's FOR SHARE read, which is what makes "paused" effective for sends
 * the moment the pause commits.
 */
async function lockCampaign(tx: Tx, workspaceId: string, id: string) {
  const rows = await tx.$queryRaw<LockedCampaign[]>`
    SELECT id, status::text AS status, "startedAt", "pausedAt" FROM "Campaign"
     WHERE id = ${id} AND "workspaceId" = ${workspaceId} FOR UPDATE`;
  if (!rows[0]) throw new ApiError(404, 'campaign_not_found', 'Campaign not found.');
  return rows[0];
}

export async function updateCampaign(
  db: Db,
  workspaceId: string,
  id: string,
  patch: { name?: string | undefined; sequenceSteps?: StepInput[] | undefined; settings?: Partial<CampaignSettings> | undefined },
) {
  await db.$transaction(async (tx) => {
    const campaign = await lockCampaign(tx, workspaceId, id);
    if (patch.sequenceSteps && campaign.status !== 'draft') {
      throw new ApiError(409, 'campaign_not_draft', `Steps can change only while the campaign is a draft; it is ${campaign.status}.`);
    }
    const current = await tx.campaign.findUniqueOrThrow({ where: { id }, select: { settings: true } });
    await tx.campaign.update({
      where: { id },
      data: {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.settings !== undefined ? { settings: mergeSettings(current.settings, patch.settings) } : {}),
      },
    });
    if (patch.sequenceSteps) {
      await tx.sequenceStep.deleteMany({ where: { campaignId: id } });
      await tx.sequenceStep.createMany({ data: patch.sequenceSteps.map((s) => ({ ...s, campaignId: id })) });
    }
  });
  return getCampaign(db, workspaceId, id);
}

/**
 * Leads waiting for the campaign become active with their first step planned (SPEC §9: after start
 * returns, every enrolled lead is active); the fan-out then starts their workflows.
 */
async function activatePending(tx: Tx, campaignId: string, startedAt: Date, at: Date) {
  const first = await tx.sequenceStep.findUnique({ where: { campaignId_stepNumber: { campaignId, stepNumber: 1 } }, select: { delayDays: true } });
  await tx.$executeRaw`
    UPDATE "Enrollment" SET status = 'active', "waitingFor" = 'delay', "waitingSince" = ${at},
           "nextSendAt" = GREATEST("enrolledAt", ${startedAt}) + make_interval(days => ${first?.delayDays ?? 0})
     WHERE "campaignId" = ${campaignId} AND status = 'pending'`;
}

/** draft → running (steps and leads required), paused → running; running is a no-op. */
export async function startCampaign(db: Db, orchestrator: Orchestrator, workspaceId: string, id: string, options: { resumeOnly?: boolean } = {}) {
  const { campaign, event } = await retryOnConflict(() =>
    db.$transaction(async (tx) => {
      const current = await lockCampaign(tx, workspaceId, id);
      if (current.status === 'running') return { campaign: current, event: null };
      if (current.status === 'draft') {
        if (options.resumeOnly) throw new ApiError(409, 'campaign_not_paused', 'Only a paused campaign can be resumed; start a draft with POST /start.');
        if ((await tx.sequenceStep.count({ where: { campaignId: id } })) === 0) {
          throw new ApiError(400, 'no_sequence_steps', 'Add at least one sequence step before starting the campaign.');
        }
        if (!(await tx.enrollment.findFirst({ where: { campaignId: id }, select: { id: true } }))) {
          throw new ApiError(400, 'no_leads_enrolled', 'Enroll at least one lead before starting the campaign.');
        }
      }
      const at = new Date();
      const updated = await tx.campaign.update({ where: { id }, data: { status: 'running', startedAt: current.startedAt ?? at, pausedAt: null } });
      await activatePending(tx, id, updated.startedAt!, at);
      const event = await emitEvent(tx, workspaceId, 'campaign.started', {
        campaignId: id,
        name: updated.name,
        status: 'running',
        startedAt: updated.startedAt?.toISOString(),
        resumed: current.status === 'paused',
      });
      return { campaign: updated, event };
    }, MAY_WAIT_FOR_LOCKS),
  );
  if (event) await dispatchEvents(db, orchestrator, [event]);
  // Also on a no-op: a start or resume retried after a failed sync still reaches every enrollment
  // (the fan-out does nothing more when it is already in line).
  await requestCampaignSync(orchestrator, id, true);
  return { id: campaign.id, status: campaign.status, startedAt: campaign.startedAt?.toISOString() ?? null };
}

/**
 * running → paused; draft and paused are no-ops. The pause commits only once no provider call of
 * the campaign is in flight (each holds the campaign row FOR SHARE), and every later attempt reads
 * it: no provider request for this campaign begins after this returns.
 */
export async function pauseCampaign(db: Db, orchestrator: Orchestrator, workspaceId: string, id: string) {
  const { campaign, event } = await db.$transaction(async (tx) => {
    const current = await lockCampaign(tx, workspaceId, id);
    if (current.status !== 'running') return { campaign: current, event: null };
    const updated = await tx.campaign.update({ where: { id }, data: { status: 'paused', pausedAt: new Date() } });
    const event = await emitEvent(tx, workspaceId, 'campaign.paused', { campaignId: id, name: updated.name, status: 'paused', pausedAt: updated.pausedAt?.toISOString() });
    return { campaign: updated, event };
  }, MAY_WAIT_FOR_LOCKS);
  if (event) await dispatchEvents(db, orchestrator, [event]);
  // The database already stops every send; the signals let each workflow show it is paused. Also
  // on a no-op: a pause retried after a failed sync (a 503, a lost answer) still reaches them all.
  if (campaign.status === 'paused') await requestCampaignSync(orchestrator, id, true);
  return { id: campaign.id, status: campaign.status, pausedAt: campaign.pausedAt?.toISOString() ?? null };
}
