import { DateTime } from 'luxon';
import { Prisma } from '../db.js';
import { InvalidValueError } from '../domain/errors.js';
import { startOfLocalDay } from '../domain/schedule.js';
import { readVariants } from '../domain/variants.js';
import type { ServiceDeps } from '../services.js';
import { requireCampaign } from './require-campaign.js';
import { replyRate } from './stats.js';

export const GROUP_BY = ['step', 'variant', 'day'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
/** A day breakdown fills every day of its range, so a range is at most this long. */
export const MAX_DAYS = 366;

type Sums = { sent: number; delivered: number; bounced: number; complained: number; replied: number };
type Row = { key: string; stepNumber: number | null; variantId: string | null; day: string | null; metrics: Sums & { replyRate: number } };

const ZERO: Sums = { sent: 0, delivered: 0, bounced: 0, complained: 0, replied: 0 };
const SUMS = Prisma.sql`sum(sent)::int AS sent, sum(delivered)::int AS delivered, sum(bounced)::int AS bounced,
  sum(complained)::int AS complained, sum(replied)::int AS replied`;

const metricsOf = ({ sent, delivered, bounced, complained, replied }: Sums) => ({ sent, delivered, bounced, complained, replied, replyRate: replyRate(replied, delivered) });

/**
 * SPEC §12: a campaign's metrics by step, by variant, or by day (the workspace's time zone), over
 * an optional range of days. Read from the quarter-hour counters the database keeps with every
 * change, so the cost follows the campaign's age and shape, not its number of messages; the rows
 * always sum to the ungrouped stats over the same range.
 */
export async function campaignBreakdown(deps: ServiceDeps, workspaceId: string, campaignId: string, query: { groupBy: GroupBy; from?: string | undefined; to?: string | undefined }) {
  const { db } = deps;
  await requireCampaign(db, workspaceId, campaignId);
  const { timezone } = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timezone: true } });
  const range = rangeOf(query.from, query.to, timezone);
  const where = Prisma.sql`"campaignId" = ${campaignId}
    ${range.lo ? Prisma.sql`AND bucket >= ${range.lo}` : Prisma.empty} ${range.hi ? Prisma.sql`AND bucket < ${range.hi}` : Prisma.empty}`;
  const rows =
    query.groupBy === 'day'
      ? await byDay(deps, where, timezone, query.from, query.to)
      : await byStep(deps, campaignId, where, query.groupBy === 'variant');
  return { campaignId, groupBy: query.groupBy, timezone, from: query.from ?? null, to: query.to ?? null, rows };
}

function rangeOf(from: string | undefined, to: string | undefined, timezone: string): { lo: Date | null; hi: Date | null } {
  if (from && to && from > to) throw new InvalidValueError('from', 'after_to', `from (${from}) is after to (${to}).`);
  if (from && to && DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days >= MAX_DAYS) {
    throw new InvalidValueError('to', 'range_too_long', `A range covers at most ${MAX_DAYS} days.`);
  }
  return {
    lo: from ? startOfLocalDay(from, timezone) : null,
    hi: to ? startOfLocalDay(DateTime.fromISO(to).plus({ days: 1 }).toISODate()!, timezone) : null,
  };
}

async function byStep({ db }: ServiceDeps, campaignId: string, where: Prisma.Sql, perVariant: boolean): Promise<Row[]> {
  const sums = await db.$queryRaw<(Sums & { stepNumber: number; variantId: string })[]>`
    SELECT "stepNumber", ${perVariant ? Prisma.sql`"variantId"` : Prisma.sql`''`} AS "variantId", ${SUMS}
      FROM "CampaignStatsBucket" WHERE ${where} GROUP BY 1, 2`;
  const steps = await db.sequenceStep.findMany({ where: { campaignId }, select: { stepNumber: true, variants: true }, orderBy: { stepNumber: 'asc' } });
  // Every step has a row, sent to or not; by variant, so does every variant the step has (an A/B
  // test shows before its first mail), and any other variant that has counts.
  const rows = new Map<string, Sums & { stepNumber: number; variantId: string }>();
  for (const s of steps) {
    const ids = perVariant ? readVariants(s.variants).map((v) => v.id) : [];
    for (const variantId of ids.length ? ids : ['']) rows.set(`${s.stepNumber}:${variantId}`, { stepNumber: s.stepNumber, variantId, ...ZERO });
  }
  for (const r of sums) rows.set(`${r.stepNumber}:${r.variantId}`, r);
  return [...rows.values()]
    .sort((a, b) => a.stepNumber - b.stepNumber || a.variantId.localeCompare(b.variantId))
    .map((r) => ({
      key: r.variantId ? `${r.stepNumber}:${r.variantId}` : String(r.stepNumber),
      stepNumber: r.stepNumber,
      variantId: r.variantId || null,
      day: null,
      metrics: metricsOf(r),
    }));
}

async function byDay({ db }: ServiceDeps, where: Prisma.Sql, timezone: string, from: string | undefined, to: string | undefined): Promise<Row[]> {
  const sums = await db.$queryRaw<(Sums & { day: string })[]>`
    SELECT to_char(bucket AT TIME ZONE ${timezone}, 'YYYY-MM-DD') AS day, ${SUMS}
      FROM "CampaignStatsBucket" WHERE ${where} GROUP BY 1 ORDER BY 1`;
  const found = new Map(sums.map((r) => [r.day, r]));
  // With a range every day of it has a row, quiet days too (a chart's axis).
  const days = from && to ? daysBetween(from, to) : sums.map((r) => r.day);
  return days.map((day) => ({ key: day, stepNumber: null, variantId: null, day, metrics: metricsOf(found.get(day) ?? ZERO) }));
}

function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = DateTime.fromISO(from); d.toISODate()! <= to; d = d.plus({ days: 1 })) days.push(d.toISODate()!);
  return days;
}
