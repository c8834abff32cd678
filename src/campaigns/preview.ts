import { NotFoundError } from '../domain/errors.js';
import { normalizeEmail } from '../domain/email.js';
import { renderTemplate } from '../domain/render.js';
import { continuedSubject } from '../domain/render.js';
import type { ServiceDeps } from '../services.js';
import { readVariants, variantFor } from '../domain/variants.js';
import { getCampaign } from './campaign-service.js';

/** Renders every step for one lead as it would go out now, listing tokens that render empty. */
export async function previewCampaign(deps: ServiceDeps, workspaceId: string, campaignId: string, who: { leadId?: string | undefined; email?: string | undefined }) {
  const campaign = await getCampaign(deps, workspaceId, campaignId);
  const lead = await deps.db.lead.findFirst({
    where: { workspaceId, ...(who.leadId ? { id: who.leadId } : { email: normalizeEmail(who.email ?? '') }) },
  });
  if (!lead) throw new NotFoundError('lead');
  const fields = { ...lead, customFields: lead.customFields as Record<string, unknown> };
  // Whether this mail can reach the lead at all: a preview of someone never mailed says so.
  const [enrollment, suppressed] = await Promise.all([
    deps.db.enrollment.findUnique({ where: { campaignId_leadId: { campaignId, leadId: lead.id } }, select: { id: true, status: true } }),
    deps.db.suppression.findUnique({ where: { workspaceId_email: { workspaceId, email: lead.email } }, select: { reason: true } }),
  ]);
  // An enrolled lead sees the variant it is (or will be) assigned; anyone else each step's first.
  const content = (step: (typeof campaign.steps)[number]) => (enrollment ? variantFor(step, enrollment.id) : null) ?? step;
  const ordered = [...campaign.steps].sort((a, b) => a.stepNumber - b.stepNumber);
  const firstSubject = ordered[0] ? renderTemplate(content(ordered[0]).subject, fields, 'subject').text : '';
  const render = (stepNumber: number, version: { subject: string; bodyHtml: string }) => {
    const subject = renderTemplate(version.subject, fields, 'subject');
    const body = renderTemplate(version.bodyHtml, fields, 'html');
    return {
      // An empty subject after step 1 continues the thread, as the send does.
      subject: subject.text === '' && stepNumber > 1 ? continuedSubject(firstSubject) : subject.text,
      bodyHtml: body.text,
      emptyTokens: [...new Set([...subject.emptyTokens, ...body.emptyTokens])],
    };
  };
  const steps = ordered.map((step) => ({
    stepNumber: step.stepNumber,
    variantId: enrollment ? (variantFor(step, enrollment.id)?.id ?? null) : null,
    ...render(step.stepNumber, content(step)),
    // Every version of an A/B test, so each can be read for this lead before it goes out.
    variants: readVariants(step.variants).map((v) => ({ id: v.id, ...render(step.stepNumber, v) })),
  }));
  return {
    campaignId,
    leadId: lead.id,
    email: lead.email,
    enrollmentStatus: enrollment?.status ?? null,
    suppressed: suppressed !== null,
    steps,
    emptyTokens: [...new Set(steps.flatMap((s) => s.emptyTokens))],
  };
}
