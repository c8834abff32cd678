import { NotFoundError } from '../domain/errors.js';
import { waitingView } from '../domain/waiting.js';
import type { ServiceDeps } from '../services.js';
import { windowOpenings } from './window-opening.js';

/**
 * One lead across the workspace, by id or address: its fields, whether it is suppressed, and its
 * place in every campaign it is in, so a caller need not know the campaign first.
 */
export async function findWorkspaceLead({ db, now }: ServiceDeps, workspaceId: string, ref: string) {
  const lead = await db.lead.findFirst({
    where: { workspaceId, ...(ref.includes('@') ? { email: ref.trim().toLowerCase() } : { id: ref }) },
    include: { enrollments: { include: { campaign: { select: { name: true, status: true, settings: true } } }, orderBy: { enrolledAt: 'asc' } } },
  });
  if (!lead) throw new NotFoundError('lead');
  const suppression = await db.suppression.findUnique({ where: { workspaceId_email: { workspaceId, email: lead.email } }, select: { reason: true } });
  const at = now();
  const openings = await windowOpenings(db, workspaceId);
  const campaigns = lead.enrollments.map((e) => ({
      campaignId: e.campaignId,
      campaignName: e.campaign.name,
      leadId: lead.id,
      email: lead.email,
      status: e.status,
      currentStep: e.currentStep,
      ...waitingView(e, e.campaign.status, at, openings(e.campaign.settings, lead.timezone)),
      enrolledAt: e.enrolledAt.toISOString(),
      finishedAt: e.finishedAt?.toISOString() ?? null,
      stopReason: e.stopReason,
    }));
  const { id, email, firstName, lastName, company, jobTitle, timezone, customFields } = lead;
  return {
    lead: { id, email, firstName, lastName, company, jobTitle, timezone, customFields: customFields as Record<string, string | number | boolean | null> },
    suppressed: suppression !== null,
    suppressionReason: suppression?.reason ?? null,
    campaigns,
  };
}
