import { ConflictError, InvalidValueError, NotFoundError, VersionMismatchError } from '../domain/errors.js';
import { MAX_VARIANTS, readVariants, withIds, type VariantInput } from '../domain/variants.js';
import type { ServiceDeps } from '../services.js';
import { dispatchEvents, emitEvent } from '../webhooks/events.js';
import { stepView } from './campaign-service.js';
import { requireCampaign } from './require-campaign.js';

/**
 * Adds a variant to a step in any status (SPEC §12): leads already sent the step (or claimed for
 * it) keep theirs, every lead reaching it later is assigned among all variants. A step with one
 * version becomes variants A (its content) and the new one. A chosen winner is set aside: the new
 * variant starts a new test.
 */
export async function addVariant(deps: ServiceDeps, workspaceId: string, campaignId: string, stepNumber: number, input: Omit<VariantInput, 'bodyHtml'> & { bodyHtml?: string | undefined }, ifMatch?: number) {
  const { event, ...answer } = await deps.db.$transaction(async (tx) => {
    const campaign = await requireCampaign(tx, workspaceId, campaignId, { lock: 'update' });
    if (ifMatch !== undefined && ifMatch !== campaign.version) throw new VersionMismatchError(ifMatch, campaign.version);
    const step = await tx.sequenceStep.findUnique({ where: { campaignId_stepNumber: { campaignId, stepNumber } } });
    if (!step) throw new NotFoundError('step', `The campaign has no step ${stepNumber}.`);
    const current = readVariants(step.variants);
    const variants = current.length ? current : withIds([{ subject: step.subject, bodyHtml: step.bodyHtml }]);
    if (variants.length >= MAX_VARIANTS) throw new ConflictError('too_many_variants', `A step has at most ${MAX_VARIANTS} variants; this one has ${variants.length}.`);
    if (input.id && variants.some((v) => v.id === input.id)) throw new ConflictError('variant_exists', `The step already has a variant ${input.id}.`);
    if (stepNumber === 1 && input.subject.trim() === '') throw new InvalidValueError('subject', 'required', 'Step 1 needs a subject.');
    const [added] = withIds([{ ...input, bodyHtml: input.bodyHtml ?? variants[0]!.bodyHtml }], variants.map((v) => v.id));
    const updated = await tx.sequenceStep.update({
      where: { campaignId_stepNumber: { campaignId, stepNumber } },
      data: { variants: [...variants, added!], winnerVariantId: null, winnerSelectedAt: null },
    });
    const { version } = await tx.campaign.update({ where: { id: campaignId }, data: { version: { increment: 1 } }, select: { version: true } });
    const event = await emitEvent(tx, workspaceId, 'variant.added', { campaignId, stepNumber, variantId: added!.id, variants: variants.length + 1, version });
    return { step: stepView(updated), version, event };
  });
  await dispatchEvents(deps, [event]);
  return answer;
}
