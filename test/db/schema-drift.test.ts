import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { applyMigrations, MIGRATIONS_DIR, readMigrations } from '../../scripts/lib/migrate.js';
import { schemaToSql } from '../../scripts/lib/schema-sql.js';

const adminUrl = () => inject('databaseUrl').replace(/\/[^/]+$/, '/postgres');
const urlFor = (db: string) => inject('databaseUrl').replace(/\/[^/]+$/, `/${db}`);
const created: string[] = [];

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function freshDatabase(label: string): Promise<string> {
  const name = `${label}_${Math.random().toString(36).slice(2, 10)}`;
  await query(adminUrl(), `CREATE DATABASE "${name}"`);
  created.push(name);
  return urlFor(name);
}

/** Everything about a database's public schema that Prisma's schema can express (column order it cannot: an added column goes last). */
async function snapshot(url: string) {
  const columns = await query(
    url,
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
            character_maximum_length, datetime_precision
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
      ORDER BY table_name, column_name`,
  );
  const constraints = await query(
    url,
    `SELECT c.conrelid::regclass::text AS table_name, c.conname, c.contype::text, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> '_prisma_migrations'
      ORDER BY 1, 2`,
  );
  const indexes = await query(
    url,
    `SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1, 2`,
  );
  const enums = await query(
    url,
    `SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY 1`,
  );
  return { columns, constraints, indexes, enums };
}

afterAll(async () => {
  for (const name of created) await query(adminUrl(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

describe('schema.prisma and prisma/migrations', () => {
  it('describe the same database', async () => {
    const fromMigrations = await freshDatabase('drift_migrations');
    await applyMigrations(fromMigrations);

    const fromSchema = await freshDatabase('drift_schema');
    const sql = await schemaToSql(path.resolve('prisma/schema.prisma'), fromSchema);
    await query(fromSchema, sql);

    const [a, b] = [await snapshot(fromMigrations), await snapshot(fromSchema)];
    expect(a.columns.length).toBeGreaterThan(50);
    expect(a).toEqual(b);
  });

  it('the comparison notices a difference', async () => {
    const one = await freshDatabase('drift_one');
    const two = await freshDatabase('drift_two');
    await applyMigrations(one);
    await applyMigrations(two);
    await query(two, 'ALTER TABLE "Campaign" ADD COLUMN "extra" TEXT');
    expect(await snapshot(one)).not.toEqual(await snapshot(two));
  });
});

describe('the migration applier', () => {
  it("keeps _prisma_migrations exactly as Prisma does and applies each migration once", async () => {
    const url = await freshDatabase('applier');
    const names = readMigrations().map((m) => m.name);
    expect(await applyMigrations(url)).toEqual(names);
    expect(await applyMigrations(url)).toEqual([]);

    const rows = await query<{ migration_name: string; checksum: string; applied_steps_count: number; finished_at: Date | null; rolled_back_at: Date | null; id: string }>(
      url,
      'SELECT * FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const row of rows) {
      const file = readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
      expect(row).toMatchObject({ applied_steps_count: 1, rolled_back_at: null });
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const columns = await query<{ column_name: string; data_type: string }>(
      url,
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual([
      'id', 'checksum', 'finished_at', 'migration_name', 'logs', 'rolled_back_at', 'started_at', 'applied_steps_count',
    ]);
  });

  it('serializes concurrent appliers: every migration is applied exactly once', async () => {
    const url = await freshDatabase('applier_race');
    const results = await Promise.all([applyMigrations(url), applyMigrations(url), applyMigrations(url)]);
    expect(results.flat()).toEqual(readMigrations().map((m) => m.name));
  });
});
