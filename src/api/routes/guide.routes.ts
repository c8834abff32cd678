import { createRoute, z } from '@hono/zod-openapi';
import { GUIDE_TITLE, guideMarkdown } from '../../mcp/guide.js';
import { createRouter } from '../context.js';
import { commonErrors } from '../schemas/common.js';

const guide = createRoute({
  method: 'get',
  path: '/guide',
  tags: ['Guide'],
  security: [{ bearerAuth: [] }],
  summary: `The agent guide: ${GUIDE_TITLE.toLowerCase()}, as Markdown`,
  description:
    'How an agent runs a campaign safely, step by step: draft, add leads, preview, dry run, launch preview, start confirmed, watch health and the feed, pause. Each step names its MCP tool and HTTP call with arguments to copy. The MCP server offers the same guide as a prompt (`run_campaign_safely`) and a resource (`sequent://guide`). A test runs its steps, so it stays true.',
  responses: {
    200: { description: 'The guide', content: { 'text/markdown': { schema: z.string().openapi({ description: 'Markdown', example: `# ${GUIDE_TITLE}` }) } } },
    ...commonErrors,
  },
});

/** Written once: the guide changes only with the code. */
const REST_GUIDE = guideMarkdown({ rest: true });

export function guideRoutes() {
  return createRouter().openapi(guide, (c) => c.body(REST_GUIDE, 200, { 'content-type': 'text/markdown; charset=utf-8' }));
}
