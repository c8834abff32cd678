import { z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from './context.js';
import { ApiError } from './errors.js';

type Definition = { type: string; route?: { method: string; path: string; request?: { query?: unknown } } };
type Registry = { definitions: readonly unknown[] };

/** `GET /v1/campaigns/:id` (Hono's form of the path) → the query parameters its route declares. */
function declaredQueries(definitions: readonly Definition[]): Map<string, string[]> {
  const declared = new Map<string, string[]>();
  for (const { type, route } of definitions) {
    if (type !== 'route' || !route) continue;
    const query = route.request?.query;
    const names = query instanceof z.ZodObject ? Object.keys(query.shape) : [];
    declared.set(`${route.method.toUpperCase()} ${route.path.replace(/\{([^}]+)\}/g, ':$1')}`, names);
  }
  return declared;
}

type Answering = { operation: string; names: string[] };

/** The route that answers this request and its declared parameters; undefined when none does (a 404). */
function answering(c: Context<AppEnv>, declared: Map<string, string[]>): Answering | undefined {
  // Hono answers HEAD with the GET route.
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  const route = matchedRoutes(c).findLast((r) => r.method === method && declared.has(`${method} ${r.path}`));
  if (!route) return undefined;
  return { operation: `${method} ${route.path.replace(/:([^/]+)/g, '{$1}')}`, names: declared.get(`${method} ${route.path}`)! };
}

// Names are echoed quoted (control characters visible) and cut: they are the caller's bytes.
const shown = (name: string) => JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);

function unknownQueryError(unknown: string[], route: Answering): ApiError {
  const accepts = route.names.length > 0 ? `accepts only ${route.names.join(', ')}` : 'accepts no query parameters';
  return new ApiError(
    400,
    'invalid_request',
    `Unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.map(shown).join(', ')}: ${route.operation} ${accepts}.`,
    unknown.map((name) => ({ index: null, field: name, message: 'unknown query parameter' })),
  );
}

/**
 * A query parameter the route does not declare is refused (400 `invalid_request`, naming it)
 * rather than ignored: a misspelt or guessed filter (`?since=`, `?order=`) would otherwise answer
 * as if it had applied (docs/decisions.md, 50). The declared ones are the route's query schema, the
 * same one /openapi.json lists.
 */
export function rejectUnknownQuery(registry: Registry): MiddlewareHandler<AppEnv> {
  let declared: Map<string, string[]> | undefined;
  return async (c, next) => {
    // Read on the first request: the routes are registered after this middleware is.
    declared ??= declaredQueries(registry.definitions as Definition[]);
    const route = answering(c, declared);
    if (route) {
      const unknown = Object.keys(c.req.queries()).filter((name) => !route.names.includes(name));
      if (unknown.length > 0) throw unknownQueryError(unknown, route);
    }
    await next();
  };
}
