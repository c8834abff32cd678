import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Context } from 'hono';
import type { AppEnv } from './context.js';
import { inProcessCaller } from '../mcp/caller.js';
import { buildMcpServer, routesOf } from '../mcp/server.js';
import { VERSION } from '../mcp/version.js';
import { requiredScope } from '../domain/scopes.js';
import type { ToolSpec } from '../mcp/tools.js';

type App = Parameters<typeof inProcessCaller>[0] & Parameters<typeof routesOf>[0];
type Session = { transport: WebStandardStreamableHTTPServerTransport; close: () => Promise<void>; authorization: string; lastSeen: number };

/** A session unused this long is closed; its client starts a new one (as MCP asks on a 404). */
export const MCP_SESSION_IDLE_MS = 30 * 60_000;
const MAX_SESSIONS = 1_000;

/**
 * `/mcp`, Streamable HTTP. A client that initializes gets a session (kept in this process, bound
 * to its Bearer key): the server then knows the client's capabilities, so a launch can ask the
 * person through MCP elicitation (decision 93). A request without a session is served statelessly,
 * as before. Either way each tool calls this same app with the request's own key, so MCP sees
 * exactly what the REST API lets that key see and do.
 */
export function mcpHandler(app: App) {
  const routes = () => routesOf(app);
  const serverFor = (c: Context<AppEnv>, authorization: string) => {
    const scopes: readonly string[] = c.get('scopes');
    const scopeOf = (spec: ToolSpec) => requiredScope(spec.method.toUpperCase(), spec.path);
    return buildMcpServer(routes(), inProcessCaller(app, authorization), VERSION, { allows: (spec) => scopes.includes(scopeOf(spec)), scopeOf });
  };
  const sessions = new Map<string, Session>();
  const closeIdle = setInterval(() => {
    for (const [id, s] of sessions) if (Date.now() - s.lastSeen > MCP_SESSION_IDLE_MS) void s.close().finally(() => sessions.delete(id));
  }, 60_000);
  closeIdle.unref();

  return async (c: Context<AppEnv>) => {
    const authorization = c.req.header('authorization') ?? '';
    const sessionId = c.req.header('mcp-session-id');
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session || session.authorization !== authorization) return c.json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found: initialize a new one' }, id: null }, 404);
      // No stream of its own for the server: everything it says belongs to a call's answer.
      if (c.req.method === 'GET') return c.json({ jsonrpc: '2.0', error: { code: -32000, message: 'No standalone stream: answers come with each call' }, id: null }, 405);
      session.lastSeen = Date.now();
      return session.transport.handleRequest(c.req.raw);
    }
    const body: unknown = c.req.method === 'POST' ? await c.req.raw.clone().json().catch(() => undefined) : undefined;
    if (isInitializeRequest(body) && sessions.size < MAX_SESSIONS) return startSession(c, body, authorization);
    return stateless(c, body, authorization);
  };

  async function startSession(c: Context<AppEnv>, body: unknown, authorization: string) {
    const server = serverFor(c, authorization);
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => void sessions.set(id, { transport, close: () => server.close(), authorization, lastSeen: Date.now() }),
      onsessionclosed: (id) => void sessions.delete(id),
    });
    await server.connect(transport);
    return transport.handleRequest(c.req.raw, { parsedBody: body });
  }

  async function stateless(c: Context<AppEnv>, body: unknown, authorization: string) {
    const server = serverFor(c, authorization);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw, body === undefined ? undefined : { parsedBody: body });
    } finally {
      await server.close();
    }
  }
}
