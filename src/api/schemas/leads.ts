import { z } from '@hono/zod-openapi';
import { isValidEmail, normalizeEmail } from '../../domain/email.js';
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

export const EnrollmentSchema = z
  .object({
    leadId: z.string(),
    email: z.string(),
    status: EnrollmentStatusSchema,
    currentStep: z.number().int().openapi({ description: 'Steps already sent' }),
    nextSendAt: z.string().nullable(),
    enrolledAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('Enrollment');

export const MessageSchema = z
  .object({
    messageId: z.string(),
    stepNumber: z.number().int(),
    status: z.enum(['sending', 'sent', 'delivered', 'bounced', 'failed']),
    subject: z.string(),
    bodyHtml: z.string(),
    senderEmail: z.string(),
    sentAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    bouncedAt: z.string().nullable(),
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
    customFields: z.record(z.string(), Scalar),
  }),
  messages: z.array(MessageSchema),
}).openapi('EnrollmentDetail');

export const ListEnrollmentsQuery = PaginationQuery.extend({ status: EnrollmentStatusSchema.optional() });

export const CampaignLeadParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' } }),
  leadId: z.string().openapi({ param: { name: 'leadId', in: 'path' } }),
});
