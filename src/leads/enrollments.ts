import { MAY_WAIT_FOR_LOCKS } from '../db.js';
import { NotFoundError } from '../domain/errors.js';
import { RUNNABLE_STATUSES, TERMINAL_STATUSES } from '../domain/enrollment-status.js';
import { paginate } from '../domain/paginate.js';
import type { Enrollment, EnrollmentStatus, Lead, Message } from '../generated/prisma/client.js';
import { requireCampaign } from '../campaigns/require-campaign.js';
import { waitingView } from '../domain/waiting.js';
import type { ServiceDeps } from '../services.js';

import { endLocked, lockEnrollments } from './endings.js';
import { byLeadRef } from './lead-ref.js';
import { windowOpenings } from './window-opening.js';
import { emitEnrollmentEvents } from '../webhooks/events.js';

const TERMINAL = [...TERMINAL_STATUSES];
const iso = (d: Date | null) => d?.toISOString() ?? null;

type Openings = Awaited<ReturnType<typeof windowOpenings>>;

function enrollmentView(e: Enrollment & { lead: Pick<Lead, 'email' | 'timezone'> }, campaign: { status: string; settings: unknown }, now: Date, openings: Openings) {
  return {
    leadId: e.leadId,
    email: e.lead.email,
    status: e.status,
    currentStep: e.currentStep,
    ...waitingView(e, campaign.status, now, openings(campaign.settings, e.lead.timezone)),
    enrolledAt: e.enrolledAt.toISOString(),
    finishedAt: iso(e.finishedAt),
    stopReason: e.stopReason,
  };
}

function messageView(m: Message) {
  return {
    messageId: m.id,
    stepNumber: m.stepNumber,
    variantId: m.variantId,
    status: m.status,
    subject: m.subject,
    bodyHtml: m.bodyHtml,
    senderEmail: m.fromEmail,
    sentAt: iso(m.sentAt),
    deliveredAt: iso(m.deliveredAt),
    bouncedAt: iso(m.bouncedAt),
    softBouncedAt: iso(m.softBouncedAt),
    complainedAt: iso(m.complainedAt),
    failureReason: m.failureReason,
  };
}

export async function listEnrollments(
  { db, now }: ServiceDeps,
  workspaceId: string,
  campaignId: string,
  query: { limit: number; cursor?: string | undefined; status?: EnrollmentStatus | undefined },
) {
  const campaign = await requireCampaign(db, workspaceId, campaignId);
  const rows = await db.enrollment.findMany({
    where: { campaignId, ...(query.status ? { status: query.status } : {}), ...(query.cursor ? { id: { gt: query.cursor } } : {}) },
    orderBy: { id: 'asc' },
    take: query.limit + 1,
    include: { lead: { select: { email: true, timezone: true } } },
  });
  const { page, nextCursor } = paginate(rows, query.limit, (e) => e.id);
  const at = now();
  const openings = await windowOpenings(db, workspaceId);
  return { data: page.map((e) => enrollmentView(e, campaign, at, openings)), nextCursor };
}

async function findEnrollment({ db }: ServiceDeps, workspaceId: string, campaignId: string, leadId: string) {
  const campaign = await requireCampaign(db, workspaceId, campaignId);
  const enrollment = await db.enrollment.findFirst({
    where: { campaignId, workspaceId, ...byLeadRef(leadId) },
    include: { lead: true, messages: { orderBy: { stepNumber: 'asc' } } },
  });
  if (!enrollment) throw new NotFoundError('lead', 'Lead not found in this campaign.');
  return { ...enrollment, campaignStatus: campaign.status, campaignSettings: campaign.settings };
}

export async function getEnrollment(deps: ServiceDeps, workspaceId: string, campaignId: string, leadId: string) {
  const e = await findEnrollment(deps, workspaceId, campaignId, leadId);
  const { id, email, firstName, lastName, company, jobTitle, timezone, customFields } = e.lead;
  return {
    ...enrollmentView(e, { status: e.campaignStatus, settings: e.campaignSettings }, deps.now(), await windowOpenings(deps.db, workspaceId)),
    lead: { id, email, firstName, lastName, company, jobTitle, timezone, customFields: customFields as Record<string, string | number | boolean | null> },
    messages: e.messages.map(messageView),
  };
}

/**
 * Per-lead control. The row changes first, under its lock (a send in flight finishes before; every
 * later attempt sees the change), then the lead's workflow is told.
 */
export async function controlEnrollment(deps: ServiceDeps, workspaceId: string, campaignId: string, leadId: string, action: 'pause' | 'resume' | 'stop') {
  const { db, orchestrator, now } = deps;
  const e = await findEnrollment(deps, workspaceId, campaignId, leadId);
  await db.$transaction(async (tx) => {
    await lockEnrollments(tx, [e.id]);
    if (action === 'stop') return endLocked(tx, [e.id], 'stopped', 'stopped by API', now());
    if (action === 'pause') {
      const { count } = await tx.enrollment.updateMany({ where: { id: e.id, status: { notIn: [...TERMINAL, 'paused'] } }, data: { status: 'paused' } });
      if (count) await emitEnrollmentEvents(tx, workspaceId, 'lead.held', [e.id], { reason: 'lead_paused', until: null });
      return;
    }
    const { count } = await tx.enrollment.updateMany({ where: { id: e.id, status: 'paused' }, data: { status: e.workflowStartedAt ? 'active' : 'pending' } });
    if (count) await emitEnrollmentEvents(tx, workspaceId, 'lead.resumed', [e.id]);
  }, MAY_WAIT_FOR_LOCKS);

  if (e.workflowStartedAt) {
    await orchestrator.signalEnrollment(e.id, action === 'stop' ? { name: 'stop', reason: 'stopped' } : { name: action });
  } else if (action === 'resume' && e.campaignStatus === 'running') {
    // Paused before the campaign started: its workflow was never started, so start it now.
    await orchestrator.startEnrollment({ enrollmentId: e.id, campaignId, workspaceId, leadEmail: e.lead.email });
    await db.enrollment.updateMany({ where: { id: e.id, status: { in: [...RUNNABLE_STATUSES] } }, data: { workflowStartedAt: now(), status: 'active' } });
  }
  return getEnrollment(deps, workspaceId, campaignId, leadId);
}
