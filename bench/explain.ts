// `node --import tsx bench/explain.ts` (and the `explain` scenario of `npm run bench`): EXPLAIN
// (ANALYZE, BUFFERS) at 1,000,000 messages for the queries that look one thing up among many — a
// message's events (a replayed delivery), a replier's colleagues (stopCompanyOnReply, inside the
// reply's transaction), a campaign's health. Exits non-zero when one of them reads a large table
// whole: at this size that is the difference between a millisecond and a second, under locks.
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { campaignHealth } from '../src/campaigns/health.js';
import { findColleagues } from '../src/replies/intake.js';
import { messageEvents } from '../src/webhooks/events.js';
import { freePort } from '../scripts/lib/children.js';
import { startEmbeddedPostgres } from '../scripts/lib/embedded-postgres.js';
import { applyMigrations, MIGRATIONS_DIR, readMigrations } from '../scripts/lib/migrate.js';
import { capturingDb, describePlan, explain, scansOfLargeTables, tableRows, type Statement } from './explain-plan.js';
import { seed, TARGET } from './explain-seed.js';

// The fill is written for the schema before this migration; it and the later ones are applied to
// the filled database, so their backfills are measured at this size too.
const APPLIED_AFTER_FILL = '20261207181500';

export type ExplainResult = { query: string; statement: number; executionMs: number; problems: string[] };

/** Every migration before APPLIED_AFTER_FILL, in a directory of their own (same files, same checksums). */
function migrationsBeforeFill(dir: string): string {
  const subset = path.join(dir, 'migrations');
  for (const m of readMigrations().filter((m) => m.name < APPLIED_AFTER_FILL)) cpSync(path.join(MIGRATIONS_DIR, m.name), path.join(subset, m.name), { recursive: true });
  return subset;
}

async function timed<T>(log: (line: string) => void, label: string, run: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const value = await run();
  log(`${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return value;
}

/** The three lookups as the code makes them, for the targets of the fill. */
async function queries(client: pg.Client, db: ReturnType<typeof capturingDb>['db']) {
  const message = { id: `msg_${TARGET.leadNumber}_1`, workspaceId: TARGET.workspaceId };
  const { rows } = await client.query<{ id: string; email: string }>(
    `SELECT id, email FROM "Lead" WHERE "workspaceId" = $1 AND email NOT LIKE '%@gmail.com' AND id >= $2 ORDER BY id LIMIT 1`,
    [TARGET.workspaceId, `lead_${TARGET.leadNumber}`],
  );
  const replier = rows[0]!;
  const deps = { db, orchestrator: undefined as never, now: () => new Date() };
  return [
    { name: "a replayed delivery's events (deliver.ts)", run: () => messageEvents(db, message) },
    { name: "a replier's colleagues (stopCompanyOnReply)", run: () => findColleagues(db, { workspaceId: TARGET.workspaceId, email: replier.email, leadId: replier.id }) },
    { name: 'campaign health (largest campaign)', run: () => campaignHealth(deps, TARGET.workspaceId, TARGET.campaignId) },
  ];
}

/** The median of three runs' execution times, with the last run's plan. */
async function explainThrice(client: pg.Client, s: Statement) {
  const runs = [await explain(client, s), await explain(client, s), await explain(client, s)];
  const executionMs = runs.map((r) => r.executionMs).sort((a, b) => a - b)[1]!;
  return { ...runs[2]!, executionMs };
}

export async function explainScenario(log: (line: string) => void = console.log): Promise<ExplainResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sequent-explain-'));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user, who must reach the cluster
  const pgServer = await startEmbeddedPostgres({ clusterDir: path.join(dir, 'pg'), port: await freePort(), database: 'sequent_explain' });
  const client = new pg.Client({ connectionString: pgServer.url });
  const capturing = capturingDb(pgServer.url);
  const results: ExplainResult[] = [];
  try {
    await applyMigrations(pgServer.url, migrationsBeforeFill(dir));
    await client.connect();
    await timed(log, 'fill', () => seed(client, log));
    const later = await timed(log, 'migrations after the fill', () => applyMigrations(pgServer.url));
    if (later.length) log(`  ${later.join(', ')}`);
    await timed(log, 'VACUUM ANALYZE', () => client.query('VACUUM ANALYZE'));
    const sizes = await tableRows(client);
    log(`rows: ${['Lead', 'Enrollment', 'Message', 'Event'].map((t) => `${t} ${sizes.get(t)}`).join(', ')}`);
    for (const q of await queries(client, capturing.db)) {
      const statements = await capturing.capture(q.run);
      for (const [i, s] of statements.entries()) {
        const e = await explainThrice(client, s);
        const problems = scansOfLargeTables(e.plan, sizes);
        results.push({ query: q.name, statement: i + 1, executionMs: +e.executionMs.toFixed(3), problems });
        log(`\n${q.name}, statement ${i + 1}: ${e.executionMs.toFixed(3)} ms (planning ${e.planningMs.toFixed(3)} ms)${problems.length ? `  <-- ${problems.join('; ')}` : ''}`);
        log(`  ${s.query.replace(/\s+/g, ' ')}`);
        for (const line of describePlan(e.plan)) log(`    ${line}`);
      }
    }
  } finally {
    await capturing.db.$disconnect();
    await client.end().catch(() => undefined);
    await pgServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await explainScenario();
  const problems = results.filter((r) => r.problems.length);
  console.log(problems.length ? `\n${problems.length} statement(s) read a large table whole` : '\nno statement reads a large table whole');
  process.exit(problems.length ? 1 : 0);
}
