import type { Db } from '../db.js';
import { planSend } from '../domain/send-plan.js';
import { readSettings } from '../campaigns/settings.js';

/**
 * The campaign's sending window as a reader's view needs it: for a lead's zone, the window's next
 * opening at or after a time, as the claim will judge it (in the workspace's zone, or the lead's).
 */
export async function windowOpenings(db: Db, workspaceId: string, campaignSettings: unknown) {
  const { timezone } = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timezone: true } });
  const window = readSettings(campaignSettings).sendingWindow;
  return (leadTimezone: string | null) => (at: Date) => planSend(at, { timezone, window, leadTimezone }).at;
}
