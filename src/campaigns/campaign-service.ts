import type { Campaign, SequenceStep } from '../generated/prisma/client.js';
import { Prisma } from '../db.js';
import { NotFoundError } from '../domain/errors.js';
import { readVariants, withIds, type VariantInput } from '../domain/variants.js';
import { newId } from '../domain/ids.js';
import { paginate } from '../domain/paginate.js';
import { mergeSettings, readSettings, type SettingsPatch } from './settings.js';
import type { ServiceDeps } from '../services.js';
import { dispatchEvents, emitEvent } from '../webhooks/events.js';

/** A step as the API validated it: subject and bodyHtml, or variants. */
export type StepInput = { stepNumber: number; delayDays: number; subject?: string | undefined; bodyHtml?: string | undefined; variants?: VariantInput[] | undefined };
type CampaignWithSteps = Campaign & { steps: SequenceStep[] };

export function campaignSummary(c: Campaign, stepCount: number) {
  return { id: c.id, name: c.name, status: c.status, sequenceSteps: stepCount, createdAt: c.createdAt.toISOString() };
}

export function stepView(s: SequenceStep) {
  return {
    stepNumber: s.stepNumber,
    delayDays: s.delayDays,
    subject: s.subject,
    bodyHtml: s.bodyHtml,
    variants: readVariants(s.variants),
    winnerVariantId: s.winnerVariantId,
    winnerSelectedAt: s.winnerSelectedAt?.toISOString() ?? null,
  };
}

/** A step as written to the database: with variants, their ids filled in and the first one's content as the step's. */
export function stepRow({ stepNumber, delayDays, subject, bodyHtml, variants }: StepInput) {
  if (!variants) return { stepNumber, delayDays, subject: subject ?? '', bodyHtml: bodyHtml ?? '', variants: Prisma.DbNull };
  const named = withIds(variants);
  return { stepNumber, delayDays, subject: named[0]!.subject, bodyHtml: named[0]!.bodyHtml, variants: named };
}

export function campaignView(c: CampaignWithSteps) {
  const steps = [...c.steps].sort((a, b) => a.stepNumber - b.stepNumber);
  return {
    ...campaignSummary(c, steps.length),
    steps: steps.map(stepView),
    settings: readSettings(c.settings),
    startedAt: c.startedAt?.toISOString() ?? null,
    pausedAt: c.pausedAt?.toISOString() ?? null,
    pauseReason: c.status === 'paused' ? c.pauseReason : null,
    version: c.version,
    updatedAt: c.updatedAt.toISOString(),
  };
}

export async function createCampaign(
  deps: ServiceDeps,
  workspaceId: string,
  input: { name: string; sequenceSteps?: StepInput[] | undefined; settings?: SettingsPatch | undefined },
) {
  const steps = input.sequenceSteps ?? [];
  const { campaign, event } = await deps.db.$transaction(async (tx) => {
    const campaign = await tx.campaign.create({
      data: {
        id: newId('camp'),
        workspaceId,
        name: input.name,
        settings: mergeSettings({}, input.settings),
        steps: { create: steps.map(stepRow) },
      },
    });
    const event = await emitEvent(tx, workspaceId, 'campaign.created', { campaignId: campaign.id, name: campaign.name, status: campaign.status, sequenceSteps: steps.length });
    return { campaign, event };
  });
  await dispatchEvents(deps, [event]);
  return campaignSummary(campaign, steps.length);
}

/** Scoped to the workspace: another workspace's campaign is indistinguishable from a missing one. */
export async function getCampaign({ db }: ServiceDeps, workspaceId: string, id: string): Promise<CampaignWithSteps> {
  const campaign = await db.campaign.findFirst({ where: { id, workspaceId }, include: { steps: true } });
  if (!campaign) throw new NotFoundError('campaign');
  return campaign;
}

export async function listCampaigns(
  { db }: ServiceDeps,
  workspaceId: string,
  query: { limit: number; cursor?: string | undefined; status?: Campaign['status'] | undefined },
) {
  const rows = await db.campaign.findMany({
    where: {
      workspaceId,
      ...(query.status ? { status: query.status } : {}),
      ...(query.cursor ? { id: { lt: query.cursor } } : {}),
    },
    orderBy: { id: 'desc' },
    take: query.limit + 1,
    include: { steps: true },
  });
  const { page, nextCursor } = paginate(rows, query.limit, (c) => c.id);
  return { data: page.map(campaignView), nextCursor };
}
