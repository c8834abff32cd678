import { z } from '@hono/zod-openapi';
import { isValidEmail, normalizeEmail } from '../../domain/email.js';
import { isTimeZone } from '../../domain/schedule.js';
import { PaginationQuery } from './common.js';

export const MAX_LEADS_PER_CALL = 10_000;

const Scalar = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);
const Field = z.string().max(1_000).nullable().optional();

export const LeadInputSchema = z
  .object({
    email: z
      .string()
      .transform(normalizeEmail)
      .refine(isValidEmail, 'must be a valid email address'),
    firstName: Field,
    lastName: Field,
    company: Field,
    jobTitle: Field,
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone such as America/New_York').nullable().optional().openapi({ description: 'The lead\'s IANA time zone, for windows in the lead\'s zone' }),
    customFields: z
      .record(z.string().min(1).max(100), Scalar)
      .refine((r) => Object.keys(r).length <= 100, 'at most 100 custom fields')
      .optional(),
  })
  // Extra top-level keys are custom fields (the seed's "any custom field you include").
  .catchall(Scalar)
  .openapi('LeadInput', { example: { email: 'ada@acme.com', firstName: 'Ada', company: 'Acme', customFields: { city: 'Berlin' } } });

export const BulkLeadsSchema = z
  .strictObject({ leads: z.array(LeadInputSchema).min(1).max(MAX_LEADS_PER_CALL) })
  .openapi('BulkLeads');

export const BulkResultSchema = z
  .object({ enrolled: z.number().int(), updated: z.number().int(), skipped: z.number().int(), total: z.number().int() })
  .openapi('BulkResult');

export const EnrollmentStatusSchema = z.enum(['pending', 'active', 'paused', 'completed', 'replied', 'bounced', 'unsubscribed', 'stopped', 'failed']);

export const WaitReasonSchema = z
  .enum(['delay', 'window', 'capacity', 'pacing', 'daily_new_leads', 'campaign_paused', 'lead_paused', 'provider_retry', 'sender_unavailable'])
  .openapi('WaitReason', {
    description:
      'What a live lead waits for before its next step: `delay` (the step\'s delayDays), `window` (the sending window opens at nextSendAt), ' +
      '`capacity` (the sender pool\'s daily limit is used up; nextSendAt is the day booked for it), `campaign_paused`, `lead_paused`, ' +
      '`provider_retry` (the provider failed; nextSendAt is the estimated retry), `sender_unavailable` (its sender account is paused or ' +
      'in error; fixing it resumes the lead). Null while sending, before the campaign starts, and once finished.',
  });

export const EnrollmentSchema = z
  .object({
    leadId: z.string(),
    email: z.string(),
    status: EnrollmentStatusSchema,
    currentStep: z.number().int().openapi({ description: 'Steps already sent' }),
    waitingFor: WaitReasonSchema.nullable(),
    nextSendAt: z.string().nullable().openapi({ description: 'When the next step is planned, deferrals included; null when not known (a pause) or finished' }),
    enrolledAt: z.string(),
    finishedAt: z.string().nullable(),
    stopReason: z.string().nullable().openapi({ description: 'Why a finished lead stopped (a reply, an unsubscribe, a colleague\'s reply, …)' }),
  })
  .openapi('Enrollment');

export const MessageSchema = z
  .object({
    messageId: z.string(),
    stepNumber: z.number().int(),
    status: z.enum(['sending', 'sent', 'delivered', 'bounced', 'failed', 'cancelled', 'unknown']).openapi({
      description:
        '`sending`: claimed, not confirmed by the provider yet. `cancelled`: withdrawn before the provider got it (the lead ended). ' +
        '`unknown`: the provider never answered and no retry may follow; it may have gone out (not counted as sent).',
    }),
    subject: z.string(),
    bodyHtml: z.string(),
    senderEmail: z.string(),
    sentAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    bouncedAt: z.string().nullable(),
    softBouncedAt: z.string().nullable().openapi({ description: 'A transient bounce (not counted as bounced)' }),
    complainedAt: z.string().nullable().openapi({ description: 'The recipient reported it as spam' }),
    failureReason: z.string().nullable(),
  })
  .openapi('Message');

export const EnrollmentDetailSchema = EnrollmentSchema.extend({
  lead: z.object({
    id: z.string(),
    email: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    company: z.string().nullable(),
    jobTitle: z.string().nullable(),
    timezone: z.string().nullable(),
    customFields: z.record(z.string(), Scalar),
  }),
  messages: z.array(MessageSchema),
}).openapi('EnrollmentDetail');

export const ListEnrollmentsQuery = PaginationQuery.extend({ status: EnrollmentStatusSchema.optional() });

export const CampaignLeadParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' } }),
  leadId: z.string().openapi({ param: { name: 'leadId', in: 'path' } }),
});
