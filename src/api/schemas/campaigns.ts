import { z } from '@hono/zod-openapi';
import { isTimeZone, LEAD_TIMEZONE } from '../../domain/schedule.js';
import { DEFAULT_WEIGHT, MAX_VARIANTS, MIN_VARIANTS } from '../../domain/variants.js';
import { Count, exampleId, Id, NullableTimestamp, paginationQuery, Timestamp } from './common.js';

export const MAX_STEPS = 20;
export const MAX_SUBJECT_CHARS = 998;
/** A step's bodyHtml (SPEC §2: 256 KB), not a request body (MAX_REQUEST_BYTES). */
export const MAX_STEP_BODY_BYTES = 256 * 1024;

export { isTimeZone };
const TimeZone = z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin');

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

/** How tokens render (src/domain/render.ts), shared by every template field. */
const TOKENS =
  'Personalize with tokens: `{{firstName}}` becomes the lead\'s field — `email`, `firstName`, `lastName`, `company`, `jobTitle`, ' +
  'else a custom field of that name (`{{city}}`); spaces inside the braces are allowed. A missing or blank field renders as nothing, ' +
  'unless the token names a fallback after `|`: `{{firstName|there}}` renders `there`. Tokens render at send time from the ' +
  "lead's current fields; the campaign's preview shows the result for one lead and lists tokens that would render empty.";

