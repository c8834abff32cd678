import { retryOnConflict, MAY_WAIT_FOR_LOCKS, type Tx } from '../db.js';
import { checkAutoPause } from '../campaigns/auto-pause.js';
import { considerWinners } from '../campaigns/auto-optimize.js';
import { readSettings, type CampaignSettings } from '../campaigns/settings.js';
import { classifyReply, stripQuoted, type ReplyClassification } from '../domain/classify-reply.js';
import { normalizeEmail } from '../domain/email.js';
import type { StopReason } from '../domain/enrollment-status.js';
import { NotFoundError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { paginate } from '../domain/paginate.js';
import { endEnrollments, lockEnrollments, notifyEnded } from '../leads/endings.js';
import type { ServiceDeps } from '../services.js';
import { dispatchEvents, emitEvent, emitEvents } from '../webhooks/events.js';
import { waitingView } from '../domain/waiting.js';
import { windowOpenings } from '../leads/window-opening.js';
import { holdEnrollments } from './hold.js';
import { suppressAddress } from './suppression.js';
import { movesFrom } from '../domain/message-states.js';

// Company-wide stops never reach across a free-mail domain: its users are not one company.
const FREE_MAIL = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com', 'ymail.com', 'icloud.com',
  'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.de', 'gmx.net', 'web.de', 't-online.de', 'orange.fr',
  'free.fr', 'laposte.net', 'wanadoo.fr', 'yandex.ru', 'mail.ru', 'zoho.com', 'hey.com', 'fastmail.com',
]);

export type ReplyInput = {
  email: string;
  campaignId?: string | undefined;
  subject?: string | undefined;
  text: string;
  receivedAt?: Date | undefined;
  headers?: Record<string, string> | undefined;
  from?: string | undefined;
};

export function replyView(r: { id: string; email: string; campaignId: string | null; leadId: string; classification: string; receivedAt: Date; text: string; subject: string | null }) {
  return {
    id: r.id,
    email: r.email,
    campaignId: r.campaignId,
    leadId: r.leadId,
    classification: r.classification as ReplyClassification,
    subject: r.subject,
    receivedAt: r.receivedAt.toISOString(),
    threadSnippet: stripQuoted(r.text).replace(/\s+/g, ' ').slice(0, 200),
  };
}

/** Thrown by `recordReply` when its `claim` finds the reply already recorded (nothing was written). */
export class ReplyAlreadyRecorded extends Error {
  constructor() {
    super('This reply was already recorded.');
    this.name = 'ReplyAlreadyRecorded';
  }
}

export type RecordReplyOptions = {
  /**
   * Runs first inside the reply's transaction; false means another request already recorded this
   * reply (e.g. the same provider event delivered twice at once), and nothing is written.
   */
  claim?: (tx: Tx) => Promise<boolean>;
};

/** `colleagues`: the workflows to tell; `colleaguesStopped`: the addresses of the colleagues it stopped. */
type Effects = { ended: string[]; as: StopReason; colleagues: string[]; colleaguesStopped?: string[] };
type ReplyFacts = { workspaceId: string; leadId: string; email: string; campaignId: string | null; classification: ReplyClassification; at: Date; text: string; leadTimezone: string | null };

/**
 * Records a reply and applies its effects in one transaction (SPEC §6, §9, §12): a person's answer
 * ends the lead's sequence in the campaign it answered and counts the lead as replied — once,
 * however many replies race, and even after the last step — unless settings.onReply holds it; an
 * out-of-office holds the lead until the working day after its return date (or stops it, as the
 * campaign says); an unsubscribe counts likewise and suppresses the address everywhere; a bounce
 * notice (a mailer-daemon reply) counts as a bounce of the last mail, not as a reply, and
 * suppresses. `stopCompanyOnReply` stops the other leads of the same company domain in that
 * campaign.
 */
