import { z } from '@hono/zod-openapi';
import { isValidEmail, normalizeEmail } from '../../domain/email.js';
import { ENROLLMENT_STATUSES, WAIT_REASONS } from '../../domain/enrollment-status.js';
import { isTimeZone } from '../../domain/schedule.js';
import { Count, exampleId, Id, NullableTimestamp, paginationQuery, Timestamp } from './common.js';

export const MAX_LEADS_PER_CALL = 10_000;

const Scalar = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);
const Field = (name: string, example: string) =>
  z
    .string()
    .max(1_000)
    .nullable()
    .optional()
    .openapi({ description: `Available to templates as \`{{${name}}}\` (up to 1,000 characters). Left out, an existing lead keeps its value; null clears it.`, example });

const CUSTOM_FIELDS =
  'Fields of your own for templates (`{{city}}`): up to 100 keys, each value a string, number, boolean or null. Merged into the lead\'s existing custom fields: a key given again is overwritten, others are kept.';

export const LeadInputSchema = z
  .object({
    email: z
      .string()
      .transform(normalizeEmail)
      .refine(isValidEmail, 'must be a valid email address')
      .openapi({ description: 'The lead\'s address, trimmed and lowercased: one lead per address in the workspace, so a known address updates that lead', example: 'ada@acme.com' }),
    firstName: Field('firstName', 'Ada'),
    lastName: Field('lastName', 'Lovelace'),
    company: Field('company', 'Acme'),
    jobTitle: Field('jobTitle', 'VP Sales'),
    timezone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone such as America/New_York')
      .nullable()
      .optional()
      .openapi({ description: 'The lead\'s IANA time zone, used by a sending window whose timezone is "lead". Left out, an existing lead keeps it; null clears it.', example: 'America/New_York' }),
    customFields: z
      .record(z.string().min(1).max(100), Scalar)
      .refine((r) => Object.keys(r).length <= 100, 'at most 100 custom fields')
      .optional()
      .openapi({ description: CUSTOM_FIELDS, example: { city: 'Berlin', employees: 250 } }),
  })
  // Extra top-level keys are custom fields (the seed's "any custom field you include").
  .catchall(Scalar)
  .openapi('LeadInput', {
    description: 'A lead to upsert. Any other top-level key with a string, number, boolean or null value is stored as a custom field, as if it were in customFields.',
    example: { email: 'ada@acme.com', firstName: 'Ada', company: 'Acme', customFields: { city: 'Berlin' } },
  });

export const BulkLeadsSchema = z
  .strictObject({
    leads: z
      .array(LeadInputSchema)
      .min(1)
      .max(MAX_LEADS_PER_CALL)
      .openapi({
        description: `1 to ${MAX_LEADS_PER_CALL.toLocaleString('en')} leads. The same email twice counts once: its rows merge field by field (a later row's fields win, fields only an earlier row gives are kept), each merged row reported in \`rows\` as \`merged_duplicate\`.`,
      }),
    onInvalid: z.enum(['fail', 'skip']).default('fail').openapi({
      description: '`fail` (the default): one invalid lead fails the whole call (`validation_failed`, errors[] naming its index) and nothing is written. `skip`: invalid leads are left out, each reported in `rows` as `invalid` with its errors, and the rest are written.',
      example: 'skip',
    }),
  })
  .openapi('BulkLeads', { description: 'Leads to create or update and enroll in the campaign' });

