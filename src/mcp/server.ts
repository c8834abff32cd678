import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ApiCaller } from './caller.js';
import { TOOLS } from './catalog.js';
import { GUIDE_TITLE, guideMarkdown } from './guide.js';
import { inputSchema, outputSchema, runTool, type Confirmer, type RouteDef, type ToolSpec } from './tools.js';

const INSTRUCTIONS = [
  'Sequent sends multi-step cold email sequences. The loop: create_campaign (a draft; templates use {{firstName}}, {{firstName|fallback}} and custom fields),',
  'add_leads, preview_campaign or launch_preview, then start_campaign — which asks your person to confirm where your client can, and otherwise only sends with confirm: true; call it without first to see what would happen.',
  'The prompt run_campaign_safely and the resource sequent://guide walk through it with arguments to copy.',
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

/**
 * Elicitation on the tool call's own stream, where the client declared it: a yes is an accepted
 * form with `confirm: true`; a no, a cancel, or a client that fails to answer sends nothing.
 */
function confirmerFor(server: McpServer, requestId: string | number): Confirmer | undefined {
  if (!server.server.getClientCapabilities()?.elicitation) return undefined;
  return async (message) => {
    const answer = await server.server
      .elicitInput(
        {
          message,
          requestedSchema: {
            type: 'object',
            properties: { confirm: { type: 'boolean', title: 'Send', description: 'Yes sends real mail now, as described' } },
            required: ['confirm'],
          },
        },
        { relatedRequestId: requestId, timeout: CONFIRM_TIMEOUT_MS },
      )
      .catch(() => null);
    return answer?.action === 'accept' && answer.content?.confirm === true;
  };
}
const CONFIRM_TIMEOUT_MS = 10 * 60_000;

/** An MCP server whose every tool is one call to Sequent's REST API through `call`. */
export function buildMcpServer(routes: RouteDef[], call: ApiCaller, version: string, options: { allows?: (spec: ToolSpec) => boolean; scopeOf?: (spec: ToolSpec) => string } = {}): McpServer {
  const server = new McpServer({ name: 'sequent', title: 'Sequent', version }, { instructions: INSTRUCTIONS });
  const preview = routes.find((r) => r.method === 'get' && r.path === '/v1/campaigns/{id}/launch-preview');
  for (const { spec, route } of toolRoutes(routes)) {
    const output = outputSchema(spec, route, preview);
    // A tool beyond the key's scopes is still listed, saying so first: a call gets insufficient_scope.
    const beyond = options.allows && !options.allows(spec) ? `Not for this key: it needs the ${options.scopeOf?.(spec) ?? 'another'} scope, which this key lacks. ` : '';
    server.registerTool(
      spec.name,
      {
        title: spec.title,
        description: beyond + spec.description,
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
      (args: Record<string, unknown>, extra: { requestId: string | number }) => runTool(spec, route, args, call, confirmerFor(server, extra.requestId)),
    );
  }
  registerGuide(server);
  return server;
}

/** The agent guide as a prompt (to start a conversation with) and a resource (to read). */
function registerGuide(server: McpServer) {
  const text = guideMarkdown();
  const description = 'How to run a campaign safely with these tools: draft, add leads, preview, dry run, launch preview, start confirmed, watch health and the feed, pause.';
  server.registerPrompt('run_campaign_safely', { title: GUIDE_TITLE, description }, () => ({
    description,
    messages: [{ role: 'user', content: { type: 'text', text: `Follow this guide to run the campaign.\n\n${text}` } }],
  }));
  server.registerResource('guide', GUIDE_URI, { title: GUIDE_TITLE, description, mimeType: 'text/markdown' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/markdown', text }],
  }));
}
export const GUIDE_URI = 'sequent://guide';
