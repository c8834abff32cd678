import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ApiCaller } from './caller.js';
import { TOOLS } from './catalog.js';
import { inputSchema, outputSchema, runTool, type RouteDef, type ToolSpec } from './tools.js';

const INSTRUCTIONS = [
  'Sequent sends multi-step cold email sequences. The loop: create_campaign (a draft; templates use {{firstName}}, {{firstName|fallback}} and custom fields),',
  'add_leads, preview_campaign or launch_preview, then start_campaign — which only sends with confirm: true; call it without first to see what would happen.',
  'Watch it with campaign_stats, campaign_health (why leads wait), list_leads (each lead\'s waitingFor and nextSendAt), list_replies and list_events; pause_campaign stops all sending at once.',
].join(' ');

/** The route definitions an app registered (its OpenAPI registry), with their zod schemas. */
export function routesOf(app: { openAPIRegistry: { definitions: unknown[] } }): RouteDef[] {
  return (app.openAPIRegistry.definitions as { type: string; route?: RouteDef }[]).flatMap((d) => (d.type === 'route' && d.route ? [d.route] : []));
}

/** Finds each tool's REST route among the API's own definitions; a tool without one is a bug. */
export function toolRoutes(routes: RouteDef[]): { spec: ToolSpec; route: RouteDef }[] {
  return TOOLS.map((spec) => {
    const route = routes.find((r) => r.method === spec.method && r.path === spec.path);
    if (!route) throw new Error(`MCP tool ${spec.name}: no API route ${spec.method.toUpperCase()} ${spec.path}`);
    return { spec, route };
  });
}

/** An MCP server whose every tool is one call to Sequent's REST API through `call`. */
export function buildMcpServer(routes: RouteDef[], call: ApiCaller, version: string): McpServer {
  const server = new McpServer({ name: 'sequent', title: 'Sequent', version }, { instructions: INSTRUCTIONS });
  const preview = routes.find((r) => r.method === 'get' && r.path === '/v1/campaigns/{id}/launch-preview');
  for (const { spec, route } of toolRoutes(routes)) {
    const output = outputSchema(spec, route, preview);
    server.registerTool(
      spec.name,
      {
        title: spec.title,
        description: spec.description,
        inputSchema: inputSchema(spec, route),
        ...(output ? { outputSchema: output } : {}),
        annotations: {
          title: spec.title,
          readOnlyHint: spec.readOnly ?? false,
          destructiveHint: spec.destructive ?? false,
          idempotentHint: Boolean(spec.readOnly || spec.idempotent),
          openWorldHint: spec.openWorld ?? false,
        },
      },
      (args: Record<string, unknown>) => runTool(spec, route, args, call),
    );
  }
  return server;
}
