// Captures the SQL the code issues (Prisma's query log) and runs EXPLAIN (ANALYZE, BUFFERS) on
// each statement with its own parameters: the plans are those of the queries as shipped, not of a
// hand-written copy that could drift from them.
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from '../src/generated/prisma/client.js';

export type Statement = { query: string; params: unknown[] };

/** A Prisma client that records every statement it sends. */
export function capturingDb(url: string) {
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }), log: [{ emit: 'event', level: 'query' }] });
  let statements: Statement[] = [];
  db.$on('query', (e) => statements.push({ query: e.query, params: JSON.parse(e.params) as unknown[] }));
  /** The statements `run` issued. */
  const capture = async (run: () => Promise<unknown>): Promise<Statement[]> => {
    statements = [];
    await run();
    return statements;
  };
  return { db, capture };
}

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Actual Total Time': number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
  Plans?: PlanNode[];
};
export type Explained = { plan: PlanNode; planningMs: number; executionMs: number };

// A table this big is never to be read whole (nor through an index that throws most of it away)
// to answer one lead's, one message's or one campaign's question.
const LARGE_ROWS = 10_000;

export async function explain(client: pg.Client, s: Statement): Promise<Explained> {
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Planning Time': number; 'Execution Time': number }] }>(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${s.query}`,
    s.params,
  );
  const [top] = rows[0]!['QUERY PLAN'];
  return { plan: top.Plan, planningMs: top['Planning Time'], executionMs: top['Execution Time'] };
}

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/** The plan as an indented tree: node, relation and index, rows, time, buffers. */
export function describePlan(n: PlanNode, depth = 0): string[] {
  const on = [n['Relation Name'] && `on "${n['Relation Name']}"`, n['Index Name'] && `using ${n['Index Name']}`].filter(Boolean).join(' ');
  const removed = n['Rows Removed by Filter'] ? `, ${n['Rows Removed by Filter']} removed by filter` : '';
  const line = `${'  '.repeat(depth)}${n['Node Type']} ${on} (rows ${n['Actual Rows']}${removed}, ${n['Actual Total Time'].toFixed(2)} ms, buffers ${n['Shared Hit Blocks']} hit ${n['Shared Read Blocks']} read)`;
  return [line.replace(/ {2,}\(/, ' ('), ...(n.Plans ?? []).flatMap((c) => describePlan(c, depth + 1))];
}

/** Why the plan reads a large table whole: Seq Scans of one, and scans that discard most of what they read. */
export function scansOfLargeTables(plan: PlanNode, rowsOf: Map<string, number>): string[] {
  return nodes(plan).flatMap((n) => {
    const table = n['Relation Name'];
    if (!table || (rowsOf.get(table) ?? 0) < LARGE_ROWS) return [];
    if (n['Node Type'] === 'Seq Scan') return [`Seq Scan on "${table}" (${rowsOf.get(table)} rows)`];
    const removed = (n['Rows Removed by Filter'] ?? 0) * n['Actual Loops'];
    return removed >= LARGE_ROWS ? [`${n['Node Type']} on "${table}" discards ${removed} rows by filter`] : [];
  });
}

/** Rows per table, as the planner knows them after ANALYZE. */
export async function tableRows(client: pg.Client): Promise<Map<string, number>> {
  const { rows } = await client.query<{ relname: string; n: string }>(
    `SELECT relname, reltuples::bigint AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = 'public' AND c.relkind = 'r'`,
  );
  return new Map(rows.map((r) => [r.relname, Number(r.n)]));
}
