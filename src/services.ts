import type { Db } from './db.js';
import type { Orchestrator } from './domain/orchestrator.js';

/**
 * What every domain service runs on: the one database client, the one Temporal client and the
 * clock. The API builds it from AppDeps; activities pass their ActivityDeps, which have the same
 * shape.
 */
export type ServiceDeps = { db: Db; orchestrator: Orchestrator; now: () => Date };
