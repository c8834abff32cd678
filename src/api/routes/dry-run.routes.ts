import { createRoute, z } from '@hono/zod-openapi';
import { launchPreview } from '../../campaigns/launch-preview.js';
import { PLAN_REASONS } from '../../domain/enrollment-status.js';
import { leadSchedule } from '../../leads/schedule.js';
import { createRouter, type AppDeps, servicesOf } from '../context.js';
import { CampaignIdParam } from '../schemas/campaigns.js';
import { commonErrors, dataOf, jsonResponse } from '../schemas/common.js';
import { CampaignLeadParams, EnrollmentStatusSchema, WaitReasonSchema } from '../schemas/leads.js';

const tags = ['Campaigns'];
const security = [{ bearerAuth: [] }];

export const LaunchPreviewSchema = z
  .object({
    campaignId: z.string().openapi({ description: 'The campaign', example: 'camp_01hx4mrqpbcn7wh2gfk9yz6e3s' }),
    status: z.string().openapi({ description: 'Its status now (draft, running, paused)', example: 'draft' }),
    steps: z.number().int().openapi({ description: 'Steps in its sequence', example: 2 }),
    leads: z.number().int().openapi({ description: 'Enrolled leads that are not ended: what a start or resume sets going', example: 120 }),
    newLeads: z.number().int().openapi({ description: 'Of those, the leads that have not had step 1 yet', example: 100 }),
    inSequence: z.number().int().openapi({ description: 'Of those, the leads already in the sequence (a resume): each goes on with its next step when that step\'s delay is over, not at once', example: 20 }),
    nextFollowUpAt: z.string().nullable().openapi({ description: 'When the first next step of a lead already in the sequence falls due (now if one is overdue; ISO 8601); null when no lead is in the sequence', example: '2026-12-04T10:00:00.000Z' }),
    firstDayVolume: z.number().int().openapi({
      description: "How many of the new leads can get step 1 on the first sending day: the sender pool's capacity left (a whole day's if the window opens on a later day) and settings.dailyNewLeads allowing. Pacing spreads them through the day.",
      example: 100,
    }),
    firstSendAt: z.string().openapi({ description: 'When the first message can go: now, or the next opening of the sending window (ISO 8601); with the window in each lead\'s zone, the earliest opening over the new leads\' zones', example: '2026-12-02T09:00:00.000Z' }),
    emptyTokens: z
      .array(z.object({ token: z.string().openapi({ description: 'A token without a fallback', example: 'firstName' }), leads: z.number().int().openapi({ description: 'Leads it renders empty for', example: 3 }) }))
      .openapi({ description: 'Tokens that would render empty, most affected first; give them a fallback ({{firstName|there}}) or fill the leads in', example: [{ token: 'firstName', leads: 3 }] }),
  })
  .openapi('LaunchPreview', { description: 'What a start or resume of the campaign would set going now' });

const launch = createRoute({
  method: 'get',
  path: '/campaigns/{id}/launch-preview',
  tags,
  security,
  summary: 'What starting the campaign now would do, without doing it',
  description:
    'Counts the leads a start or resume would set going, how many can get step 1 on the first sending day, when the first message can go, and which template tokens would render empty for how many leads. Nothing is sent, reserved or changed. Call it before POST /start (the MCP start tool does when called without confirm).',
  request: { params: CampaignIdParam },
  responses: { 200: jsonResponse(dataOf(LaunchPreviewSchema), 'The launch preview'), ...commonErrors },
});

export const LeadScheduleSchema = z
  .object({
    campaignId: z.string().openapi({ description: 'The campaign', example: 'camp_01hx4mrqpbcn7wh2gfk9yz6e3s' }),
    leadId: z.string().openapi({ description: 'The lead', example: 'lead_01hx4mrqpbcn7wh2gfk9yz6e3t' }),
    email: z.string().openapi({ description: "The lead's address", example: 'ada@example.com' }),
    status: EnrollmentStatusSchema,
    waitingFor: WaitReasonSchema.nullable(),
    campaignStatus: z.string().openapi({ description: "The campaign's status; a draft or paused campaign is planned as if started or resumed now", example: 'running' }),
    plannedAsIf: z
      .enum(['started_now', 'resumed_now'])
      .nullable()
      .openapi({ description: 'What the planned times depend on: `started_now` (a draft: the times hold if it starts now, and move with a later start), `resumed_now` (the campaign or the lead is paused: they hold if resumed now); null when they hold as they are', example: null }),
    steps: z
      .array(
        z.object({
          stepNumber: z.number().int().openapi({ description: 'The step', example: 2 }),
          variantId: z.string().nullable().openapi({ description: 'The variant the lead would get (fixed by lead and step, or the chosen winner); null for a step without variants', example: 'B' }),
          subject: z.string().openapi({ description: 'The subject as it would render now (an empty step subject continues the thread: Re: the first)', example: 'Re: Hi Ada' }),
          bodyHtml: z.string().openapi({ description: 'The body as it would render now', example: '<p>Following up, Ada</p>' }),
          emptyTokens: z.array(z.string()).openapi({ description: 'Tokens without a fallback that render empty for this lead', example: [] }),
          plannedAt: z.string().openapi({ description: 'When it would go out if nothing changes (ISO 8601)', example: '2026-12-05T09:00:00.000Z' }),
          plannedBecause: z.array(z.enum(PLAN_REASONS)).openapi({ description: "What puts it later than now: `delay` (its delayDays), `out_of_office` (an out-of-office reply holds the lead until the working day after its return), `window` (the sending window, in the lead's zone), `daily_new_leads` (the campaign's new leads for today are started), `capacity` (today's capacity is used up), `pacing` (its account's pacing)", example: ['delay', 'window'] }),
        }),
      )
      .openapi({ description: 'Every step still to come, in order; empty for an ended lead' }),
  })
  .openapi('LeadSchedule', { description: "A lead's remaining steps, rendered and planned" });

const schedule = createRoute({
  method: 'get',
  path: '/campaigns/{id}/leads/{leadId}/schedule',
  tags: ['Leads'],
  security,
  summary: "A lead's remaining steps, rendered and planned, without sending",
  description:
    "Every step still to come for the lead, rendered as it would go out, with when it would be sent if nothing changes (delays from the previous send, the sending window in the lead's time zone, its sender account's pacing, and today's capacity as it stands) and why. Nothing is sent, claimed or reserved; later sends and replies change the plan.",
  request: { params: CampaignLeadParams },
  responses: { 200: jsonResponse(dataOf(LeadScheduleSchema), 'The plan'), ...commonErrors },
});

export function dryRunRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  return createRouter()
    .openapi(launch, async (c) => c.json({ data: await launchPreview(services, c.get('workspaceId'), c.req.valid('param').id) }, 200))
    .openapi(schedule, async (c) => {
      const { id, leadId } = c.req.valid('param');
      return c.json({ data: await leadSchedule(services, c.get('workspaceId'), id, leadId) }, 200);
    });
}
