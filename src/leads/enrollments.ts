import { ApiError } from '../api/errors.js';
import type { Db } from '../db.js';
import { TERMINAL_STATUSES } from '../domain/enrollment-status.js';
import { paginate } from '../domain/paginate.js';
import type { Enrollment, EnrollmentStatus, Lead, Message } from '../generated/prisma/client.js';
import { signalEnrollment, startEnrollmentWorkflow, type Orchestrator } from '../campaigns/orchestration.js';

const TERMINAL = [...TERMINAL_STATUSES];
const iso = (d: Date | null) => d?.toISOString() ?? null;

function enrollmentView(e: Enrollment & { lead: Pick<Lead, 'email'> }) {
  return {
    leadId: e.leadId,
    email: e.lead.email,
    status: e.status,
    currentStep: e.currentStep,
    nextSendAt: iso(e.nextSendAt),
    enrolledAt: e.enrolledAt.toISOString(),
    finishedAt: iso(e.finishedAt),
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
  await assertCampaign(db, workspaceId, campaignId);
  const rows = await db.enrollment.findMany({
    where: { campaignId, ...(query.status ? { status: query.status } : {}), ...(query.cursor ? { id: { gt: query.cursor } } : {}) },
    orderBy: { id: 'asc' },
    take: query.limit + 1,
    include: { lead: { select: { email: true } } },
  });
  const { page, nextCursor } = paginate(rows, query.limit, (e) => e.id);
  return { data: page.map(enrollmentView), nextCursor };
}

async function findEnrollment(db: Db, workspaceId: string, campaignId: string, leadId: string) {
  await assertCampaign(db, workspaceId, campaignId);
  const enrollment = await db.enrollment.findFirst({
    where: { campaignId, leadId, workspaceId },
    include: { lead: true, messages: { orderBy: { stepNumber: 'asc' } } },
  });
  if (!enrollment) throw new ApiError(404, 'lead_not_found', 'Lead not found in this campaign.');
  return enrollment;
}

export async function getEnrollment(db: Db, workspaceId: string, campaignId: string, leadId: string) {
  const e = await findEnrollment(db, workspaceId, campaignId, leadId);
  const { id, email, firstName, lastName, company, jobTitle, customFields } = e.lead;
  return {
    ...enrollmentView(e),
    lead: { id, email, firstName, lastName, company, jobTitle, customFields: customFields as Record<string, string | number | boolean | null> },
    messages: e.messages.map(messageView),
  };
}

/**
 * Per-lead control. The row changes first (sendStep reads it in its transaction, so a pause or
 * stop is effective at once), then the lead's workflow is told.
 */
export async function controlEnrollment(
  db: Db,
  orchestrator: Orchestrator,
  workspaceId: string,
  campaignId: string,
  leadId: string,
  action: 'pause' | 'resume' | 'stop',
) {
  const campaign = await assertCampaign(db, workspaceId, campaignId);
  const e = await findEnrollment(db, workspaceId, campaignId, leadId);
  const live = { id: e.id, status: { notIn: TERMINAL } };
  if (action === 'pause') {
    await db.enrollment.updateMany({ where: live, data: { status: 'paused' } });
  } else if (action === 'resume') {
    await db.enrollment.updateMany({ where: { id: e.id, status: 'paused' }, data: { status: e.workflowStartedAt ? 'active' : 'pending' } });
  } else {
    await db.enrollment.updateMany({ where: live, data: { status: 'stopped', stopReason: 'stopped by API', finishedAt: new Date(), nextSendAt: null } });
  }

  if (e.workflowStartedAt) {
    await signalEnrollment(orchestrator, e.id, action, action === 'stop' ? { reason: 'stopped' } : undefined);
  } else if (action === 'resume' && campaign.status === 'running') {
    // Paused before the campaign started: its workflow was never started, so start it now.
    await startEnrollmentWorkflow(orchestrator, { enrollmentId: e.id, campaignId, workspaceId, leadEmail: e.lead.email });
    await db.enrollment.update({ where: { id: e.id }, data: { workflowStartedAt: new Date(), status: 'active' } });
  }
  return getEnrollment(db, workspaceId, campaignId, leadId);
}
