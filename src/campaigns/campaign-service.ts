import type { Campaign, SequenceStep } from '../generated/prisma/client.js';
import { NotFoundError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { paginate } from '../domain/paginate.js';
import { mergeSettings, readSettings, type SettingsPatch } from './settings.js';
import type { ServiceDeps } from '../services.js';

export type StepInput = { stepNumber: number; delayDays: number; subject: string; bodyHtml: string };
type CampaignWithSteps = Campaign & { steps: SequenceStep[] };

export function campaignSummary(c: Campaign, stepCount: number) {
  return { id: c.id, name: c.name, status: c.status, sequenceSteps: stepCount, createdAt: c.createdAt.toISOString() };
}

export function campaignView(c: CampaignWithSteps) {
  const steps = [...c.steps].sort((a, b) => a.stepNumber - b.stepNumber);
  return {
    ...campaignSummary(c, steps.length),
    steps: steps.map(({ stepNumber, delayDays, subject, bodyHtml }) => ({ stepNumber, delayDays, subject, bodyHtml })),
    settings: readSettings(c.settings),
    startedAt: c.startedAt?.toISOString() ?? null,
    pausedAt: c.pausedAt?.toISOString() ?? null,
    pauseReason: c.status === 'paused' ? c.pauseReason : null,
    version: c.version,
    updatedAt: c.updatedAt.toISOString(),
  };
}

export async function createCampaign(
  { db }: ServiceDeps,
  workspaceId: string,
  input: { name: string; sequenceSteps?: StepInput[] | undefined; settings?: SettingsPatch | undefined },
) {
  const steps = input.sequenceSteps ?? [];
  const campaign = await db.campaign.create({
    data: {
      id: newId('camp'),
      workspaceId,
      name: input.name,
      settings: mergeSettings({}, input.settings),
      steps: { create: steps },
    },
  });
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
