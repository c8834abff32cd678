import { describe, expect, it } from 'vitest';
import { ENROLLMENT_STATUSES, LIVE_STATUSES, TERMINAL_STATUSES, WAIT_REASONS } from '../../src/domain/enrollment-status.js';
import type { Tx } from '../../src/db.js';
import { testDeps } from '../helpers/deps.js';

/**
 * What the database says about a lead's states agrees with src/domain/enrollment-status.ts: the
 * enums' values, and the counter trigger's `sequent_finished` (PL/pgSQL takes no parameters, so
 * that SQL names the terminal statuses itself; this test holds it to TERMINAL_STATUSES).
 */
describe('a lead\'s states in PostgreSQL', () => {
  it('has the enums of the domain\'s lists, and counts exactly the terminal statuses as finished', async () => {
    const { db } = testDeps();
    const statuses = await db.$queryRaw<{ s: string; finished: number }[]>`
      SELECT s::text AS s, sequent_finished(s) AS finished FROM unnest(enum_range(NULL::"EnrollmentStatus")) s`;
    expect(statuses.map((r) => r.s)).toEqual(ENROLLMENT_STATUSES);
    expect(statuses.filter((r) => r.finished === 1).map((r) => r.s)).toEqual(TERMINAL_STATUSES);
    const waits = await db.$queryRaw<{ w: string }[]>`SELECT w::text AS w FROM unnest(enum_range(NULL::"WaitReason")) w`;
    expect(waits.map((r) => r.w)).toEqual(WAIT_REASONS);
  });

  it('takes a list of statuses as one parameter, planned exactly as the literal list it replaced', async () => {
    const { db } = testDeps();
    const [live] = await db.$queryRaw<{ live: string[] }[]>`
      SELECT array_agg(s::text ORDER BY s) AS live FROM unnest(enum_range(NULL::"EnrollmentStatus")) s WHERE s = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[])`;
    expect(live!.live).toEqual(LIVE_STATUSES);
    type Plan = { 'QUERY PLAN': string }[];
    const explain = (query: (tx: Tx) => Promise<Plan>) =>
      db.$transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
        return (await query(tx)).map((r) => r['QUERY PLAN']).join('\n');
      });
    const campaignId = 'camp_plan';
    const parameter = await explain((tx) => tx.$queryRaw<Plan>`
      EXPLAIN SELECT id FROM "Enrollment" WHERE "campaignId" = ${campaignId} AND status = ANY(${LIVE_STATUSES}::"EnrollmentStatus"[])`);
    // The form every query had before (issue 25): the planner must see no difference.
    const literal = await explain((tx) => tx.$queryRaw<Plan>`
      EXPLAIN SELECT id FROM "Enrollment" WHERE "campaignId" = ${campaignId} AND status IN ('pending', 'active', 'paused')`);
    expect(parameter).toBe(literal);
  });
});