export const BulkResultSchema = z
  .object({
    enrolled: Count('New leads: created by this call, each enrolled at step 1. Existing leads it updated (`updated`) are enrolled too unless already in the campaign, where they keep their place; `return: leads` shows each', 2),
    updated: Count('Existing leads: their given fields overwritten, enrolled at step 1 if not yet in this campaign, else left at their position', 1),
    skipped: Count('Suppressed addresses: not enrolled', 0),
    total: Count('enrolled + updated', 3),
    rows: z
      .array(
        z.object({
          index: z.number().int().openapi({ description: 'The row\'s position in the request\'s leads, counting from 0', example: 1 }),
          email: z.string().nullable().openapi({ description: 'The row\'s email as given (null when it has none usable)', example: 'ada@example.com' }),
          outcome: z.enum(['merged_duplicate', 'invalid']).openapi({ description: '`merged_duplicate`: an earlier row had the same email; this row\'s fields were merged into it (see `mergedInto`). `invalid`: not written (onInvalid `skip`); see `errors`', example: 'merged_duplicate' }),
          mergedInto: z.number().int().optional().openapi({ description: 'For `merged_duplicate`: the index of the first row with this email', example: 0 }),
          errors: z
            .array(z.object({ field: z.string().openapi({ description: 'The field of the row that failed', example: 'email' }), message: z.string().openapi({ description: 'What is wrong with it', example: 'must be a valid email address' }) }))
            .optional()
            .openapi({ description: 'For `invalid`: why the row was left out' }),
        }),
      )
      .optional()
      .openapi({ description: 'Rows not written as given, by index: merged duplicates and (onInvalid `skip`) invalid rows. Left out when every row was written as given.' }),
    leads: z
      .array(
        z.object({
          email: z.string().openapi({ description: 'The address, normalized (trimmed, lower-case domain)', example: 'ada@example.com' }),
          leadId: z.string().nullable().openapi({ description: "The lead's id (null for a suppressed address never stored as a lead)", example: 'lead_01hx4mrqpbcn7wh2gfk9yz6e3t' }),
          outcome: z.enum(['created', 'updated', 'skipped']).openapi({ description: '`created`: a new lead; `updated`: an existing lead, its given fields overwritten; `skipped`: a suppressed address', example: 'created' }),
          enrolled: z.boolean().openapi({ description: 'Whether this call enrolled it in the campaign (false when it was already in it, or skipped)', example: true }),
          reason: z.literal('suppressed').optional().openapi({ description: 'Why it was skipped: `suppressed`', example: 'suppressed' }),
        }),
      )
      .optional()
      .openapi({ description: 'Only when `return` is `leads`: one entry per distinct email, in email order', example: [{ email: 'ada@example.com', leadId: 'lead_01hx4mrqpbcn7wh2gfk9yz6e3t', outcome: 'created', enrolled: true }] }),
  })
  .openapi('BulkResult', { description: 'What the call did with the leads' });

export const BulkQuery = z.object({
  return: z.enum(['counts', 'leads']).default('counts').openapi({
    description: '`counts` (the default) answers counts only; `leads` adds `leads`: each lead\'s id, email and outcome, so no second call is needed to map emails to ids',
    example: 'leads',
  }),
});

export const EnrollmentStatusSchema = z
  .enum(ENROLLMENT_STATUSES)
  .openapi({
    description:
      'Live: `pending` (enrolled; its sequence starts when the campaign runs), `active` (running: sending or waiting, see waitingFor), `paused` (paused one by one; resume continues where it was). ' +
      'Finished, nothing more is sent: `completed` (every step sent), `replied` (it answered; any reply but out-of-office), `bounced` (hard bounce), `unsubscribed` (the link or an unsubscribe reply), ' +
      '`stopped` (stopped by a caller, suppression, a spam complaint, or a colleague\'s reply with stopCompanyOnReply), `failed` (the provider refused a message for good; see the message\'s failureReason).',
    example: 'active',
  });

