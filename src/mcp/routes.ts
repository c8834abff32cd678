import { createApp } from '../api/app.js';
import { parseConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { routesOf } from './server.js';
import type { RouteDef } from './tools.js';

/**
 * The API's routes for a process that serves MCP over stdio and talks to a remote API: the app is
 * built only to read its registry; no handler runs, so it needs no database or Temporal client.
 */
export function apiRouteDefinitions(): RouteDef[] {
  return routesOf(createApp({ config: parseConfig({}), db: undefined as never, temporal: undefined as never, logger: createLogger('silent', 'mcp') }));
}
