import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Context } from 'hono';
import { inProcessCaller } from '../mcp/caller.js';
import { buildMcpServer, routesOf } from '../mcp/server.js';
import { VERSION } from '../mcp/version.js';

type App = Parameters<typeof inProcessCaller>[0] & Parameters<typeof routesOf>[0];

/**
 * `/mcp`, Streamable HTTP, stateless: each request gets a server whose tools call this same app with
 * the request's own Bearer key, so MCP sees exactly what the REST API lets that key see and do.
 */
export function mcpHandler(app: App) {
  return async (c: Context) => {
    const server = buildMcpServer(routesOf(app), inProcessCaller(app, c.req.header('authorization') ?? ''), VERSION);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  };
}
