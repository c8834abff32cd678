import { OpenAPIHono } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { Orchestrator } from '../campaigns/orchestration.js';
import type { Config } from '../config.js';
import type { Db } from '../db.js';
import type { Logger } from '../logger.js';
import type { HostResolver } from '../webhooks/url-policy.js';
import { ApiError, validationError, type FieldError } from './errors.js';
import { unstorableText } from './safe-text.js';

/** What the API needs from the outside world; built once per process and passed in. */
export type AppDeps = {
  config: Config;
  db: Db;
  temporal: Client;
  logger: Logger;
  /** Monotonic milliseconds for the per-key rate limit; tests inject one. Default performance.now. */
  clock?: () => number;
  /** How webhook hosts are resolved for the SSRF check; tests inject one. Default: the OS resolver. */
  resolveHost?: HostResolver;
};

export type AppEnv = {
  Variables: {
    requestId: string;
    /** Set by the auth middleware on every /v1 route. */
    workspaceId: string;
    /** The API key's id (not the key), set with workspaceId; the rate limit's bucket. */
    apiKeyId: string;
  };
};

/** The Temporal side of the API's dependencies, as the campaign services take it. */
export const orchestratorOf = ({ temporal, config }: AppDeps): Orchestrator => ({ client: temporal, taskQueue: config.TEMPORAL_TASK_QUEUE });

function unstorableError(errors: FieldError[], target: string): ApiError {
  const first = errors[0]!;
  const where = ` (${first.index !== null ? `[${first.index}] ` : ''}${first.field}: ${first.message})`;
  return target === 'json'
    ? new ApiError(422, 'validation_failed', `The request failed validation${where}.`, errors)
    : new ApiError(400, 'invalid_request', `The request ${target} is invalid${where}.`, errors);
}

/** A router whose request validation fails with the API's one error shape. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
      // Valid by its schema but not storable (NUL, unpaired surrogates): refused like any bad value.
      const unstorable = unstorableText(result.data);
      if (unstorable.length > 0) throw unstorableError(unstorable, result.target);
    },
  });
}
