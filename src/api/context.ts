import { OpenAPIHono } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { Orchestrator } from '../campaigns/orchestration.js';
import type { Config } from '../config.js';
import type { Db } from '../db.js';
import type { Logger } from '../logger.js';
import { validationError } from './errors.js';

/** What the API needs from the outside world; built once per process and passed in. */
export type AppDeps = {
  config: Config;
  db: Db;
  temporal: Client;
  logger: Logger;
};

export type AppEnv = {
  Variables: {
    requestId: string;
    /** Set by the auth middleware on every /v1 route. */
    workspaceId: string;
  };
};

/** The Temporal side of the API's dependencies, as the campaign services take it. */
export const orchestratorOf = ({ temporal, config }: AppDeps): Orchestrator => ({ client: temporal, taskQueue: config.TEMPORAL_TASK_QUEUE });

/** A router whose request validation fails with the API's one error shape. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
    },
  });
}
