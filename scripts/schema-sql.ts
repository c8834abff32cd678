// Prints the SQL that builds prisma/schema.prisma from an empty database: a starting point for a new
// migration where `prisma migrate dev` cannot run (no schema-engine download). Needs DATABASE_URL.
import { schemaToSql } from './lib/schema-sql.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('Set DATABASE_URL to any reachable PostgreSQL (npm start prints one).');
process.stdout.write(await schemaToSql('prisma/schema.prisma', url));
