import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Db } from '../db.js';
import type { Logger } from '../logger.js';
import { requiredScope } from '../domain/scopes.js';
import { authenticateApiKey } from '../tenancy.js';
import type { AppEnv } from './context.js';
import { ApiError, unsupportedMediaType } from './errors.js';

export const MAX_REQUEST_BYTES = 12 * 1024 * 1024;

/**
 * The path as logged: unsubscribe links carry a bearer token (whoever has it can unsubscribe the
 * lead), and a client may paste a key or secret into a path by mistake; neither is logged.
 */
const loggedPath = (path: string) =>
  path.replace(/^\/u\/[^/]+/, '/u/[redacted]').replace(/(sk_live_|whsec_)[^/]*/g, '$1[redacted]');

export function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = randomUUID();
    c.set('requestId', requestId);
    c.header('X-Request-Id', requestId);
    const started = performance.now();
    await next();
    logger.info(
      { requestId, method: c.req.method, path: loggedPath(c.req.path), status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  };
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Bodies are JSON; a non-empty body of another type is refused. An empty body is no body whatever
 * its label: `curl -X POST -d ''` calls it form data, and a call that takes no body (start, pause)
 * must not fail on that (docs/decisions.md, 51).
 */
export const requireJson: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (['POST', 'PUT', 'PATCH'].includes(c.req.method) && !JSON_TYPE.test(c.req.header('content-type') ?? '') && !(await isEmptyBody(c))) {
    throw unsupportedMediaType();
  }
  await next();
};

/**
 * A declared length answers without reading; a body of unknown length (chunked, or a client that
 * sends no Content-Length) is read, within the body limit that runs before this, and kept for the
 * handlers.
 */
async function isEmptyBody(c: Context<AppEnv>): Promise<boolean> {
  const length = c.req.header('content-length');
  if (length !== undefined) return Number(length) === 0;
  if (c.req.raw.body === null) return true;
  return (await c.req.arrayBuffer()).byteLength === 0;
}

export const limitBody = (maxBytes = MAX_REQUEST_BYTES): MiddlewareHandler<AppEnv> =>
  bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `Request bodies are limited to ${maxBytes} bytes.`);
    },
  });

export function requireApiKey(db: Db): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const key = match?.[1] ? await authenticateApiKey(db, match[1]) : null;
    if (!key) {
      throw new ApiError(401, 'authentication_failed', 'A valid API key is required: Authorization: Bearer sk_live_…', undefined, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    c.set('workspaceId', key.workspaceId);
    c.set('apiKeyId', key.apiKeyId);
    c.set('scopes', key.scopes);
    await next();
  };
}

/** SPEC §11: a call outside its key's scopes is 403 `insufficient_scope`, before any other work. */
export const requireScope: MiddlewareHandler<AppEnv> = async (c, next) => {
  const needed = requiredScope(c.req.method, c.req.path);
  const held = c.get('scopes');
  if (!held.includes(needed)) {
    throw new ApiError(403, 'insufficient_scope', `This API key has the scopes ${held.join(', ') || '(none)'}; this call needs the ${needed} scope.`);
  }
  await next();
};

/** The operator API exists only when ADMIN_TOKEN is set; without it every /admin route is 404. */
export function requireAdminToken(token: string | undefined): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!token) throw new ApiError(404, 'not_found', 'No route matches this request.');
    const header = c.req.header('authorization') ?? '';
    const given = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (!given || !timingSafeEqualStrings(given, token)) {
      throw new ApiError(401, 'authentication_failed', 'The admin token is missing or wrong.', undefined, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    await next();
  };
}

// Comparing fixed-length digests keeps the comparison constant-time whatever the token's length.
function timingSafeEqualStrings(a: string, b: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(a), digest(b));
}
