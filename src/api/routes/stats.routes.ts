import { createRoute, z } from '@hono/zod-openapi';
import { DateTime } from 'luxon';
import { campaignBreakdown, GROUP_BY, MAX_DAYS } from '../../campaigns/breakdowns.js';
import { campaignStats } from '../../campaigns/stats.js';
import { createRouter, type AppDeps, servicesOf } from '../context.js';
import { CampaignIdParam, CampaignStatusSchema } from '../schemas/campaigns.js';
import { commonErrors, Count, dataOf, Id, jsonResponse, Timestamp } from '../schemas/common.js';

const tags = ['Campaigns'];
const security = [{ bearerAuth: [] }];

const StatsSchema = z
  .object({
    campaignId: Id('camp', 'The campaign\'s id'),
    status: CampaignStatusSchema,
    enrolledLeads: Count('Leads enrolled in the campaign, whatever their status', 389),
    metrics: z
      .object({
        sent: Count('Messages the mail provider accepted (a later bounce does not take one back)', 412),
        delivered: Count("Messages the recipient's server accepted and that have not bounced since (a later hard bounce moves one to bounced)", 389),
        queued: Count('A count of now, unlike the running totals beside it: leads still live (pending, active or paused), each with a step still to be sent after a delay, the window, capacity or a pause (on a paused campaign: the leads that go on when it resumes). It falls as leads finish', 120),
        bounced: Count('Messages permanently rejected: hard bounces, also after delivery, and bounce notices received as replies (soft bounces are not counted)', 9),
        complained: Count('Messages the recipient reported as spam', 0),
        replied: Count('Leads that replied at least once, counted once however many replies (out-of-office replies and bounce notices do not count)', 47),
        replyRate: z.number().openapi({ description: 'replied / delivered, rounded to 3 decimals; 0 while nothing is delivered', example: 0.121 }),
      })
      .openapi({ description: 'The counts, exact right after each event' }),
    updatedAt: Timestamp('When the campaign or its counts last changed'),
  })
  .openapi('CampaignStats', { description: 'Delivery and reply metrics of a campaign' });

const Day = (description: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD')
    .refine((d) => DateTime.fromISO(d).isValid, 'not a day of the calendar')
    .openapi({ description, example: '2026-12-01' });
const Metric = (description: string, example: number) => Count(description, example);

const BreakdownRowSchema = z
  .object({
    key: z.string().openapi({ description: 'The row\'s key: the step number ("2"), step and variant ("2:B"), or the day ("2026-12-01")', example: '2:B' }),
    stepNumber: z.number().int().nullable().openapi({ description: 'The step (groupBy step or variant); null for days', example: 2 }),
    variantId: z.string().nullable().openapi({ description: 'The variant (groupBy variant); null for a step without variants and for days', example: 'B' }),
    day: z.string().nullable().openapi({ description: 'The day in the workspace\'s time zone (groupBy day); null otherwise', example: null }),
    metrics: z
      .object({
        sent: Metric('Messages of this row the provider accepted (for days: accepted that day)', 206),
        delivered: Metric('Of those, delivered and not bounced since (for days: deliveries that day)', 198),
        bounced: Metric('Hard bounces (for days: bounces that day)', 4),
        complained: Metric('Spam reports (for days: reports that day)', 0),
        replied: Metric('Leads whose first counted reply answered this step or variant (the last mail sent before it); for days: first replies that day', 19),
        replyRate: z.number().openapi({ description: 'replied / delivered, rounded to 3 decimals; 0 while nothing is delivered', example: 0.096 }),
      })
      .openapi({ description: 'The metrics of the ungrouped stats for this row (queued is a property of leads, in the ungrouped call)' }),
  })
  .openapi('StatsRow', { description: 'One row of a breakdown' });

const BreakdownSchema = z
  .object({
    campaignId: Id('camp', 'The campaign\'s id'),
    groupBy: z.enum(GROUP_BY).openapi({ description: 'What the rows are: `step`, `variant` (a step\'s variants) or `day`', example: 'variant' }),
    timezone: z.string().openapi({ description: 'The workspace\'s time zone, in which days and the range are read', example: 'Europe/Berlin' }),
    from: z.string().nullable().openapi({ description: 'The first day counted, as asked; null: from the start', example: '2026-11-01' }),
    to: z.string().nullable().openapi({ description: 'The last day counted, as asked; null: until now', example: '2026-11-30' }),
    rows: z.array(BreakdownRowSchema).openapi({ description: 'By step: every step. By variant: every step\'s variants that have counts (a step without variants as one row). By day: every day of the range (with from and to), else the days with activity. Rows sum to the ungrouped counts over the same range.' }),
  })
  .openapi('CampaignStatsBreakdown', { description: 'A campaign\'s metrics by step, variant or day' });

const StatsQuery = z
  .object({
    groupBy: z.enum(GROUP_BY).optional().openapi({ description: 'Break the metrics down: `step` (a row per step), `variant` (a row per step and variant), `day` (a row per day, workspace time zone). Without it: the totals, as always.', example: 'step' }),
    from: Day(`With groupBy: the first day to count (workspace time zone), inclusive; a range covers at most ${MAX_DAYS} days`).optional(),
    to: Day('With groupBy: the last day to count (workspace time zone), inclusive').optional(),
  })
  .refine((q) => q.groupBy !== undefined || (q.from === undefined && q.to === undefined), { message: 'from and to apply to a breakdown: add groupBy', path: ['groupBy'] });

const stats = createRoute({
  method: 'get',
  path: '/campaigns/{id}/stats',
  tags,
  security,
  summary: 'Delivery and reply metrics, in total or by step, variant or day',
  description:
    'Counts kept by the database in the same transaction as every send, delivery, bounce, complaint and reply: exact at once, and cheap to poll however large the campaign. Without groupBy: the totals (one row read). With groupBy: rows by step, variant or day, from quarter-hour counters, optionally over a range of days.',
  request: { params: CampaignIdParam, query: StatsQuery },
  responses: {
    200: jsonResponse(dataOf(z.union([StatsSchema, BreakdownSchema])), 'The totals (CampaignStats), or with groupBy the rows (CampaignStatsBreakdown)'),
    ...commonErrors,
  },
});

export function statsRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  return createRouter().openapi(stats, async (c) => {
    const { id } = c.req.valid('param');
    const { groupBy, from, to } = c.req.valid('query');
    const data = groupBy ? await campaignBreakdown(services, c.get('workspaceId'), id, { groupBy, from, to }) : await campaignStats(services, c.get('workspaceId'), id);
    return c.json({ data }, 200);
  });
}
