import { retryOnConflict, type Tx } from '../db.js';
import { judge, WORKSPACE_LIMITS, type Counts, type Verdict } from '../domain/deliverability.js';
import { DAY_MS } from '../domain/time.js';
import type { PauseReason } from '../generated/prisma/client.js';
import type { ServiceDeps } from '../services.js';
import { dispatchEvents, emitEvent, type StoredEvent } from '../webhooks/events.js';

import { closeSendGate } from './campaign-gate.js';
import { DEFAULT_AUTO_PAUSE, readSettings } from './settings.js';

type Running = { id: string; name: string; workspaceId: string; settings: unknown; autoPauseArmedAt: number };
type Scope = 'campaign' | 'workspace';

const REASONS: Record<Scope, Record<Verdict['kind'], PauseReason>> = {
  campaign: { bounce: 'bounce_rate_exceeded', complaint: 'complaint_rate_exceeded' },
  workspace: { bounce: 'workspace_bounce_rate_exceeded', complaint: 'workspace_complaint_rate_exceeded' },
};

/** The send count from which the guard judges a campaign: its minSent, or later after a manual resume. */
export function armedFrom(campaign: { settings: unknown; autoPauseArmedAt: number }): number {
  return Math.max(readSettings(campaign.settings).autoPause?.minSent ?? DEFAULT_AUTO_PAUSE.minSent, campaign.autoPauseArmedAt);
}

async function countsOf(tx: Tx, campaignId: string): Promise<Counts> {
  const c = await tx.campaignCounters.findUnique({ where: { campaignId }, select: { sent: true, bounced: true, complained: true } });
  return c ?? { sent: 0, bounced: 0, complained: 0 };
}

/** The first UTC day of the workspace's rolling window. */
const windowStart = (now: Date) => new Date(now.getTime() - (WORKSPACE_LIMITS.days - 1) * DAY_MS).toISOString().slice(0, 10);

/**
 * Whether the send just recorded is the one that arms a guard after harm already landed: the
 * campaign's sends reach the count it judges from, or the workspace's reach its minSent. A bounce or
 * complaint that landed before either was armed was judged by nobody; this send is when it counts.
 */
export async function armedBySend(tx: Tx, send: { campaignId: string; workspaceId: string; campaignArmedAt: number; now: Date }): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ armed: boolean | null }[]>`
    SELECT COALESCE((SELECT sent = ${send.campaignArmedAt} AND bounced + complained > 0 FROM "CampaignCounters" WHERE "campaignId" = ${send.campaignId}), false)
        OR (SELECT COALESCE(sum(sent), 0) = ${WORKSPACE_LIMITS.minSent} AND COALESCE(sum(bounced) + sum(complained), 0) > 0
              FROM "WorkspaceDailyCounts" WHERE "workspaceId" = ${send.workspaceId} AND day >= ${windowStart(send.now)}) AS armed`;
  return row?.armed === true;
}

async function workspaceCounts(tx: Tx, workspaceId: string, now: Date): Promise<Counts> {
  const since = windowStart(now);
  const [row] = await tx.$queryRaw<Counts[]>`
    SELECT COALESCE(sum(sent), 0)::int AS sent, COALESCE(sum(bounced), 0)::int AS bounced, COALESCE(sum(complained), 0)::int AS complained
      FROM "WorkspaceDailyCounts" WHERE "workspaceId" = ${workspaceId} AND day >= ${since}`;
  return row ?? { sent: 0, bounced: 0, complained: 0 };
}

async function pause(tx: Tx, campaign: Running, verdict: Verdict, scope: Scope, counts: Counts, at: Date): Promise<StoredEvent> {
  const pauseReason = REASONS[scope][verdict.kind];
  await tx.campaign.update({ where: { id: campaign.id }, data: { status: 'paused', pausedAt: at, pauseReason, version: { increment: 1 }, statusChanges: { increment: 1 } } });
  return emitEvent(tx, campaign.workspaceId, 'campaign.auto_paused', {
    campaignId: campaign.id,
    name: campaign.name,
    status: 'paused',
    pausedAt: at.toISOString(),
    pauseReason,
    scope,
    rate: Math.round(verdict.rate * 10_000) / 10_000,
    threshold: verdict.threshold,
    ...counts,
  });
}