export async function recordReply(deps: ServiceDeps, workspaceId: string, input: ReplyInput, options: RecordReplyOptions = {}) {
  const { db, orchestrator } = deps;
  const email = normalizeEmail(input.email);
  const lead = await db.lead.findUnique({ where: { workspaceId_email: { workspaceId, email } } });
  if (!lead) throw new NotFoundError('lead', `No lead with the email ${email} in this workspace.`);
  if (input.campaignId && !(await db.enrollment.findFirst({ where: { campaignId: input.campaignId, leadId: lead.id, workspaceId } }))) {
    throw new NotFoundError('campaign', 'The lead is not enrolled in that campaign.');
  }
  const classification = classifyReply({ from: input.from ?? email, subject: input.subject, text: input.text, headers: input.headers });
  // Without a campaign, the reply answers the campaign that mailed the lead last.
  const campaignId =
    input.campaignId ??
    (await db.message.findFirst({ where: { leadId: lead.id, workspaceId }, orderBy: { createdAt: 'desc' }, select: { campaignId: true } }))?.campaignId ??
    null;
  const at = input.receivedAt ?? deps.now();

  const { reply, event, effects } = await retryOnConflict(() =>
    db.$transaction(async (tx) => {
      if (options.claim && !(await options.claim(tx))) throw new ReplyAlreadyRecorded();
      // The lead's enrollments first, in the order every writer takes them: replies racing each
      // other or a send queue up here, and each sees what the one before it wrote.
      const enrollments = await tx.enrollment.findMany({ where: { leadId: lead.id }, select: { id: true } });
      await lockEnrollments(tx, enrollments.map((e) => e.id));
      const reply = await tx.reply.create({
        data: { id: newId('rpl'), workspaceId, campaignId, leadId: lead.id, email, subject: input.subject ?? null, text: input.text, classification, receivedAt: at },
      });
      const event = await emitEvent(tx, workspaceId, 'reply.received', { reply: replyView(reply) });
      const effects = await applyReply(tx, { workspaceId, leadId: lead.id, email, campaignId, classification, at, text: input.text, leadTimezone: lead.timezone });
      return { reply, event, effects };
    }, MAY_WAIT_FOR_LOCKS),
  );
  await dispatchEvents(deps, [event]);
  if (effects) {
    await notifyEnded(orchestrator, effects.ended, effects.as);
    await notifyEnded(orchestrator, effects.colleagues, 'stopped');
  }
  // A counted reply moves its variant's numbers: the step may have a winner now.
  if (effects?.as === 'replied' && campaignId) await considerWinners(deps, campaignId);
  // A bounce notice is a bounce: the deliverability guard weighs it.
  if (classification === 'bounce' && campaignId) await checkAutoPause(deps, campaignId);
  const colleagues = effects?.colleaguesStopped ?? [];
  return { ...replyView(reply), colleaguesStopped: colleagues.length, colleaguesStoppedEmails: colleagues };
}

/**
 * Where the lead stands after its reply in the campaign the reply named (or, none named, in every
 * campaign): what the reply did. Read only for callers that answer with it (the API), not inbound mail.
 */
export async function enrollmentsAfterReply(deps: ServiceDeps, leadId: string, campaignId: string | null) {
  const rows = await deps.db.enrollment.findMany({
    where: { leadId, ...(campaignId ? { campaignId } : {}) },
    select: { campaignId: true, workspaceId: true, status: true, stopReason: true, waitingFor: true, nextSendAt: true, campaign: { select: { status: true, settings: true } }, lead: { select: { timezone: true } } },
    orderBy: { enrolledAt: 'asc' },
  });
  const now = deps.now();
  // A lead belongs to one workspace: its zone is read once for every campaign it is in.
  const openings = rows[0] ? await windowOpenings(deps.db, rows[0].workspaceId) : null;
  return rows.map((e) => ({ campaignId: e.campaignId, status: e.status, stopReason: e.stopReason, ...waitingView(e, e.campaign.status, now, openings?.(e.campaign.settings, e.lead.timezone)) }));
}

