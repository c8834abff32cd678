/**
 * The front page of /openapi.json: what an agent given only the document needs before any one
 * operation (the conventions every route shares, and the order of calls).
 */
export const API_DESCRIPTION = `Durable outbound email sequences: campaigns, leads, stats, replies and webhooks.

**The loop.** \`POST /v1/campaigns\` (a draft with its steps) → \`POST /v1/campaigns/{id}/leads/bulk\` → \`GET /v1/campaigns/{id}/preview?email=…\` (check the rendering and empty tokens) → \`POST /v1/campaigns/{id}/start\` → \`GET /v1/campaigns/{id}/stats\`, \`…/health\` (is it sending, and if not why) and \`…/leads\` (what each lead waits for). Pause and resume at any time; replies stop a lead's sequence by themselves.

**Authentication.** \`Authorization: Bearer sk_live_…\` on every /v1 call. A key belongs to one workspace and sees only it: another workspace's ids answer 404. /admin takes the operator's ADMIN_TOKEN instead.

**Requests.** Bodies are JSON (\`Content-Type: application/json\`). Calls that take no body (start, pause, resume, and a lead's pause, resume, stop) accept an empty body whatever its Content-Type. A query parameter the operation does not list is refused with 400 \`invalid_request\` naming it. Every POST under /v1 accepts an \`Idempotency-Key\` header: a retry with the same key and body replays the first answer for 24 hours instead of acting twice.

**Answers.** A success is \`{"data": …}\`; a list is \`{"data": […], "nextCursor": …}\`: pass nextCursor back as \`?cursor=\` for the next page (\`limit\` 1 to 200, default 50). An error is \`{"error": {"code", "message"}}\`, plus \`errors[]\` (\`index\`, \`field\`, \`message\`) naming each bad field; branch on \`code\`. Ids are a prefix and a lowercase ULID (\`camp_\`, \`lead_\`, \`msg_\`, \`rpl_\`, \`sa_\`, \`wh_\`, \`evt_\`, …); times are ISO 8601 in UTC.

**Limits.** Each key may make a set number of requests a second (by default 50, in bursts of 100); beyond it the answer is 429 \`rate_limited\` with Retry-After, and every /v1 answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset. A 503 \`unavailable\` (with Retry-After) means a dependency is down: retry, with the same Idempotency-Key.

**Templates.** A step's subject and bodyHtml take tokens filled from each lead at send time: \`{{firstName}}\`, \`{{company}}\`, any custom field such as \`{{city}}\`, and fallbacks such as \`{{firstName|there}}\` for a field that is empty.`;

export const API_TAGS = [
  { name: 'Campaigns', description: 'Multi-step email sequences: create, change, start, pause, resume; their stats, health and rendering' },
  { name: 'Leads', description: 'Enroll leads in a campaign, follow each one (status, what it waits for, its messages), pause, resume or stop one' },
  { name: 'Delivery', description: 'The sender accounts mail goes out from, their daily limits, pacing and ramp-up, and the pool they form' },
  { name: 'Workspace', description: 'The workspace of the API key: its name and the time zone its sending day is counted in' },
  { name: 'Replies', description: 'Replies from leads, classified; report ones read from your own inbox' },
  { name: 'Suppression', description: 'Addresses never mailed again by the workspace' },
  { name: 'Webhooks', description: 'Events pushed to your https endpoints, signed, with retries; the event log' },
  { name: 'Guide', description: 'How an agent runs a campaign safely, step by step, as Markdown (also an MCP prompt and resource)' },
  { name: 'Admin', description: "The operator's tenant management (ADMIN_TOKEN): workspaces and API keys" },
];
