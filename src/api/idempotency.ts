import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Db } from '../db.js';
import { IDEMPOTENCY_TTL_HOURS } from '../domain/retention.js';
import type { AppEnv } from './context.js';
import { ApiError } from './errors.js';

const TTL_MS = IDEMPOTENCY_TTL_HOURS * 60 * 60 * 1000;
const IN_PROGRESS = 0;

/**
 * `Idempotency-Key` on a POST: the first response (anything but a 5xx) is stored and replayed for
 * 24 h to a retry with the same key and body, so an agent that retries never acts twice. A key
 * reused with another body is refused; a retry racing the first request is told to wait. A
 * secret the answer shows once (showOnce) is stored, and so replayed, masked (SPEC §9); the
 * hourly `sequent-prune-idempotency` schedule deletes records after the 24 h.
 */
export function idempotency(db: Db): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (key.length < 1 || key.length > 255) {
      throw new ApiError(400, 'invalid_request', 'Idempotency-Key must be 1 to 255 characters.');
    }
    const workspaceId = c.get('workspaceId');
    const body = await c.req.text();
    const requestHash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${body}`).digest('hex');

    const claimed = await claim(db, workspaceId, key, requestHash, c.req.method, c.req.path);
    if (!claimed) {
      const existing = await db.idempotencyRecord.findUnique({ where: { workspaceId_key: { workspaceId, key } } });
      if (!existing) throw new ApiError(409, 'idempotency_in_progress', 'A request with this Idempotency-Key is being processed; retry shortly.');
      if (existing.requestHash !== requestHash) {
        throw new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was used with a different request.');
      }
      if (existing.statusCode === IN_PROGRESS) {
        throw new ApiError(409, 'idempotency_in_progress', 'A request with this Idempotency-Key is being processed; retry shortly.', undefined, {
          'Retry-After': '1',
        });
      }
      c.header('Idempotent-Replayed', 'true');
      return c.json(existing.body as object, existing.statusCode as ContentfulStatusCode);
    }

    try {
      await next();
    } catch (err) {
      await release(db, workspaceId, key);
      throw err;
    }
    // Errors thrown by handlers become responses only in onError, after this; they were released above.
    if (c.res.status >= 500 || !(c.res.headers.get('content-type') ?? '').includes('json')) {
      await release(db, workspaceId, key);
      return;
    }
    const stored = masked((await c.res.clone().json()) as object, c.get('shownOnce'));
    await db.idempotencyRecord.update({
      where: { workspaceId_key: { workspaceId, key } },
      data: { statusCode: c.res.status, body: stored },
    });
  };
}

async function claim(db: Db, workspaceId: string, key: string, requestHash: string, method: string, path: string) {
  // An expired record no longer counts.
  await db.idempotencyRecord.deleteMany({ where: { workspaceId, key, createdAt: { lt: new Date(Date.now() - TTL_MS) } } });
  const inserted = await db.$executeRaw`
    INSERT INTO "IdempotencyRecord" ("workspaceId", key, method, path, "requestHash", "statusCode", body, "createdAt")
    VALUES (${workspaceId}, ${key}, ${method}, ${path}, ${requestHash}, ${IN_PROGRESS}, '{}'::jsonb, now())
    ON CONFLICT ("workspaceId", key) DO NOTHING`;
  return inserted === 1;
}

async function release(db: Db, workspaceId: string, key: string) {
  await db.idempotencyRecord.deleteMany({ where: { workspaceId, key, statusCode: IN_PROGRESS } });
}

/**
 * Marks fields of this answer's `data` as secrets shown only here: the record kept for a replay
 * holds `masks` in their place, never the secret.
 */
export function showOnce(c: Context<AppEnv>, masks: Record<string, string>) {
  c.set('shownOnce', masks);
}

/** The answer as a replay shows it: each secret shown once masked, and `secretMasked: true` saying so. */
function masked(body: object, masks: Record<string, string> | undefined): object {
  if (!masks) return body;
  const { data } = body as { data?: object };
  return { ...body, data: { ...data, ...masks, secretMasked: true } };
}