async function applyReply(tx: Tx, r: ReplyFacts): Promise<Effects | null> {
  const reason = `reply: ${r.classification}`;
  const settings = await settingsOf(tx, r.campaignId);
  // SPEC §12: a person's answer (or an out-of-office) stops or holds, as the campaign says.
  if (r.classification === 'interested' || r.classification === 'not_interested' || r.classification === 'out_of_office') {
    if (settings.onReply[r.classification] === 'hold') {
      await holdEnrollments(tx, { ...r, timezone: r.leadTimezone ?? (await workspaceZone(tx, r.workspaceId)) });
      // A person's answer counts as a reply however it is handled; an auto-reply does not.
      if (r.classification !== 'out_of_office' && r.campaignId) await markReplied(tx, r.campaignId, r.leadId, r.at, 'replied', reason);
      return null;
    }
    if (r.classification === 'out_of_office') {
      return { ended: await endEnrollments(tx, { leadIds: [r.leadId], campaignId: r.campaignId ?? undefined }, 'stopped', reason, r.at), as: 'stopped', colleagues: [] };
    }
  }
  switch (r.classification) {
    case 'bounce': {
      await suppressAddress(tx, r.workspaceId, r.email, 'bounced');
      if (r.campaignId) await bounceLastMessage(tx, r.campaignId, r.leadId, r.at);
      return { ended: await endEnrollments(tx, { leadIds: [r.leadId] }, 'bounced', reason, r.at), as: 'bounced', colleagues: [] };
    }
    case 'unsubscribe': {
      await suppressAddress(tx, r.workspaceId, r.email, 'unsubscribed');
      const ended = await endEnrollments(tx, { leadIds: [r.leadId] }, 'unsubscribed', reason, r.at);
      if (r.campaignId) await markReplied(tx, r.campaignId, r.leadId, r.at, 'unsubscribed', reason);
      return { ended, as: 'unsubscribed', colleagues: [] };
    }
    default: {
      // A person's answer ends the campaign it answered (all of them when that is unknown).
      const ended = await endEnrollments(tx, { leadIds: [r.leadId], campaignId: r.campaignId ?? undefined }, 'replied', reason, r.at);
      if (!r.campaignId) return { ended, as: 'replied', colleagues: [] };
      await markReplied(tx, r.campaignId, r.leadId, r.at, 'replied', reason);
      if (!settings.stopCompanyOnReply) return { ended, as: 'replied', colleagues: [] };
      const counted = { ended: [] as string[] };
      const colleagues = await stopColleagues(tx, { ...r, campaignId: r.campaignId }, counted);
      const stopped = await tx.enrollment.findMany({ where: { id: { in: counted.ended } }, select: { lead: { select: { email: true } } }, orderBy: { lead: { email: 'asc' } } });
      return { ended, as: 'replied', colleagues, colleaguesStopped: stopped.map((e) => e.lead.email) };
    }
  }
}

/**
 * The first counted reply marks the enrollment (`repliedAt`, under its row lock) and the step it
 * answered: the replied counters count these marks, so they move once per lead. A lead who had
 * completed the sequence is now one who replied.
 */