export const SendingWindowSchema = z
  .strictObject({
    timezone: z
      .string()
      .refine((tz) => tz === LEAD_TIMEZONE || isTimeZone(tz), 'must be an IANA time zone such as Europe/Berlin, or "lead"')
      .openapi({ description: 'The IANA zone the window is read in, or "lead": each lead\'s own `timezone`, else fallbackTimezone. Local times hold across daylight-saving changes.', example: 'America/New_York' }),
    fallbackTimezone: TimeZone.optional().openapi({ description: 'With timezone "lead": the zone for leads without one (default UTC)', example: 'Europe/Berlin' }),
    days: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'must not repeat a day')
      .openapi({ description: 'The ISO weekdays mail may go out on: 1 = Monday … 7 = Sunday, each at most once', example: [1, 2, 3, 4, 5] }),
    start: clock.openapi({ description: 'Local opening time, HH:MM (24-hour)', example: '09:00' }),
    end: clock.openapi({ description: 'Local closing time, HH:MM (24-hour), after start; nothing is sent from this minute on', example: '17:00' }),
  })
  .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] })
  .openapi('SendingWindow', {
    description:
      'When mail may go out: a step that falls due outside the window waits (waitingFor `window`) for its next opening. null (the default): at any time.',
    example: { timezone: 'America/New_York', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
  });

const rate = (what: string, example: number) => z.number().gt(0).max(1).openapi({ description: what, example });

export const AutoPauseSchema = z
  .strictObject({
    bounceRate: rate('Pause when hard bounces pass this share of sends, a fraction (default 0.03 = 3 %)', 0.03).optional(),
    complaintRate: rate('Pause when spam complaints pass this share of sends, a fraction (default 0.001 = 0.1 %)', 0.001).optional(),
    minSent: z.number().int().min(1).max(1_000_000).optional().openapi({ description: 'Judge only after this many sends (default 50); after a manual resume, judge again only this many sends later', example: 50 }),
  })
  .openapi('AutoPause', {
    description:
      'The campaign pauses itself (pauseReason `bounce_rate_exceeded` or `complaint_rate_exceeded`, event campaign.auto_paused) when a rate passes its threshold. ' +
      'Fields left out keep their current value (or default); null turns the guard off, though the workspace-wide guard (4 % bounces, 0.08 % complaints over 7 days) still applies.',
  });

const DailyNewLeadsSchema = z.number().int().min(1).max(1_000_000).openapi({
  description:
    'At most this many leads receive step 1 per day (midnight to midnight in the workspace time zone); the rest wait with waitingFor daily_new_leads. When the senders\' capacity is short, follow-ups due that day go before new leads either way. null (the default): no cap.',
  example: 40,
});

export const AutoOptimizeSchema = z
  .strictObject({
    minDeliveredPerVariant: z.number().int().min(1).max(1_000_000).optional().openapi({ description: 'Judge a step only once each of its variants has this many deliveries (default 100)', example: 100 }),
  })
  .openapi('AutoOptimize', {
    description:
      'Choose each step\'s winning variant: once every variant has minDeliveredPerVariant deliveries and one variant\'s reply rate beats each other\'s with 95 % confidence (one-sided two-proportion z-test), only it is assigned from then on (event step.winner_selected; the step shows winnerVariantId). Replies, not opens, decide. `{}` turns it on with the default; null (the default) turns it off.',
  });

const ReplyAction = (cls: string, fallback: string) =>
  z.enum(['stop', 'hold']).optional().openapi({ description: `What a reply classified ${cls} does: \`stop\` ends the lead's sequence, \`hold\` pauses it until the working day after the return date the reply names (7 days when it names none). Default ${fallback}.`, example: fallback });

export const OnReplySchema = z
  .strictObject({
    interested: ReplyAction('interested', 'stop'),
    not_interested: ReplyAction('not_interested', 'stop'),
    out_of_office: ReplyAction('out_of_office', 'hold'),
  })
  .openapi('OnReply', {
    description:
      'What a reply does to the lead\'s sequence in the campaign it answered, by its classification. A held lead shows waitingFor `out_of_office` and resumes on its own; another reply meanwhile is handled as usual. Unsubscribes and bounce notices always end the lead; other replies (`neutral`, questions) stop it. Fields left out keep their value.',
  });

const STOP_COMPANY_ON_REPLY =
  'When a lead answers as a person (a reply classified interested or not_interested; not an out-of-office, an unsubscribe or a bounce notice), also stop every live enrollment in this campaign of the other leads whose email has the same domain (colleagues at @acme.com); free-mail domains such as gmail.com never count as a company. Default false.';

export const SettingsSchema = z
  .strictObject({
    sendingWindow: SendingWindowSchema.nullable().optional(),
    stopCompanyOnReply: z.boolean().optional().openapi({ description: STOP_COMPANY_ON_REPLY, example: true }),
    autoPause: AutoPauseSchema.nullable().optional(),
    dailyNewLeads: DailyNewLeadsSchema.nullable().optional(),
    autoOptimize: AutoOptimizeSchema.nullable().optional(),
    onReply: OnReplySchema.optional(),
  })
  .openapi('CampaignSettings', {
    description: 'Delivery settings; they may change in any status. On an update only the settings named change; the others keep their values.',
  });

const DELAY_DAYS =
  'Whole days (0–365) to wait before this step: after the previous step was sent, or for step 1 after the lead starts (its enrollment, or the campaign start for leads enrolled before it). The sending window, capacity and pacing may add to it.';
const SUBJECT = `The subject line (up to ${MAX_SUBJECT_CHARS} characters). ${TOKENS} Line breaks render as spaces and a rendered subject is cut at ${MAX_SUBJECT_CHARS} characters. Step 1 needs one; an empty subject on a later step becomes "Re: <step 1's subject>", continuing the thread.`;
const BODY_HTML = `The HTML body (up to ${MAX_STEP_BODY_BYTES} bytes). ${TOKENS} Field values are HTML-escaped; a fallback is inserted as written.`;
const STEP_NUMBER = 'The step\'s position, 1 to n in array order; optional, but when given it must equal the position (a gap or duplicate is refused)';

const BodyHtml = z
  .string()
  .min(1)
  .refine((b) => Buffer.byteLength(b, 'utf8') <= MAX_STEP_BODY_BYTES, `must be at most ${MAX_STEP_BODY_BYTES} bytes`)
  .openapi({ description: BODY_HTML, example: '<p>Hi {{firstName|there}},</p><p>I noticed {{company}} is expanding its sales team.</p>' });
const Subject = z.string().max(MAX_SUBJECT_CHARS).openapi({ description: SUBJECT, example: 'Quick question, {{firstName}}' });
const VARIANT_ID = 'The variant\'s id: 1 to 32 letters, digits, `-` or `_`; default the next free letter (A, B, …)';
const WEIGHT = `Its share of the leads assigned (0–1000, default ${DEFAULT_WEIGHT}): weights 3 and 1 send it to about three leads in four; 0 assigns it to no new lead`;

const variantFields = {
  id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1 to 32 letters, digits, - or _').optional().openapi({ description: VARIANT_ID, example: 'B' }),
  subject: Subject,
  bodyHtml: BodyHtml,
  weight: z.number().int().min(0).max(1000).optional().openapi({ description: WEIGHT, example: 1 }),
};
export const VariantInputSchema = z.strictObject(variantFields).openapi('VariantInput', { description: 'One version of a step\'s email' });

/** A variant added to a step: the body may be left out to test a subject alone. */
export const NewVariantSchema = z
  .strictObject({
    ...variantFields,
    bodyHtml: BodyHtml.optional().openapi({ description: "The body; left out, the step's first version's body (to test a subject alone)", example: '<p>Hi {{firstName|there}}</p>' }),
  })
  .openapi('NewVariant', { description: 'Another version of a step\'s email' });

const VARIANTS_INPUT = `${MIN_VARIANTS} to ${MAX_VARIANTS} versions of this step's email, instead of subject and bodyHtml. Each lead is assigned one when the step is first sent to it (a weighted pick fixed by the lead and step, so retries and restarts keep it) and the message records it; with settings.autoOptimize the winner is assigned to every lead from then on.`;

export const StepInputSchema = z
  .strictObject({
    stepNumber: z.number().int().min(1).max(MAX_STEPS).optional().openapi({ description: STEP_NUMBER, example: 1 }),
    delayDays: z.number().int().min(0).max(365).openapi({ description: DELAY_DAYS, example: 3 }),
    subject: Subject.optional(),
    bodyHtml: BodyHtml.optional(),
    variants: z.array(VariantInputSchema).min(MIN_VARIANTS).max(MAX_VARIANTS).optional().openapi({ description: VARIANTS_INPUT }),
  })
  .openapi({ description: 'One email of the sequence: subject and bodyHtml, or variants' });

/** Steps are numbered 1..n in array order; explicit numbers must agree (a gap or duplicate is refused). */
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
      checkStepContent(step, i, ctx);
    });
  })
  .transform((steps) => steps.map((s, i) => ({ ...s, stepNumber: i + 1 })));