export const WaitReasonSchema = z
  .enum(WAIT_REASONS)
  .openapi('WaitReason', {
    description:
      'What a live lead waits for before its next step, with nextSendAt when it is due: `delay` (the step\'s delayDays since the previous send), `window` (outside the sending window; nextSendAt is the next opening), ' +
      '`capacity` (the sender accounts\' daily limits are used up; nextSendAt is its place on the first day with room), `pacing` (its sender account\'s next pacing slot, minGapSeconds plus jitter), ' +
      '`daily_new_leads` (the campaign\'s dailyNewLeads cap is reached today; step 1 is booked onto a later day), `campaign_paused`, `lead_paused`, ' +
      '`provider_retry` (the provider failed; nextSendAt is the estimated retry), `provider_rate` (sends are queued at the provider\'s rate limit, SEND_RATE_LIMIT, across every worker; nextSendAt is its turn), `sender_unavailable` (its sender account is paused or in error; setting it active resumes the lead), ' +
      '`out_of_office` (a reply held it, by settings.onReply: an out-of-office until the working day after its return date; nextSendAt is the hold\'s end, at the window\'s opening). ' +
      'Null while sending, before the campaign starts, and once finished.',
    example: 'delay',
  });

const LeadIdField = Id('lead', 'The lead\'s id (one per email address in the workspace)');
const LeadEmail = z.string().openapi({ description: 'The lead\'s email address, lowercased', example: 'ada@acme.com' });

export const EnrollmentSchema = z
  .object({
    leadId: LeadIdField,
    email: LeadEmail,
    status: EnrollmentStatusSchema,
    currentStep: Count('How many steps were sent so far (0 before the first)', 1),
    // A union, not .nullable(): the generator drops null from a nullable reference.
    waitingFor: z.union([WaitReasonSchema, z.null()]),
    nextSendAt: NullableTimestamp('When the next step is planned: its due time (the delay, or the end of an out-of-office hold) at the sending window\'s next opening, or the time a deferral (capacity, pacing, a provider retry) moved it to. Today\'s capacity and pacing can still move a due step later; the lead\'s schedule (the dry run) plans those ahead. Under a pause it holds only if the pause is lifted before then (see behindPause); null when not known (a pause of a step already due), before the campaign starts, or finished'),
    behindPause: z.union([WaitReasonSchema, z.null()]).openapi({ description: 'While a pause covers the lead (waitingFor `campaign_paused` or `lead_paused`): the wait it covers, which still holds after the resume (e.g. `out_of_office` until nextSendAt, or `delay`); null otherwise' }),
    enrolledAt: Timestamp('When the lead joined this campaign'),
    finishedAt: NullableTimestamp('When it finished (any status from `completed` on); null while live'),
    stopReason: z.string().nullable().openapi({
      description: 'Why a lead finished other than by completing, in words: e.g. `reply: interested`, `stopped by API`, `hard bounce`, `unsubscribed via link`, `suppressed (manual)`, `a colleague at acme.com replied`; null otherwise',
      example: 'reply: interested',
    }),
  })
  .openapi('Enrollment', { description: 'A lead in a campaign: where it is in the sequence, and what it waits for' });

export const MessageSchema = z
  .object({
    messageId: Id('msg', 'The message\'s id'),
    stepNumber: Count('The step it sent', 1),
    variantId: z.string().nullable().openapi({ description: 'The step variant this lead was assigned (SPEC §12); null for a step without variants', example: 'B' }),
    status: z.enum(['sending', 'sent', 'delivered', 'bounced', 'failed', 'cancelled', 'unknown']).openapi({
      description:
        '`sending`: claimed, not confirmed by the provider yet. `sent`: the provider accepted it. `delivered`: the recipient\'s server accepted it. `bounced`: permanently rejected (a hard bounce, also after delivery). ' +
        '`failed`: the provider refused this message for good (failureReason says why; the lead is `failed`). `cancelled`: withdrawn before the provider got it (the lead ended). ' +
        '`unknown`: the provider never answered and no retry may follow; it may have gone out (not counted as sent).',
      example: 'delivered',
    }),
    subject: z.string().openapi({ description: 'The subject as rendered for this lead', example: 'Quick question, Ada' }),
    bodyHtml: z.string().openapi({ description: 'The body as rendered for this lead', example: '<p>Hi Ada,</p><p>I noticed Acme is expanding its sales team.</p>' }),
    senderEmail: z.string().openapi({ description: 'The sender account it went (or goes) out from', example: 'sam@outbound.example.com' }),
    sentAt: NullableTimestamp('When the provider accepted it; null if it never did'),
    deliveredAt: NullableTimestamp('When delivery was confirmed; null until then'),
    bouncedAt: NullableTimestamp('When it hard-bounced; null if it did not'),
    softBouncedAt: NullableTimestamp('When it bounced softly (a transient refusal: not counted as bounced, nothing stops); null if it did not'),
    complainedAt: NullableTimestamp('When the recipient reported it as spam (the address is then suppressed); null if not'),
    failureReason: z.string().nullable().openapi({ description: 'The provider\'s reason for a failure or bounce; null when there is none', example: 'mailbox does not exist' }),
  })
  .openapi('Message', { description: 'One email sent (or being sent) to the lead' });

