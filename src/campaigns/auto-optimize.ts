import type { Db, Tx } from '../db.js';
import { readVariants } from '../domain/variants.js';
import { chooseWinner, type VariantOutcome } from '../domain/winner.js';
import type { ServiceDeps } from '../services.js';
import { dispatchEvents, emitEvent } from '../webhooks/events.js';
import { requireCampaign } from './require-campaign.js';
import { readSettings } from './settings.js';
import { replyRate } from './stats.js';

/**
 * SPEC §12: with settings.autoOptimize, judges each step of the campaign whose variants have no
 * winner yet. Called after what moves a variant's numbers (a counted reply, a delivery), so a
 * winner is chosen the moment the data allows it.
 */
export async function considerWinners(deps: ServiceDeps, campaignId: string): Promise<void> {
  const campaign = await deps.db.campaign.findUnique({ where: { id: campaignId }, select: { workspaceId: true, settings: true } });
  const policy = campaign ? readSettings(campaign.settings).autoOptimize : null;
  if (!campaign || !policy) return;
  const open = await deps.db.sequenceStep.findMany({ where: { campaignId, winnerVariantId: null }, select: { stepNumber: true, variants: true } });
  for (const step of open) {
    if (readVariants(step.variants).length < 2) continue;
    await judgeStep(deps, campaign.workspaceId, campaignId, step, policy.minDeliveredPerVariant);
  }
}

/** The live variants' numbers (a variant weighted 0 was retired: it is no longer in the race). */
async function outcomesOf(db: Db | Tx, campaignId: string, stepNumber: number, variants: unknown): Promise<VariantOutcome[]> {
  const counts = await db.$queryRaw<{ variantId: string; delivered: number; replied: number }[]>`
    SELECT "variantId", sum(delivered)::int AS delivered, sum(replied)::int AS replied
      FROM "CampaignStatsBucket" WHERE "campaignId" = ${campaignId} AND "stepNumber" = ${stepNumber} GROUP BY 1`;
  const byId = new Map(counts.map((c) => [c.variantId, c]));
  return readVariants(variants)
    .filter((v) => v.weight > 0)
    .map((v) => ({ id: v.id, delivered: byId.get(v.id)?.delivered ?? 0, replied: byId.get(v.id)?.replied ?? 0 }));
}

/**
 * Judged first without a lock: most calls (every delivery) find no winner and must not queue
 * behind sends. Only a clear result takes the campaign's lock (the order adding a variant takes)
 * and judges again, so a step gets one winner, once.
 */
async function judgeStep(deps: ServiceDeps, workspaceId: string, campaignId: string, step: { stepNumber: number; variants: unknown }, minDelivered: number) {
  const { stepNumber } = step;
  if (!chooseWinner(await outcomesOf(deps.db, campaignId, stepNumber, step.variants), minDelivered)) return;
  const event = await deps.db.$transaction(async (tx) => {
    await requireCampaign(tx, workspaceId, campaignId, { lock: 'update' });
    const locked = await tx.sequenceStep.findUnique({ where: { campaignId_stepNumber: { campaignId, stepNumber } } });
    if (!locked || locked.winnerVariantId) return null;
    const outcomes = await outcomesOf(tx, campaignId, stepNumber, locked.variants);
    const decision = chooseWinner(outcomes, minDelivered);
    if (!decision) return null;
    await tx.sequenceStep.update({ where: { campaignId_stepNumber: { campaignId, stepNumber } }, data: { winnerVariantId: decision.winnerId, winnerSelectedAt: deps.now() } });
    await tx.campaign.update({ where: { id: campaignId }, data: { version: { increment: 1 } } });
    return emitEvent(tx, workspaceId, 'step.winner_selected', {
      campaignId,
      stepNumber,
      variantId: decision.winnerId,
      minDeliveredPerVariant: minDelivered,
      variants: outcomes.map((o) => ({ ...o, replyRate: replyRate(o.replied, o.delivered), z: decision.comparisons.find((c) => c.against === o.id)?.z ?? null })),
    });
  });
  if (event) await dispatchEvents(deps, [event]);
}
