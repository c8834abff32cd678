import type { Db } from '../../src/db.js';
import { newId } from '../../src/domain/ids.js';

/** A short random tag that keeps a test's addresses and names its own. */
export const uniq = () => Math.random().toString(36).slice(2, 10);

/** Writes a campaign with steps, a lead and its enrollment directly (for workflow-level tests). */
export async function seedEnrollment(
  db: Db,
  workspaceId: string,
  options: {
    status?: 'draft' | 'running' | 'paused';
    steps: { delayDays: number; subject: string; bodyHtml: string }[];
    lead?: { email?: string; firstName?: string | null; company?: string | null };
  },
) {
  const campaign = await db.campaign.create({
    data: {
      id: newId('camp'),
      workspaceId,
      name: 'fixture',
      status: options.status ?? 'running',
      startedAt: new Date(),
      steps: { create: options.steps.map((s, i) => ({ ...s, stepNumber: i + 1 })) },
    },
  });
  const lead = await db.lead.create({
    data: {
      id: newId('lead'),
      workspaceId,
      email: options.lead?.email ?? `lead-${Math.random().toString(36).slice(2, 10)}@example.com`,
      firstName: options.lead?.firstName ?? 'Ada',
      company: options.lead?.company ?? 'Acme',
    },
  });
  const enrollment = await db.enrollment.create({
    data: { id: newId('enr'), workspaceId, campaignId: campaign.id, leadId: lead.id },
  });
  return { campaign, lead, enrollment };
}

/** The seed page's create example, verbatim (seed/campaigns.md). */
export const SEED_CAMPAIGN = {
  name: 'VP Sales — AI Workflow Q1',
  sequenceSteps: [
    {
      stepNumber: 1,
      delayDays: 0,
      subject: 'Quick question, {{firstName}}',
      bodyHtml:
        '<p>Hi {{firstName}},</p><p>I noticed {{company}} is expanding its sales team — we help companies like yours book more qualified meetings. Worth a 15-minute call this week?</p>',
    },
    {
      stepNumber: 2,
      delayDays: 3,
      subject: 'Following up, {{firstName}}',
      bodyHtml: '<p>Hi {{firstName}},</p><p>Just wanted to bump this in case it got buried. Happy to share a quick overview if that helps.</p>',
    },
  ],
};
