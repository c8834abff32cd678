import type { Tx } from '../db.js';
import { holdAt } from '../domain/send-plan.js';
import { readSettings, type CampaignSettings } from '../campaigns/settings.js';
import { isTerminal, type EndedStatus, type TerminalStatus, type WaitReason } from '../domain/enrollment-status.js';
import { enterSendGate } from '../campaigns/campaign-gate.js';

export type SendTarget = {
  enrollment: {
    id: string;
    workspaceId: string;
    campaignId: string;
    leadId: string;
    status: string;
    senderAccountId: string | null;
    paceSlotAt: Date | null;
    heldUntil: Date | null;
    email: string;
    timezone: string | null;
  };
  campaign: { status: string; settings: CampaignSettings; timezone: string; autoPauseArmedAt: number };
};

export type Blocked =
  | { kind: 'deferred'; reason: WaitReason; until: Date | null }
  | { kind: 'ended'; status: TerminalStatus; reason: string }
  /** The enrollment is still live and must be ended (an address suppressed since enrollment). */
  | { kind: 'ended'; status: EndedStatus; reason: string; end: true };

/**
 * Locks what decides whether a step may go out, in the one order every writer uses (campaign, then
 * enrollment): the campaign row FOR SHARE, so a pause (FOR UPDATE) waits for a send that holds it
 * and a send that comes after the pause sees it; the enrollment FOR UPDATE, so a reply, stop or
 * unsubscribe waits likewise, and two attempts at one step never overlap.
 */
export async function lockForSend(tx: Tx, enrollmentId: string): Promise<SendTarget | null> {
  const campaignId = await enterSendGate(tx, enrollmentId);
  if (!campaignId) return null;
  const [campaign] = await tx.$queryRaw<{ status: string; settings: unknown; timezone: string; autoPauseArmedAt: number }[]>`
    SELECT c.status::text AS status, c.settings, w.timezone, c."autoPauseArmedAt" FROM "Campaign" c JOIN "Workspace" w ON w.id = c."workspaceId"
     WHERE c.id = ${campaignId} FOR SHARE OF c`;
  if (!campaign) return null;
  const [enrollment] = await tx.$queryRaw<SendTarget['enrollment'][]>`
    SELECT e.id, e."workspaceId", e."campaignId", e."leadId", e.status::text AS status, e."senderAccountId", e."paceSlotAt", e."heldUntil", l.email, l.timezone
      FROM "Enrollment" e JOIN "Lead" l ON l.id = e."leadId"
     WHERE e.id = ${enrollmentId} FOR UPDATE OF e`;
  if (!enrollment) return null;
  return { enrollment, campaign: { ...campaign, settings: readSettings(campaign.settings) } };
}

/**
 * SPEC §9, checked by every attempt, first or retry, in the transaction that holds the locks: the
 * enrollment is live and not paused, the campaign is running, the address is not suppressed, no
 * out-of-office hold holds it, and the sending window is open. Reads only; an address suppressed since enrollment comes back with
 * `end` (answerBlocked ends it).
 */
export async function checkSendable(tx: Tx, target: SendTarget, at: Date): Promise<Blocked | null> {
  const { enrollment, campaign } = target;
  if (isTerminal(enrollment.status)) {
    return { kind: 'ended', status: enrollment.status, reason: `enrollment is ${enrollment.status}` };
  }
  if (enrollment.status === 'paused') return { kind: 'deferred', reason: 'lead_paused', until: null };
  if (campaign.status !== 'running') return { kind: 'deferred', reason: 'campaign_paused', until: null };

  const suppression = await tx.suppression.findUnique({
    where: { workspaceId_email: { workspaceId: enrollment.workspaceId, email: enrollment.email } },
  });
  if (suppression) return { kind: 'ended', status: 'stopped', reason: `suppressed (${suppression.reason})`, end: true };

  // The lead's hold and the window, judged as the planner judges them (the dry run reads the same).
  const gate = holdAt(at, { timezone: campaign.timezone, heldUntil: enrollment.heldUntil, window: campaign.settings.sendingWindow, leadTimezone: enrollment.timezone });
  return gate && { kind: 'deferred', reason: gate.reason, until: gate.until };
}

/**
 * The lead's thread sender was paused or refused by the provider: its steps wait for it (SPEC §9).
 * Judged at the claim too, so a held lead re-checks there, with no delivery task on the
 * rate-limited send queue (SPEC §10, no herd); the delivery judges it again under its own locks.
 */
export async function senderBlocked(tx: Tx, target: SendTarget): Promise<Blocked | null> {
  const id = target.enrollment.senderAccountId;
  if (!id) return null;
  const sender = await tx.senderAccount.findUnique({ where: { id }, select: { status: true } });
  return sender && sender.status !== 'active' ? { kind: 'deferred', reason: 'sender_unavailable', until: null } : null;
}
