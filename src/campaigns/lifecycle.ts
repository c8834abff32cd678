import { retryOnConflict, MAY_WAIT_FOR_LOCKS, type Tx } from '../db.js';
import { ConflictError, PreconditionError, VersionMismatchError } from '../domain/errors.js';
import type { ServiceDeps } from '../services.js';
import { dispatchEvents, emitEvent } from '../webhooks/events.js';

import { getCampaign, stepRow, type StepInput } from './campaign-service.js';
import { mergeSettings, type SettingsPatch } from './settings.js';
import { requireCampaign, type CampaignRow } from './require-campaign.js';
import { DEFAULT_AUTO_PAUSE, readSettings } from './settings.js';

export async function updateCampaign(
  deps: ServiceDeps,
  workspaceId: string,
  id: string,
  patch: { name?: string | undefined; sequenceSteps?: StepInput[] | undefined; settings?: SettingsPatch | undefined },
  /** The version the caller read (If-Match); a change since then refuses the patch. */
  ifMatch?: number,
) {
  const event = await deps.db.$transaction(async (tx) => {
    const campaign = await requireCampaign(tx, workspaceId, id, { lock: 'update' });
    if (ifMatch !== undefined && ifMatch !== campaign.version) throw new VersionMismatchError(ifMatch, campaign.version);
    if (patch.sequenceSteps && campaign.status !== 'draft') {
      throw new ConflictError('campaign_not_draft', `Steps can change only while the campaign is a draft; it is ${campaign.status}.`);
    }
    const updated = await tx.campaign.update({
      where: { id },
      data: {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.settings !== undefined ? { settings: mergeSettings(campaign.settings, patch.settings) } : {}),
        version: { increment: 1 },
      },
    });
    if (patch.sequenceSteps) {
      await tx.sequenceStep.deleteMany({ where: { campaignId: id } });
      await tx.sequenceStep.createMany({ data: patch.sequenceSteps.map((s) => ({ ...stepRow(s), campaignId: id })) });
    }
    // Settings by name (`settings.sendingWindow`), so a reader of the feed knows what moved.
    const changed = [
      ...(patch.name !== undefined ? ['name'] : []),
      ...Object.keys(patch.settings ?? {}).map((key) => `settings.${key}`),
      ...(patch.sequenceSteps ? ['sequenceSteps'] : []),
    ];
    return emitEvent(tx, workspaceId, 'campaign.updated', { campaignId: id, name: updated.name, status: updated.status, version: updated.version, changed });
  });
  await dispatchEvents(deps, [event]);
  return getCampaign(deps, workspaceId, id);
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

/**
 * SPEC §10: resuming a campaign its guard paused re-arms the guard only after minSent more sends,
 * so the person who resumed it gets room to see whether the fix worked.
 */
async function rearm(tx: Tx, campaign: CampaignRow) {
  if (!campaign.pauseReason || campaign.pauseReason === 'manual') return {};
  const sent = (await tx.campaignCounters.findUnique({ where: { campaignId: campaign.id }, select: { sent: true } }))?.sent ?? 0;
  return { autoPauseArmedAt: sent + (readSettings(campaign.settings).autoPause?.minSent ?? DEFAULT_AUTO_PAUSE.minSent) };
}

/** A draft starts only with steps and leads (SPEC §2); a resume never launches one. */
async function checkStartable(tx: Tx, campaignId: string, resumeOnly: boolean) {
  if (resumeOnly) throw new ConflictError('campaign_not_paused', 'Only a paused campaign can be resumed; start a draft with POST /start.');
  if ((await tx.sequenceStep.count({ where: { campaignId } })) === 0) {
    throw new PreconditionError('no_sequence_steps', 'Add at least one sequence step before starting the campaign.');
  }
  if (!(await tx.enrollment.findFirst({ where: { campaignId }, select: { id: true } }))) {
    throw new PreconditionError('no_leads_enrolled', 'Enroll at least one lead before starting the campaign.');
  }
}

/** draft → running (steps and leads required), paused → running; running is a no-op. */
export async function startCampaign(deps: ServiceDeps, workspaceId: string, id: string, options: { resumeOnly?: boolean } = {}) {
  const { campaign, event } = await retryOnConflict(() =>
    deps.db.$transaction(async (tx) => {
      const current = await requireCampaign(tx, workspaceId, id, { lock: 'update' });
      if (current.status === 'running') return { campaign: current, event: null };
      if (current.status === 'draft') await checkStartable(tx, id, options.resumeOnly ?? false);
      const at = deps.now();
      const updated = await tx.campaign.update({
        where: { id },
        data: { status: 'running', startedAt: current.startedAt ?? at, pausedAt: null, pauseReason: null, version: { increment: 1 }, statusChanges: { increment: 1 }, ...(await rearm(tx, current)) },
      });
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
  if (event) await dispatchEvents(deps, [event]);
  // Also on a no-op: a start or resume retried after a failed sync still reaches every enrollment
  // (the fan-out does nothing more when it is already in line).
  await deps.orchestrator.requestCampaignSync(id);
  return { id: campaign.id, status: campaign.status, startedAt: campaign.startedAt?.toISOString() ?? null };
}

/**
 * running → paused; draft and paused are no-ops. The pause commits only once no provider call of
 * the campaign is in flight (each holds the campaign row FOR SHARE), and every later attempt reads
 * it: no provider request for this campaign begins after this returns.
 */
export async function pauseCampaign(deps: ServiceDeps, workspaceId: string, id: string) {
  const { campaign, event } = await deps.db.$transaction(async (tx) => {
    const current = await requireCampaign(tx, workspaceId, id, { lock: 'update' });
    if (current.status !== 'running') return { campaign: current, event: null };
    const updated = await tx.campaign.update({ where: { id }, data: { status: 'paused', pausedAt: deps.now(), pauseReason: 'manual', version: { increment: 1 }, statusChanges: { increment: 1 } } });
    const event = await emitEvent(tx, workspaceId, 'campaign.paused', { campaignId: id, name: updated.name, status: 'paused', pausedAt: updated.pausedAt?.toISOString() });
    return { campaign: updated, event };
  }, MAY_WAIT_FOR_LOCKS);
  if (event) await dispatchEvents(deps, [event]);
  // The database already stops every send; the signals let each workflow show it is paused. Also
  // on a no-op: a pause retried after a failed sync (a 503, a lost answer) still reaches them all.
  if (campaign.status === 'paused') await deps.orchestrator.requestCampaignSync(id);
  return { id: campaign.id, status: campaign.status, pausedAt: campaign.pausedAt?.toISOString() ?? null };
}