function checkStepContent(step: z.infer<typeof StepInputSchema>, i: number, ctx: z.RefinementCtx) {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path: [i, ...path], message });
  if (step.variants) {
    if (step.subject !== undefined || step.bodyHtml !== undefined) issue(['variants'], 'give subject and bodyHtml, or variants, not both');
    const ids = step.variants.flatMap((v) => (v.id ? [v.id] : []));
    if (new Set(ids).size !== ids.length) issue(['variants'], 'variant ids must be unique');
    if (step.variants.every((v) => (v.weight ?? DEFAULT_WEIGHT) === 0)) issue(['variants'], 'at least one variant needs a weight above 0');
    if (i === 0) step.variants.forEach((v, j) => v.subject.trim() === '' && issue(['variants', j, 'subject'], 'step 1 needs a subject'));
    return;
  }
  if (step.subject === undefined) issue(['subject'], 'required (or give variants)');
  if (step.bodyHtml === undefined) issue(['bodyHtml'], 'required (or give variants)');
  if (i === 0 && step.subject !== undefined && step.subject.trim() === '') issue(['subject'], 'step 1 needs a subject');
}

const SEQUENCE_STEPS_INPUT = `The emails of the sequence in order, at most ${MAX_STEPS}; they replace all existing steps and may change only while the campaign is a draft.`;

export const VariantSchema = z
  .object({
    id: z.string().openapi({ description: 'The variant\'s id; messages and breakdowns name it', example: 'B' }),
    subject: z.string().openapi({ description: `The subject template. ${TOKENS}`, example: 'A thought on {{company}}' }),
    bodyHtml: z.string().openapi({ description: `The HTML body template. ${TOKENS}`, example: '<p>Hi {{firstName|there}},</p>' }),
    weight: Count('Its share of the leads assigned (0: no new lead gets it)', 1),
  })
  .openapi('Variant', { description: 'One version of a step\'s email' });

export const StepSchema = z
  .object({
    stepNumber: Count('The step\'s position in the sequence, from 1', 1),
    delayDays: Count(DELAY_DAYS, 3),
    subject: z.string().openapi({ description: `The subject template (with variants: the first variant's). ${TOKENS}`, example: 'Quick question, {{firstName}}' }),
    bodyHtml: z.string().openapi({ description: `The HTML body template (with variants: the first variant's). ${TOKENS}`, example: '<p>Hi {{firstName|there}},</p><p>I noticed {{company}} is expanding its sales team.</p>' }),
    variants: z.array(VariantSchema).openapi({ description: 'The step\'s variants; empty for a step with one version' }),
    winnerVariantId: z.string().nullable().openapi({ description: 'The variant settings.autoOptimize chose: every lead reaching the step from then on gets it; null until then', example: null }),
    winnerSelectedAt: NullableTimestamp('When the winner was chosen; null until then'),
  })
  .openapi('Step', { description: 'One email of the sequence, as written (tokens not yet rendered)' });

export const CampaignStatusSchema = z.enum(['draft', 'running', 'paused']).openapi({
  description:
    '`draft`: being prepared, nothing is sent (starting it runs it). `running`: sending. `paused`: nothing is sent until it is resumed; pauseReason says who paused it.',
  example: 'running',
});

