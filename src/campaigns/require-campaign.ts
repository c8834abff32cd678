import { Prisma, type Db, type Tx } from '../db.js';
import { NotFoundError } from '../domain/errors.js';
import { closeSendGate } from './campaign-gate.js';
import type { CampaignStatus, PauseReason } from '../generated/prisma/client.js';

export type CampaignRow = {
  id: string;
  name: string;
  status: CampaignStatus;
  settings: unknown;
  pauseReason: PauseReason | null;
  startedAt: Date | null;
  pausedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
};

const LOCKS = { update: Prisma.sql`FOR UPDATE`, share: Prisma.sql`FOR SHARE` } as const;

/**
 * The workspace's campaign, or NotFoundError: another workspace's campaign is indistinguishable
 * from a missing one. `lock` takes its row for the caller's transaction: `update` (after the send gate) serializes status
 * changes with every send (which holds it FOR SHARE), `share` lets writes that must see a stable
 * status (enrollment) run beside sends.
 */
export async function requireCampaign(db: Db | Tx, workspaceId: string, id: string, options: { lock?: keyof typeof LOCKS } = {}): Promise<CampaignRow> {
  if (options.lock === 'update') await closeSendGate(db, id);
  const [row] = await db.$queryRaw<CampaignRow[]>`
    SELECT id, name, status::text AS status, settings, "pauseReason"::text AS "pauseReason", "startedAt", "pausedAt", "createdAt", "updatedAt", version
      FROM "Campaign" WHERE id = ${id} AND "workspaceId" = ${workspaceId} ${options.lock ? LOCKS[options.lock] : Prisma.empty}`;
  if (!row) throw new NotFoundError('campaign');
  return row;
}
