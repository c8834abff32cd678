import type { Scope } from '../domain/scopes.js';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import type { Client } from '@temporalio/client';
import type { Config } from '../config.js';
import type { Db } from '../db.js';
import type { Logger } from '../logger.js';
import type { ServiceDeps } from '../services.js';
import type { HostResolver } from '../webhooks/url-policy.js';
import { ApiError, validationError, type FieldError } from './errors.js';
import { unstorableText } from './safe-text.js';
import { temporalOrchestrator } from '../workflows/client.js';

/** What the API needs from the outside world; built once per process and passed in. */
export type AppDeps = {
  config: Config;
  db: Db;
  temporal: Client;
  logger: Logger;
  /** Monotonic milliseconds for the per-key rate limit; tests inject one. Default performance.now. */
  clock?: () => number;
  /** The time the services see; tests inject one. Default: the system clock. */
  now?: () => Date;
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
    /** What the key may do (read, write, send); set with workspaceId. */
    scopes: Scope[];
    /** Secrets in this answer shown only once, with their masks: set by showOnce (idempotency.ts). */
    shownOnce: Record<string, string> | undefined;
  };
};

/** What the domain services run on, from the API's dependencies (built once per app). */
export const servicesOf = ({ db, temporal, config, now }: AppDeps): ServiceDeps => ({
  db,
  orchestrator: temporalOrchestrator({ client: temporal, taskQueue: config.TEMPORAL_TASK_QUEUE }),
  now: now ?? (() => new Date()),
});

function unstorableError(errors: FieldError[], target: string): ApiError {
  const first = errors[0]!;
  const where = ` (${first.index !== null ? `[${first.index}] ` : ''}${first.field}: ${first.message})`;
  return target === 'json'
    ? new ApiError(422, 'validation_failed', `The request failed validation${where}.`, errors)
    : new ApiError(400, 'invalid_request', `The request ${target} is invalid${where}.`, errors);
}

/** Throws the API's one error shape for a request that failed validation, or whose text cannot be stored. */
export function refuseInvalid(result: { success: true; data: unknown; target: string } | { success: false; error: ZodError; target: string }) {
  if (!result.success) throw validationError(result.error, result.target);
  // Valid by its schema but not storable (NUL, unpaired surrogates): refused like any bad value.
  const unstorable = unstorableText(result.data);
  if (unstorable.length > 0) throw unstorableError(unstorable, result.target);
}

/** A router whose request validation fails with the API's one error shape. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: (result) => refuseInvalid(result) });
}