const CampaignName = z.string().trim().min(1).max(200).openapi({ description: 'A name for people, 1 to 200 characters; not unique', example: 'VP Sales — AI Workflow Q1' });

export const CreateCampaignSchema = z
  .strictObject({
    name: CampaignName,
    sequenceSteps: StepsSchema.optional().openapi({ description: `The emails of the sequence in order, at most ${MAX_STEPS} (they can also be set later, while the campaign is a draft)` }),
    settings: SettingsSchema.optional(),
  })
  .openapi('CreateCampaign', {
    description: 'A new campaign, created as a draft',
    example: {
      name: 'VP Sales — AI Workflow Q1',
      sequenceSteps: [
        { stepNumber: 1, delayDays: 0, subject: 'Quick question, {{firstName}}', bodyHtml: '<p>Hi {{firstName}},</p><p>I noticed {{company}} is expanding its sales team.</p>' },
        { stepNumber: 2, delayDays: 3, subject: 'Following up, {{firstName}}', bodyHtml: '<p>Hi {{firstName|there}},</p><p>Just wanted to bump this in case it got buried.</p>' },
      ],
      settings: { sendingWindow: { timezone: 'America/New_York', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }, stopCompanyOnReply: true },
    },
  });

export const UpdateCampaignSchema = z
  .strictObject({
    name: CampaignName.optional(),
    sequenceSteps: StepsSchema.optional().openapi({ description: SEQUENCE_STEPS_INPUT }),
    settings: SettingsSchema.optional(),
  })
  .openapi('UpdateCampaign', { description: 'What to change; fields left out keep their values' });

const CampaignId = Id('camp', 'The campaign\'s id');

export const CreatedCampaignSchema = z
  .object({
    id: CampaignId,
    name: z.string().openapi({ description: 'The campaign\'s name', example: 'VP Sales — AI Workflow Q1' }),
    status: CampaignStatusSchema,
    sequenceSteps: Count('The number of steps (the steps themselves are in the campaign\'s `steps`)', 2),
    createdAt: Timestamp('When the campaign was created'),
  })
  .openapi('CreatedCampaign', { description: 'A campaign in short' });

export const PauseReasonSchema = z
  .enum(['manual', 'bounce_rate_exceeded', 'complaint_rate_exceeded', 'workspace_bounce_rate_exceeded', 'workspace_complaint_rate_exceeded'])
  .openapi({
    description:
      'Who paused it, while paused (null otherwise): `manual` (paused by a caller); the campaign\'s own autoPause guard, `bounce_rate_exceeded` or `complaint_rate_exceeded`; ' +
      'or the workspace guard over its last 7 days, `workspace_bounce_rate_exceeded` (4 %) or `workspace_complaint_rate_exceeded` (0.08 %). Resume once the cause is dealt with.',
    example: 'manual',
  });

export const CampaignSchema = CreatedCampaignSchema.extend({
  version: Count('Grows by one with every change (an update, start, pause, resume, auto-pause). Send it back with an update as the version you read, so a change made since you read the campaign is refused instead of overwritten', 3),
  steps: z.array(StepSchema).openapi({ description: 'The sequence, in order' }),
  settings: z
    .object({
      // A union, not .nullable(): the generator drops null from a nullable reference.
      sendingWindow: z.union([SendingWindowSchema, z.null()]),
      stopCompanyOnReply: z.boolean().openapi({ description: STOP_COMPANY_ON_REPLY, example: false }),
      autoPause: z
        .object({
          bounceRate: z.number().openapi({ description: 'Pauses when hard bounces pass this share of sends', example: 0.03 }),
          complaintRate: z.number().openapi({ description: 'Pauses when spam complaints pass this share of sends', example: 0.001 }),
          minSent: Count('Judged only from this many sends on', 50),
        })
        .nullable()
        .openapi({ description: 'The campaign\'s auto-pause guard with its defaults filled in; null when turned off' }),
      dailyNewLeads: z.number().int().nullable().openapi({ description: 'At most this many leads start (receive step 1) per workspace day; null: no cap', example: 40 }),
      autoOptimize: z
        .object({ minDeliveredPerVariant: Count('Each variant needs this many deliveries before a step is judged', 100) })
        .nullable()
        .openapi({ description: 'Winner selection among a step\'s variants, defaults filled in; null when off' }),
      onReply: z
        .object({
          interested: z.enum(['stop', 'hold']).openapi({ description: 'What an interested reply does (`stop` or `hold`)', example: 'stop' }),
          not_interested: z.enum(['stop', 'hold']).openapi({ description: 'What a not-interested reply does (`stop` or `hold`)', example: 'stop' }),
          out_of_office: z.enum(['stop', 'hold']).openapi({ description: 'What an out-of-office reply does (`stop` or `hold`)', example: 'hold' }),
        })
        .openapi({ description: 'The reply policy in force, defaults filled in' }),
    })
    .openapi({ description: 'The settings in force, defaults filled in' }),
  startedAt: NullableTimestamp('When it was first started; null while a draft'),
  pausedAt: NullableTimestamp('When it was last paused; null while running or a draft'),
  pauseReason: PauseReasonSchema.nullable(),
  updatedAt: Timestamp('When the campaign last changed'),
}).openapi('Campaign', { description: 'A campaign with its steps and settings' });