async function markReplied(tx: Tx, campaignId: string, leadId: string, at: Date, completedBecomes: 'replied' | 'unsubscribed', reason: string) {
  // The reply answers the last mail sent: breakdowns count it on that step and variant.
  await tx.$executeRaw`
    UPDATE "Enrollment" e SET ("repliedStep", "repliedVariantId") = (
      SELECT m."stepNumber", m."variantId" FROM "Message" m WHERE m."enrollmentId" = e.id AND m."sentAt" IS NOT NULL ORDER BY m."stepNumber" DESC LIMIT 1)
     WHERE e."campaignId" = ${campaignId} AND e."leadId" = ${leadId} AND e."repliedAt" IS NULL`;
  // A lead that had completed the sequence ends as one who answered, with its reason and event.
  const completed = await tx.$queryRaw<{ id: string; workspaceId: string; email: string }[]>`
    UPDATE "Enrollment" e SET status = ${completedBecomes}::"EnrollmentStatus", "stopReason" = ${reason}
      FROM "Lead" l
     WHERE e."campaignId" = ${campaignId} AND e."leadId" = ${leadId} AND e.status = 'completed' AND l.id = e."leadId"
    RETURNING e.id, e."workspaceId", l.email`;
  await tx.$executeRaw`
    UPDATE "Enrollment" SET "repliedAt" = COALESCE("repliedAt", ${at}) WHERE "campaignId" = ${campaignId} AND "leadId" = ${leadId}`;
  await emitEvents(
    tx,
    completed.map((e) => ({
      workspaceId: e.workspaceId,
      type: completedBecomes === 'replied' ? 'lead.replied' : 'lead.stopped',
      data: { campaignId, leadId, email: e.email, enrollmentId: e.id, status: completedBecomes, reason, at: at.toISOString() },
    })),
  );
}

/** A bounce notice that came back as a reply bounces the last mail the lead got from the campaign. */
async function bounceLastMessage(tx: Tx, campaignId: string, leadId: string, at: Date) {
  await tx.$executeRaw`
    UPDATE "Message" SET status = 'bounced', "bouncedAt" = ${at}, "failureReason" = 'bounce notice received as a reply'
     WHERE id = (SELECT id FROM "Message" WHERE "campaignId" = ${campaignId} AND "leadId" = ${leadId} AND "sentAt" IS NOT NULL
                  ORDER BY "stepNumber" DESC LIMIT 1)
       AND status = ANY(${movesFrom('bounced')}::"MessageStatus"[])`;
}

/** The answered campaign's settings (the defaults when the reply names none). */
async function settingsOf(tx: Tx, campaignId: string | null): Promise<CampaignSettings> {
  const campaign = campaignId ? await tx.campaign.findUnique({ where: { id: campaignId }, select: { settings: true } }) : null;
  return readSettings(campaign?.settings ?? {});
}

async function workspaceZone(tx: Tx, workspaceId: string): Promise<string> {
  return (await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timezone: true } })).timezone;
}

/**
 * The other leads of the replier's workspace at the same company domain (none for free mail), by
 * the domain the database keeps for each lead (Lead.emailDomain): an index lookup inside the
 * reply's transaction, where `email LIKE '%@domain'` read every lead.
 */
export async function findColleagues(tx: Tx, r: { workspaceId: string; email: string; leadId: string }): Promise<string[]> {
  const company = r.email.split('@')[1] ?? '';
  if (FREE_MAIL.has(company)) return [];
  const colleagues = await tx.lead.findMany({ where: { workspaceId: r.workspaceId, emailDomain: company, id: { not: r.leadId } }, select: { id: true } });
  return colleagues.map((l) => l.id);
}

async function stopColleagues(tx: Tx, r: ReplyFacts & { campaignId: string }, counted: { ended: string[] }): Promise<string[]> {
  const company = r.email.split('@')[1] ?? '';
  return endEnrollments(tx, { leadIds: await findColleagues(tx, r), campaignId: r.campaignId }, 'stopped', `a colleague at ${company} replied`, r.at, counted);
}

export async function listReplies(
  { db }: ServiceDeps,
  workspaceId: string,
  query: { limit: number; cursor?: string | undefined; campaignId?: string | undefined; classification?: ReplyClassification | undefined },
) {
  const rows = await db.reply.findMany({
    where: {
      workspaceId,
      ...(query.campaignId ? { campaignId: query.campaignId } : {}),
      ...(query.classification ? { classification: query.classification } : {}),
      ...(query.cursor ? { id: { lt: query.cursor } } : {}),
    },
    orderBy: { id: 'desc' },
    take: query.limit + 1,
  });
  const { page, nextCursor } = paginate(rows, query.limit, (r) => r.id);
  return { data: page.map(replyView), nextCursor };
}
