import type { Db } from '../db.js';
import { planSend } from '../domain/send-plan.js';
import { readSettings } from '../campaigns/settings.js';

/**
 * A campaign's sending window as a reader's view needs it: for its settings and a lead's zone, the
 * window's next opening at or after a time, as the claim will judge it (in the workspace's zone, or
 * the lead's). The workspace's zone is read once, however many campaigns and leads the view shows.
 */
export async function windowOpenings(db: Db, workspaceId: string) {
  const { timezone } = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timezone: true } });
  return (campaignSettings: unknown, leadTimezone: string | null) => {
    const window = readSettings(campaignSettings).sendingWindow;
    return (at: Date) => planSend(at, { timezone, window, leadTimezone }).at;
  };
}