export const CampaignIdParam = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, description: 'The campaign\'s id', example: exampleId('camp') }),
});

export const ListCampaignsQuery = paginationQuery(exampleId('camp')).extend({
  status: CampaignStatusSchema.optional().openapi({ description: 'Only campaigns in this status: `draft`, `running` or `paused`', example: 'running' }),
});

export const HealthSchema = z
  .object({
    status: z.enum(['healthy', 'waiting', 'draft', 'paused', 'blocked', 'auto_paused']).openapi({
      description:
        '`healthy`: sending as planned (leads may still wait for their delays, pacing or out-of-office returns). `waiting`: held by something that passes by itself (the window, capacity, the daily new-lead cap, provider retries). ' +
        '`draft`: not started; nothing is sent until someone starts it. `paused`: paused by a caller; nothing is sent until someone resumes it. ' +
        '`blocked`: needs someone to act (a sender account in error, no active sender). `auto_paused`: a deliverability guard paused it; see the reason, fix the cause, then resume.',
      example: 'waiting',
    }),
    reasons: z
      .array(
        z.object({
          code: z.string().openapi({
            description:
              'Why: `not_started` (a draft), `campaign_paused` (paused by hand), `bounce_rate_exceeded` / `complaint_rate_exceeded` / `workspace_bounce_rate_exceeded` / `workspace_complaint_rate_exceeded` (auto-paused), ' +
              '`sender_error` (the provider refused a sender account: fix it, then set it `active` again), `no_active_sender`, `capacity_exhausted` (daily limits used up until the reset), `window_closed` (until the window opens), ' +
              '`provider_retrying`, `daily_new_leads` (the cap is reached for today), `pacing` (spaced out by minGapSeconds/jitterSeconds), `out_of_office` (held after an out-of-office reply until its return date), `leads_paused` (leads paused one by one)',
            example: 'capacity_exhausted',
          }),
          message: z.string().openapi({ description: 'The reason in a sentence, with what to do where something must be done', example: "The sender accounts' daily limits are used up; these leads send when capacity resets." }),
          count: Count('How many live leads it holds', 120),
          needsYou: z.boolean().openapi({ description: 'true: it lasts until someone acts (starts or resumes the campaign, resumes the leads, fixes a sender); false: it passes by itself', example: false }),
          since: NullableTimestamp('Since when the earliest of them has waited for it; null when not known'),
          until: NullableTimestamp('When it passes, where known (the capacity reset, the window opening, the next retry, an out-of-office hold\'s end): the earliest among them. A hold\'s end is not yet a send: the mail goes at the window\'s next opening then, as the lead\'s nextSendAt says').optional(),
        }),
      )
      .openapi({ description: 'Each thing holding the campaign or its leads back, campaign-wide ones first; empty when nothing does' }),
  })
  .openapi('CampaignHealth', { description: 'Whether the campaign is sending, and if not, why and until when' });

/** `If-Match` on PATCH: the version read (`"3"`, `W/"3"` or `3`), or `*` for any. */
export const IfMatchHeaders = z.object({
  'if-match': z
    .string()
    .regex(/^(\*|(W\/)?"?\d{1,9}"?)$/, 'a version as the ETag gives it ("3"), or *')
    .optional()
    .openapi({
      description:
        'The campaign\'s `version` as you read it (the ETag of GET /v1/campaigns/{id}, e.g. `"3"`). If the campaign changed since, the request changes nothing and answers 412 `version_mismatch`; without the header it applies whatever changed meanwhile.',
      example: '"3"',
    }),
});

/** The version an If-Match names; undefined for none or `*`. */
export const versionOf = (ifMatch: string | undefined): number | undefined => (ifMatch && ifMatch !== '*' ? Number(/\d+/.exec(ifMatch)![0]) : undefined);