const LeadFieldsSchema = z
    .object({
      id: LeadIdField,
      email: LeadEmail,
      firstName: z.string().nullable().openapi({ description: 'Template field `{{firstName}}`; null when not known', example: 'Ada' }),
      lastName: z.string().nullable().openapi({ description: 'Template field `{{lastName}}`; null when not known', example: 'Lovelace' }),
      company: z.string().nullable().openapi({ description: 'Template field `{{company}}`; null when not known', example: 'Acme' }),
      jobTitle: z.string().nullable().openapi({ description: 'Template field `{{jobTitle}}`; null when not known', example: 'VP Sales' }),
      timezone: z.string().nullable().openapi({ description: 'The lead\'s IANA time zone (for windows in the lead\'s zone); null when not known', example: 'America/New_York' }),
      customFields: z.record(z.string(), Scalar).openapi({ description: 'The lead\'s own fields for templates, by name (`{{city}}`)', example: { city: 'Berlin', employees: 250 } }),
    })
    .openapi({ description: 'The lead\'s fields, as templates see them now' });

export const EnrollmentDetailSchema = EnrollmentSchema.extend({
  lead: LeadFieldsSchema,
  messages: z.array(MessageSchema).openapi({ description: 'The emails of this enrollment, by step: its timeline' }),
}).openapi('EnrollmentDetail', { description: 'An enrollment with the lead\'s fields and its message timeline' });

export const WorkspaceLeadSchema = z
  .object({
    lead: LeadFieldsSchema,
    suppressed: z.boolean().openapi({ description: 'The address is on the suppression list: it is never mailed', example: false }),
    suppressionReason: z.string().nullable().openapi({ description: 'Why (manual, unsubscribed, bounced, complained); null when not suppressed', example: null }),
    campaigns: z
      .array(EnrollmentSchema.extend({ campaignId: Id('camp', 'The campaign'), campaignName: z.string().openapi({ description: 'Its name', example: 'Q1 outreach' }) }))
      .openapi({ description: 'Every campaign the lead is in, oldest enrollment first, each with the lead\'s status there' }),
  })
  .openapi('WorkspaceLead', { description: 'A lead across the workspace' });

export const LeadRefParam = z.object({
  lead: z.string().min(1).max(320).openapi({ param: { name: 'lead', in: 'path' }, description: 'The lead: its id or its email address', example: 'ada@example.com' }),
});

export const ListEnrollmentsQuery = paginationQuery(exampleId('enr')).extend({
  status: EnrollmentStatusSchema.optional().openapi({
    description: `Only enrollments in this status: ${ENROLLMENT_STATUSES.slice(0, -1).map((s) => `\`${s}\``).join(', ')} or \`${ENROLLMENT_STATUSES.at(-1)}\``,
    example: 'active',
  }),
});

export const CampaignLeadParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: 'The campaign\'s id', example: exampleId('camp') }),
  leadId: z.string().openapi({ param: { name: 'leadId', in: 'path' }, description: 'The lead: its id (`leadId` in the enrollment list) or its email address', example: exampleId('lead') }),
});
