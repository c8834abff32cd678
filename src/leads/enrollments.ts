import { ApiError } from '../api/errors.js';
import { MAY_WAIT_FOR_LOCKS, type Db } from '../db.js';
import { TERMINAL_STATUSES } from '../domain/enrollment-status.js';
import { paginate } from '../domain/paginate.js';
import type { Enrollment, EnrollmentStatus, Lead, Message } from '../generated/prisma/client.js';
import { signalEnrollment, startEnrollmentWorkflow, type Orchestrator } from '../campaigns/orchestration.js';
import { waitingView } from '../delivery/waiting.js';
import { endLocked, lockEnrollments } from './endings.js';

const TERMINAL = [...TERMINAL_STATUSES];
const iso = (d: Date | null) => d?.toISOString() ?? null;

function enrollmentView(e: Enrollment & { lead: Pick<Lead, 'email'> }, campaignStatus: string) {
  return {
    leadId: e.leadId,
    email: e.lead.email,
    status: e.status,
    currentStep: e.currentStep,
    ...waitingView(e, campaignStatus, new Date()),
    enrolledAt: e.enrolledAt.toISOString(),
    finishedAt: iso(e.finishedAt),
    stopReason: e.stopReason,
  };
}

function messageView(m: Message) {
  return {
    messageId: m.id,
    stepNumber: m.stepNumber,
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

async function assertCampaign(db: Db, workspaceId: string, campaignId: string) {
  const found = await db.campaign.findFirst({ where: { id: campaignId, workspaceId }, select: { id: true, status: true } });
  if (!found) throw new ApiError(404, 'campaign_not_found', 'Campaign not found.');
  return found;
}

export async function listEnrollments(
  db: Db,
  workspaceId: string,
  campaignId: string,
  query: { limit: number; cursor?: string | undefined; status?: EnrollmentStatus | undefined },
) {
  const campaign = await assertCampaign(db, workspaceId, campaignId);
  const rows = await db.enrollment.findMany({
    where: { campaignId, ...(query.status ? { status: query.status } : {}), ...(query.cursor ? { id: { gt: query.cursor } } : {}) },
    orderBy: { id: 'asc' },
    take: query.limit + 1,
    include: { lead: { select: { email: true } } },
  });
  const { page, nextCursor } = paginate(rows, query.limit, (e) => e.id);
  return { data: page.map((e) => enrollmentView(e, campaign.status)), nextCursor };
}

async function findEnrollment(db: Db, workspaceId: string, campaignId: string, leadId: string) {
  const campaign = await assertCampaign(db, workspaceId, campaignId);
  const enrollment = await db.enrollment.findFirst({
    where: { campaignId, leadId, workspaceId },
    include: { lead: true, messages: { orderBy: { stepNumber: 'asc' } } },
  });
  if (!enrollment) throw new ApiError(404, 'lead_not_found', 'Lead not found in this campaign.');
  return { ...enrollment, campaignStatus: campaign.status };
}

export async function getEnrollment(db: Db, workspaceId: string, campaignId: string, leadId: string) {
  const e = await findEnrollment(db, workspaceId, campaignId, leadId);
  const { id, email, firstName, lastName, company, jobTitle, customFields } = e.lead;
  return {
    ...enrollmentView(e, e.campaignStatus),
    lead: { id, email, firstName, lastName, company, jobTitle, customFields: customFields as Record<string, string | number | boolean | null> },
    messages: e.messages.map(messageView),
  };
}

/**
 * Per-lead control. The row changes first, under its lock (a send in flight finishes before; every
 * later attempt sees the change), then the lead's workflow is told.
 */
export async function controlEnrollment(
  db: Db,
  orchestrator: Orchestrator,
  workspaceId: string,
  campaignId: string,
  leadId: string,
  action: 'pause' | 'resume' | 'stop',
) {
  const e = await findEnrollment(db, workspaceId, campaignId, leadId);
  await db.$transaction(async (tx) => {
    await lockEnrollments(tx, [e.id]);
    if (action === 'stop') return endLocked(tx, [e.id], 'stopped', 'stopped by API', new Date());
    if (action === 'pause') return void (await tx.enrollment.updateMany({ where: { id: e.id, status: { notIn: TERMINAL } }, data: { status: 'paused' } }));
    await tx.enrollment.updateMany({ where: { id: e.id, status: 'paused' }, data: { status: e.workflowStartedAt ? 'active' : 'pending' } });
  }, MAY_WAIT_FOR_LOCKS);

  if (e.workflowStartedAt) {
    await signalEnrollment(orchestrator, e.id, action, action === 'stop' ? { reason: 'stopped' } : undefined);
  } else if (action === 'resume' && e.campaignStatus === 'running') {
    // Paused before the campaign started: its workflow was never started, so start it now.
    await startEnrollmentWorkflow(orchestrator, { enrollmentId: e.id, campaignId, workspaceId, leadEmail: e.lead.email });
    await db.enrollment.updateMany({ where: { id: e.id, status: { in: ['pending', 'active'] } }, data: { workflowStartedAt: new Date(), status: 'active' } });
  }
  return getEnrollment(db, workspaceId, campaignId, leadId);
}