type Judged = { events: StoredEvent[]; paused: string[] };
const NONE: Judged = { events: [], paused: [] };

/**
 * SPEC §10: judges a running campaign by its own sends (once armed), and its workspace's last 7
 * days whatever the campaign's state, and pauses what crossed a line — the campaign, or every
 * running campaign of the workspace (but one resumed by hand that has not sent its minSent since).
 * Called after a bounce or complaint lands and when a campaign's sends reach the count it is armed
 * at (rates only rise with harm; sends only dilute them).
 */
export async function checkAutoPause(deps: ServiceDeps, campaignId: string): Promise<string[]> {
  const { events, paused } = await retryOnConflict(() => deps.db.$transaction((tx) => judgeEvent(tx, campaignId, deps.now())));
  await dispatchEvents(deps, events);
  for (const id of paused) await deps.orchestrator.requestCampaignSync(id);
  return paused;
}

/**
 * SPEC §9, every guard on every event: the workspace's guard is judged even when the campaign the
 * harm came from is paused (by hand, or by its own guard on this very event), since that harm still
 * counts against the workspace and the workspace's other campaigns are still sending.
 */
async function judgeEvent(tx: Tx, campaignId: string, at: Date): Promise<Judged> {
  await closeSendGate(tx, campaignId);
  const [campaign] = await tx.$queryRaw<(Running & { status: string })[]>`
    SELECT id, name, "workspaceId", settings, "autoPauseArmedAt", status::text AS status FROM "Campaign" WHERE id = ${campaignId} FOR UPDATE`;
  if (!campaign) return NONE;
  const own = campaign.status === 'running' ? await judgeOwn(tx, campaign, at) : null;
  const workspace = await judgeWorkspace(tx, campaign.workspaceId, at);
  return own ? { events: [own, ...workspace.events], paused: [campaignId, ...workspace.paused] } : workspace;
}

async function judgeOwn(tx: Tx, campaign: Running, at: Date): Promise<StoredEvent | null> {
  const counts = await countsOf(tx, campaign.id);
  const policy = readSettings(campaign.settings).autoPause;
  const verdict = policy && counts.sent >= armedFrom(campaign) ? judge(counts, policy) : null;
  return verdict ? pause(tx, campaign, verdict, 'campaign', counts, at) : null;
}

async function judgeWorkspace(tx: Tx, workspaceId: string, at: Date): Promise<Judged> {
  const workspace = await workspaceCounts(tx, workspaceId, at);
  const verdict = workspace.sent >= WORKSPACE_LIMITS.minSent ? judge(workspace, WORKSPACE_LIMITS) : null;
  if (!verdict) return NONE;
  // Every running campaign's gate before its row, in id order (a deadlock with another
  // workspace-wide pause is retried); the one judged is already held.
  const gates = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Campaign" WHERE "workspaceId" = ${workspaceId} AND status = 'running' ORDER BY id`;
  for (const c of gates) await closeSendGate(tx, c.id);
  const running = await tx.$queryRaw<Running[]>`
    SELECT c.id, c.name, c."workspaceId", c.settings, c."autoPauseArmedAt" FROM "Campaign" c
      LEFT JOIN "CampaignCounters" k ON k."campaignId" = c.id
     WHERE c."workspaceId" = ${workspaceId} AND c.status = 'running' AND COALESCE(k.sent, 0) >= c."autoPauseArmedAt"
     ORDER BY c.id FOR UPDATE OF c`;
  const events = [];
  for (const c of running) events.push(await pause(tx, c, verdict, 'workspace', workspace, at));
  return { events, paused: running.map((c) => c.id) };
}
