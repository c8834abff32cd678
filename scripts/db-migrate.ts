// `npm run db:migrate`: `prisma migrate deploy` where Prisma's schema engine is installed, else the
// project's own applier (same `_prisma_migrations` bookkeeping).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { applyMigrations } from './lib/migrate.js';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL: is required for db:migrate');
  process.exit(78);
}

const enginesDir = path.resolve(import.meta.dirname, '../node_modules/@prisma/engines');
const hasEngine = (() => {
  try {
    return readdirSync(enginesDir).some((f) => f.startsWith('schema-engine'));
  } catch {
    return false;
  }
})();

if (hasEngine && !process.env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const result = spawnSync('npx', ['prisma', 'migrate', 'deploy'], { stdio: 'inherit', env: process.env });
  process.exit(result.status ?? 1);
}
const applied = await applyMigrations(url);
console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.');
