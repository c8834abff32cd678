import { z } from '@hono/zod-openapi';
import { isTimeZone, LEAD_TIMEZONE } from '../../domain/schedule.js';
import { PaginationQuery } from './common.js';

export const MAX_STEPS = 20;
export const MAX_SUBJECT_CHARS = 998;
/** A step's bodyHtml (SPEC §2: 256 KB), not a request body (MAX_REQUEST_BYTES). */
export const MAX_STEP_BODY_BYTES = 256 * 1024;

export { isTimeZone };
const TimeZone = z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin');

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

export const SendingWindowSchema = z
  .strictObject({
    timezone: z
      .string()
      .refine((tz) => tz === LEAD_TIMEZONE || isTimeZone(tz), 'must be an IANA time zone such as Europe/Berlin, or "lead"')
      .openapi({ description: 'An IANA zone, or "lead": each lead\'s own (its `timezone`), else fallbackTimezone', example: 'America/New_York' }),
    fallbackTimezone: TimeZone.optional().openapi({ description: 'With timezone "lead": the zone for leads without one (default UTC)' }),
    days: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'must not repeat a day')
      .openapi({ description: 'ISO weekdays: 1 = Monday … 7 = Sunday', example: [1, 2, 3, 4, 5] }),
    start: clock.openapi({ example: '09:00' }),
    end: clock.openapi({ example: '17:00' }),
  })
  .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] })
  .openapi('SendingWindow');

const rate = (what: string, example: number) => z.number().gt(0).max(1).openapi({ description: what, example });

export const AutoPauseSchema = z
  .strictObject({
    bounceRate: rate('Pause when hard bounces pass this share of sends (default 0.03)', 0.03).optional(),
    complaintRate: rate('Pause when spam complaints pass this share of sends (default 0.001)', 0.001).optional(),
    minSent: z.number().int().min(1).max(1_000_000).optional().openapi({ description: 'Judge only after this many sends (default 50); a manual resume waits this many more', example: 50 }),
  })
  .openapi('AutoPause', {
    description:
      'The campaign pauses itself (pauseReason bounce_rate_exceeded or complaint_rate_exceeded, event campaign.auto_paused) when a rate passes its threshold. null turns it off; the workspace-wide guard (4 % bounces, 0.08 % complaints over 7 days) still applies.',
  });

const DailyNewLeadsSchema = z.number().int().min(1).max(1_000_000).openapi({
  description:
    'At most this many leads receive step 1 per day (midnight to midnight in the workspace time zone); the rest wait with waitingFor daily_new_leads. When the senders\' capacity is short, follow-ups due that day go before new leads either way. null (the default): no cap.',
  example: 40,
});

export const SettingsSchema = z
  .strictObject({
    sendingWindow: SendingWindowSchema.nullable().optional(),
    stopCompanyOnReply: z.boolean().optional(),
    autoPause: AutoPauseSchema.nullable().optional(),
    dailyNewLeads: DailyNewLeadsSchema.nullable().optional(),
  })
  .openapi('CampaignSettings');

export const StepInputSchema = z.strictObject({
  stepNumber: z.number().int().min(1).max(MAX_STEPS).optional(),
  delayDays: z.number().int().min(0).max(365),
  subject: z.string().max(MAX_SUBJECT_CHARS),
  bodyHtml: z
    .string()
    .min(1)
    .refine((b) => Buffer.byteLength(b, 'utf8') <= MAX_STEP_BODY_BYTES, `must be at most ${MAX_STEP_BODY_BYTES} bytes`),
});

/** Steps are numbered 1..n in array order; explicit numbers must agree (a gap or duplicate is 422). */
export const StepsSchema = z
  .array(StepInputSchema)
  .max(MAX_STEPS)
  .superRefine((steps, ctx) => {
    steps.forEach((step, i) => {
      if (step.stepNumber !== undefined && step.stepNumber !== i + 1) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'stepNumber'],
          message: `must be ${i + 1}: steps are numbered 1..n in order without gaps or duplicates`,
        });
      }
    });
    if (steps[0] && steps[0].subject.trim() === '') {
      ctx.addIssue({ code: 'custom', path: [0, 'subject'], message: 'step 1 needs a subject' });
    }
  })
  .transform((steps) => steps.map((s, i) => ({ ...s, stepNumber: i + 1 })));

export const StepSchema = z
  .object({ stepNumber: z.number().int(), delayDays: z.number().int(), subject: z.string(), bodyHtml: z.string() })
  .openapi('Step');

export const CampaignStatusSchema = z.enum(['draft', 'running', 'paused']);

export const CreateCampaignSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    sequenceSteps: StepsSchema.optional(),
    settings: SettingsSchema.optional(),
  })
  .openapi('CreateCampaign');

export const UpdateCampaignSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    sequenceSteps: StepsSchema.optional(),
    settings: SettingsSchema.optional(),
  })
  .openapi('UpdateCampaign');

export const CreatedCampaignSchema = z
  .object({
    id: z.string().openapi({ example: 'camp_01hx4mrqpbcn7wh2gfk9yz6e3s' }),
    name: z.string(),
    status: CampaignStatusSchema,
    sequenceSteps: z.number().int().openapi({ description: 'Number of steps' }),
    createdAt: z.string(),
  })
  .openapi('CreatedCampaign');

export const PauseReasonSchema = z
  .enum(['manual', 'bounce_rate_exceeded', 'complaint_rate_exceeded', 'workspace_bounce_rate_exceeded', 'workspace_complaint_rate_exceeded'])
  .openapi({ description: 'Who paused it: a person (`manual`) or a deliverability guard, the campaign\'s own or the workspace\'s' });

export const CampaignSchema = CreatedCampaignSchema.extend({
  steps: z.array(StepSchema),
  settings: z.object({
    sendingWindow: SendingWindowSchema.nullable(),
    stopCompanyOnReply: z.boolean(),
    autoPause: z.object({ bounceRate: z.number(), complaintRate: z.number(), minSent: z.number().int() }).nullable(),
    dailyNewLeads: z.number().int().nullable(),
  }),
  startedAt: z.string().nullable(),
  pausedAt: z.string().nullable(),
  pauseReason: PauseReasonSchema.nullable(),
  updatedAt: z.string(),
}).openapi('Campaign');

export const CampaignIdParam = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'camp_01hx4mrqpbcn7wh2gfk9yz6e3s' }),
});

export const ListCampaignsQuery = PaginationQuery.extend({ status: CampaignStatusSchema.optional() });

export const HealthSchema = z
  .object({
    status: z.enum(['healthy', 'waiting', 'blocked', 'auto_paused']).openapi({
      description: '`healthy`: sending as planned. `waiting`: held by something that passes by itself (a pause, the window, capacity, provider retries). `blocked`: needs someone to act (a sender account in error, no active sender).',
    }),
    reasons: z.array(
      z.object({
        code: z.string().openapi({ example: 'capacity_exhausted' }),
        message: z.string(),
        count: z.number().int().openapi({ description: 'Leads it holds' }),
        since: z.string().nullable(),
        until: z.string().nullable().optional().openapi({ description: 'When it passes, where known (the reset, the window opening)' }),
      }),
    ),
  })
  .openapi('CampaignHealth');
