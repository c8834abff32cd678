// `npm run mcp`: Sequent's MCP server over stdio, for agents that launch their tools as processes.
// Every tool calls the REST API at SEQUENT_URL with SEQUENT_API_KEY.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadMcpClientConfigOrExit } from '../config.js';
import { httpCaller } from './caller.js';
import { apiRouteDefinitions } from './routes.js';
import { buildMcpServer } from './server.js';
import { VERSION } from './version.js';

const { url, apiKey } = loadMcpClientConfigOrExit();
const server = buildMcpServer(apiRouteDefinitions(), httpCaller(url, apiKey), VERSION);
await server.connect(new StdioServerTransport());
