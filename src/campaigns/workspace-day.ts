import { retryOnConflict, MAY_WAIT_FOR_LOCKS, type Db } from '../db.js';
import { closeSendGate } from './campaign-gate.js';

/**
 * Its name, or its time zone: the day its caps count against. A new zone turns the day for every
 * mail that reaches the provider after this answers (SPEC §9, caps on the day a mail leaves). A
 * send holds its campaign's gate from its caps check to the end of its call, so the change waits
 * for the sends already past their check, and every later send reads the new zone after it
 * (checker seed 4: three calls checked on the old day left just after the turn, on the new one).
 */
export async function updateWorkspace(db: Db, id: string, patch: { name?: string | undefined; timezone?: string | undefined }) {
  const current = await db.workspace.findUniqueOrThrow({ where: { id }, select: { timezone: true } });
  if (patch.timezone === undefined || patch.timezone === current.timezone) {
    return db.workspace.update({ where: { id }, data: patch });
  }
  return retryOnConflict(() =>
    db.$transaction(async (tx) => {
      // In id order, as the workspace guard takes them (a deadlock with it is retried).
      const campaigns = await tx.campaign.findMany({ where: { workspaceId: id }, select: { id: true }, orderBy: { id: 'asc' } });
      for (const c of campaigns) await closeSendGate(tx, c.id);
      return tx.workspace.update({ where: { id }, data: patch });
    }, MAY_WAIT_FOR_LOCKS),
  );
}
