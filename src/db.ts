import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

export type Db = PrismaClient;
export { Prisma } from './generated/prisma/client.js';

/** One client per process: entry points build it once and pass it in. */
export function createDb(connectionString: string, options: { max?: number } = {}): Db {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString, max: options.max ?? 10, connectionTimeoutMillis: 5_000 }),
  });
}
