import { ApiError } from '../api/errors.js';
import type { Db } from '../db.js';
import { getCampaign, mergeSettings, type CampaignSettings, type StepInput } from './campaign-service.js';
import { dispatchEvents, emitEvent } from '../webhooks/events.js';
import { requestCampaignSync, type Orchestrator } from './orchestration.js';

type LockedCampaign = { id: string; status: 'draft' | 'running' | 'paused'; startedAt: Date | null; pausedAt: Date | null };

/**
 * Locks the campaign row for the transaction: status changes serialize with each other, with bulk
 * enrollment and with sendStep's FOR SHARE read, which is what makes "paused" effective for sends
 * the moment the pause commits.
 */
async function lockCampaign(tx: Parameters<Parameters<Db['$transaction']>[0]>[0], workspaceId: string, id: string) {
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

/** draft → running (steps and leads required), paused → running; running is a no-op. */
export async function startCampaign(db: Db, orchestrator: Orchestrator, workspaceId: string, id: string) {
  const { campaign, resumed, event } = await db.$transaction(async (tx) => {
    const current = await lockCampaign(tx, workspaceId, id);
    if (current.status === 'running') return { campaign: current, resumed: false, event: null };
    if (current.status === 'draft') {
      if ((await tx.sequenceStep.count({ where: { campaignId: id } })) === 0) {
        throw new ApiError(400, 'no_sequence_steps', 'Add at least one sequence step before starting the campaign.');
      }
      if (!(await tx.enrollment.findFirst({ where: { campaignId: id }, select: { id: true } }))) {
        throw new ApiError(400, 'no_leads_enrolled', 'Enroll at least one lead before starting the campaign.');
      }
    }
    const updated = await tx.campaign.update({
      where: { id },
      data: { status: 'running', startedAt: current.startedAt ?? new Date(), pausedAt: null },
    });
    const event = await emitEvent(tx, workspaceId, 'campaign.started', {
      campaignId: id,
      name: updated.name,
      status: 'running',
      startedAt: updated.startedAt?.toISOString(),
      resumed: current.status === 'paused',
    });
    return { campaign: updated, resumed: current.status === 'paused', event };
  });
  if (event) await dispatchEvents(db, orchestrator, [event]);
  // Also on a no-op: a retried start after a failed signal still reaches every enrollment.
  await requestCampaignSync(orchestrator, id, resumed);
  return { id: campaign.id, status: campaign.status, startedAt: campaign.startedAt?.toISOString() ?? null };
}

/** running → paused: no send begins after this returns; draft and paused are no-ops. */
export async function pauseCampaign(db: Db, orchestrator: Orchestrator, workspaceId: string, id: string) {
  const { campaign, paused, event } = await db.$transaction(async (tx) => {
    const current = await lockCampaign(tx, workspaceId, id);
    if (current.status !== 'running') return { campaign: current, paused: false, event: null };
    const updated = await tx.campaign.update({ where: { id }, data: { status: 'paused', pausedAt: new Date() } });
    const event = await emitEvent(tx, workspaceId, 'campaign.paused', { campaignId: id, name: updated.name, status: 'paused', pausedAt: updated.pausedAt?.toISOString() });
    return { campaign: updated, paused: true, event };
  });
  if (event) await dispatchEvents(db, orchestrator, [event]);
  // The database already stops every send; the signals let each workflow show it is paused.
  if (paused) await requestCampaignSync(orchestrator, id, true);
  return { id: campaign.id, status: campaign.status, pausedAt: campaign.pausedAt?.toISOString() ?? null };
}
