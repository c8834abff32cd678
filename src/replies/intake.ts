import { ApiError } from '../api/errors.js';
import type { Db, Prisma } from '../db.js';
import type { Orchestrator } from '../campaigns/orchestration.js';
import { readSettings } from '../campaigns/campaign-service.js';
import { classifyReply, stripQuoted, type ReplyClassification } from '../domain/classify-reply.js';
import { normalizeEmail } from '../domain/email.js';
import { newId } from '../domain/ids.js';
import { paginate } from '../domain/paginate.js';
import { dispatchEvents, emitEvent } from '../webhooks/events.js';
import { endEnrollments, notifyEnded, type EndStatus } from './suppression.js';

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

const OUTCOME: Record<ReplyClassification, EndStatus | null> = {
  interested: 'replied',
  not_interested: 'replied',
  unsubscribe: 'unsubscribed',
  bounce: 'bounced',
  out_of_office: null,
};

/**
 * Records a reply and applies its effects in one transaction: any reply but an out-of-office ends
 * the lead's sequence (in the campaign it answered, or in all of them when that is unknown);
 * unsubscribe and bounce also suppress the address; `stopCompanyOnReply` stops the other leads of
 * the same company domain in that campaign. The campaign's `replied` count moves once per lead.
 */
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
  claim?: (tx: Prisma.TransactionClient) => Promise<boolean>;
};

export async function recordReply(db: Db, orchestrator: Orchestrator, workspaceId: string, input: ReplyInput, options: RecordReplyOptions = {}) {
  const email = normalizeEmail(input.email);
  const lead = await db.lead.findUnique({ where: { workspaceId_email: { workspaceId, email } } });
  if (!lead) throw new ApiError(404, 'lead_not_found', `No lead with the email ${email} in this workspace.`);
  if (input.campaignId && !(await db.enrollment.findFirst({ where: { campaignId: input.campaignId, leadId: lead.id, workspaceId } }))) {
    throw new ApiError(404, 'campaign_not_found', 'The lead is not enrolled in that campaign.');
  }
  const classification = classifyReply({ from: input.from ?? email, subject: input.subject, text: input.text, headers: input.headers });
  // Without a campaign, the reply answers the campaign that mailed the lead last.
  const campaignId =
    input.campaignId ??
    (await db.message.findFirst({ where: { leadId: lead.id, workspaceId }, orderBy: { createdAt: 'desc' }, select: { campaignId: true } }))?.campaignId ??
    null;

  const { reply, ended, colleagues, event } = await db.$transaction(async (tx) => {
    if (options.claim && !(await options.claim(tx))) throw new ReplyAlreadyRecorded();
    const firstCounted =
      classification !== 'out_of_office' && campaignId !== null &&
      !(await tx.reply.findFirst({ where: { campaignId, leadId: lead.id, classification: { not: 'out_of_office' } }, select: { id: true } }));
    const reply = await tx.reply.create({
      data: {
        id: newId('rpl'),
        workspaceId,
        campaignId,
        leadId: lead.id,
        email,
        subject: input.subject ?? null,
        text: input.text,
        classification,
        receivedAt: input.receivedAt ?? new Date(),
      },
    });
    const event = await emitEvent(tx, workspaceId, 'reply.received', { reply: replyView(reply) });
    if (firstCounted) {
      await tx.$executeRaw`
        INSERT INTO "CampaignCounters" ("campaignId", replied, "updatedAt") VALUES (${campaignId}, 1, now())
        ON CONFLICT ("campaignId") DO UPDATE SET replied = "CampaignCounters".replied + 1, "updatedAt" = now()`;
    }
    const outcome = OUTCOME[classification];
    if (!outcome) return { reply, ended: [] as string[], colleagues: [] as string[], event };
    if (classification === 'unsubscribe' || classification === 'bounce') {
      await tx.suppression.upsert({
        where: { workspaceId_email: { workspaceId, email } },
        create: { workspaceId, email, reason: classification === 'bounce' ? 'bounced' : 'unsubscribed' },
        update: {},
      });
    }
    // Unsubscribes and bounces end every campaign; a person's answer ends the one it answered.
    const scope = outcome === 'replied' && input.campaignId ? input.campaignId : outcome === 'replied' && campaignId ? campaignId : undefined;
    const ended = await endEnrollments(tx, { leadIds: [lead.id], campaignId: scope }, outcome, `reply: ${classification}`);
    const stoppedColleagues: string[] = [];
    const company = email.split('@')[1] ?? '';
    if (outcome === 'replied' && campaignId && !FREE_MAIL.has(company)) {
      const campaign = await tx.campaign.findUnique({ where: { id: campaignId }, select: { settings: true } });
      if (campaign && readSettings(campaign.settings).stopCompanyOnReply) {
        const colleagues = await tx.lead.findMany({ where: { workspaceId, email: { endsWith: `@${company}` }, id: { not: lead.id } }, select: { id: true } });
        stoppedColleagues.push(...(await endEnrollments(tx, { leadIds: colleagues.map((l) => l.id), campaignId }, 'stopped', `a colleague at ${company} replied`)));
      }
    }
    return { reply, ended, colleagues: stoppedColleagues, event };
  });
  await dispatchEvents(db, orchestrator, [event]);
  const outcome = OUTCOME[classification];
  if (outcome === 'replied') await notifyEnded(orchestrator, ended, 'reply', 'replied');
  else if (outcome) await notifyEnded(orchestrator, ended, 'stop', outcome);
  await notifyEnded(orchestrator, colleagues, 'stop', 'stopped');
  return replyView(reply);
}

export async function listReplies(
  db: Db,
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
