import { z } from 'zod';
import type { ApiCaller } from './caller.js';
import { exposeDescriptions } from './describe.js';

/** A REST route as the API registers it: the same zod objects validate REST requests and tool input. */
export type RouteDef = {
  method: string;
  path: string;
  summary?: string | undefined;
  description?: string | undefined;
  request?: { params?: unknown; query?: unknown; headers?: unknown; body?: { content?: Record<string, { schema?: unknown } | undefined> } | undefined } | undefined;
};

/** One MCP tool over one REST route. */
export type ToolSpec = {
  name: string;
  title: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  /** The route's path as registered, e.g. `/v1/campaigns/{id}/leads/{leadId}`. */
  path: string;
  /** Tool argument names for the path parameters (`id` reads better as `campaignId`). */
  params?: Record<string, string>;
  readOnly?: boolean;
  destructive?: boolean;
  /** Start and resume: without `confirm: true` the tool answers the launch preview and sends nothing. */
  confirm?: boolean;
  summarize: (data: unknown, body: unknown, args: Record<string, unknown>) => string;
};

const campaign = { id: 'campaignId' };
const lead = { id: 'campaignId', leadId: 'leadId' };

type Data = Record<string, unknown>;

/** The value at a dotted path of an API answer, as text. */
function at(data: unknown, path: string): string {
  const value = path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Data)[key] : undefined), data);
  if (Array.isArray(value)) return String(value.length);
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '–';
}

/** A summary from a template: `{path}` is replaced by that field of the answer's data. */
const says = (template: string) => (data: unknown) => template.replace(/\{([\w.]+)\}/g, (_m, path: string) => at(data, path));

const count = (noun: string) => (data: unknown, body: unknown) => {
  const cursor = at(body, 'nextCursor');
  return `${at({ data }, 'data')} ${noun}${cursor !== '–' ? `; more with cursor ${cursor}` : ''}.`;
};

function healthSummary(data: unknown): string {
  const reasons = ((data as Data).reasons ?? []) as { code: string; count: number }[];
  return `Health ${at(data, 'status')}${reasons.length ? `: ${reasons.map((r) => `${r.code} (${r.count})`).join(', ')}` : ''}.`;
}

function statsSummary(data: unknown): string {
  const rows = (data as Data).rows as { key: string; metrics: { sent: number; replied: number; replyRate: number } }[] | undefined;
  if (!rows) return says('{enrolledLeads} leads: sent {metrics.sent}, delivered {metrics.delivered}, queued {metrics.queued}, bounced {metrics.bounced}, replied {metrics.replied} (reply rate {metrics.replyRate}).')(data);
  const shown = rows.slice(0, 20).map((r) => `${r.key}: sent ${r.metrics.sent}, replied ${r.metrics.replied} (${r.metrics.replyRate})`);
  return `By ${at(data, 'groupBy')}, ${rows.length} rows. ${shown.join('; ')}${rows.length > shown.length ? '; …' : ''}.`;
}

function launchSummary(data: unknown): string {
  const d = data as Data;
  if (d.status === 'running') return says('Campaign {campaignId} is already running: starting or resuming it changes nothing.')(data);
  const empty = (d.emptyTokens ?? []) as { token: string; leads: number }[];
  const tokens = empty.length ? ` Empty tokens: ${empty.map((t) => `${t.token} for ${t.leads} leads`).join(', ')}.` : ' No token renders empty.';
  const going = says('{verb} campaign {campaignId} ({status}) would set {leads} leads going through {steps} steps.')({ ...d, verb: d.status === 'paused' ? 'Resuming' : 'Starting' });
  const fresh = Number(d.newLeads) > 0 ? says(' {newLeads} have not had step 1: {firstDayVolume} can get it on the first day, the first from {firstSendAt}.')(data) : '';
  const later = Number(d.inSequence) > 0 ? says(' {inSequence} already in the sequence go on with their next step when its delay is over, the first at {nextFollowUpAt}.')(data) : '';
  return going + fresh + later + tokens;
}

/** In feed mode (`after`) the cursor is the next `after`: the agent polls with it, it does not page. */
function eventsSummary(data: unknown, body: unknown, args: Record<string, unknown>): string {
  if (args.after === undefined) return count('events')(data, body);
  return `${at({ data }, 'data')} events, oldest first; poll again with after: "${at(body, 'nextCursor')}" for the ones after them.`;
}

function bulkSummary(data: unknown): string {
  const rows = ((data as Data).rows ?? []) as { index: number; outcome: string; mergedInto?: number; errors?: { field: string; message: string }[] }[];
  const merged = rows.filter((r) => r.outcome === 'merged_duplicate').map((r) => `row ${r.index} into row ${r.mergedInto}`);
  const invalid = rows.filter((r) => r.outcome === 'invalid').map((r) => `row ${r.index} (${(r.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; ')})`);
  return (
    says('Enrolled {enrolled}, updated {updated}, skipped {skipped} suppressed, of {total} written.')(data) +
    (merged.length ? ` Merged ${merged.length} duplicate ${merged.length === 1 ? 'row' : 'rows'} field by field: ${merged.slice(0, 10).join(', ')}${merged.length > 10 ? ', …' : ''}.` : '') +
    (invalid.length ? ` Left out ${invalid.length} invalid ${invalid.length === 1 ? 'row' : 'rows'}: ${invalid.slice(0, 10).join(', ')}${invalid.length > 10 ? ', …' : ''}.` : '')
  );
}

function replySummary(data: unknown): string {
  const enrollments = ((data as Data).enrollments ?? []) as { campaignId: string; status: string; waitingFor: string | null; nextSendAt: string | null }[];
  const after = enrollments.map((e) => `in ${e.campaignId} the lead is now ${e.status}${e.waitingFor ? `, waiting for ${e.waitingFor}${e.nextSendAt ? ` until ${e.nextSendAt}` : ''}` : ''}`);
  return says('Recorded reply {id}, classified {classification}')(data) + (after.length ? `: ${after.join('; ')}.` : '.');
}

/** SPEC §11: the whole agent loop, one tool per REST call. */
export const TOOLS: ToolSpec[] = [
  { name: 'list_campaigns', title: 'List campaigns', method: 'get', path: '/v1/campaigns', readOnly: true, summarize: count('campaigns') },
  { name: 'get_campaign', title: 'Get a campaign', method: 'get', path: '/v1/campaigns/{id}', params: campaign, readOnly: true, summarize: says('Campaign "{name}" ({id}) is {status}, {steps} steps, health {health.status}.') },
  { name: 'create_campaign', title: 'Create a draft campaign', method: 'post', path: '/v1/campaigns', summarize: says('Created draft campaign "{name}" ({id}) with {sequenceSteps} steps. Nothing is sent until it is started.') },
  { name: 'add_step_variant', title: 'Add a variant to a step (A/B test)', method: 'post', path: '/v1/campaigns/{id}/steps/{stepNumber}/variants', params: { id: 'campaignId', stepNumber: 'stepNumber' }, summarize: says('Step {stepNumber} now has {variants} variants.') },
  { name: 'update_campaign', title: 'Update a campaign', method: 'patch', path: '/v1/campaigns/{id}', params: campaign, summarize: says('Updated campaign "{name}" ({id}).') },
  { name: 'preview_campaign', title: 'Render a campaign for one lead', method: 'get', path: '/v1/campaigns/{id}/preview', params: campaign, readOnly: true, summarize: says('Rendered {steps} steps for {email}; {emptyTokens} tokens render empty.') },
  { name: 'launch_preview', title: 'What starting would do', method: 'get', path: '/v1/campaigns/{id}/launch-preview', params: campaign, readOnly: true, summarize: launchSummary },
  { name: 'start_campaign', title: 'Start a campaign', method: 'post', path: '/v1/campaigns/{id}/start', params: campaign, confirm: true, summarize: says('Campaign {id} is {status}.') },
  { name: 'pause_campaign', title: 'Pause a campaign', method: 'post', path: '/v1/campaigns/{id}/pause', params: campaign, summarize: says('Campaign {id} is {status}: nothing more is sent until it is resumed.') },
  { name: 'resume_campaign', title: 'Resume a campaign', method: 'post', path: '/v1/campaigns/{id}/resume', params: campaign, confirm: true, summarize: says('Campaign {id} is {status}.') },
  { name: 'campaign_health', title: 'Why a campaign is or is not sending', method: 'get', path: '/v1/campaigns/{id}/health', params: campaign, readOnly: true, summarize: healthSummary },
  { name: 'campaign_stats', title: 'Campaign metrics', method: 'get', path: '/v1/campaigns/{id}/stats', params: campaign, readOnly: true, summarize: statsSummary },
  { name: 'add_leads', title: 'Add leads to a campaign', method: 'post', path: '/v1/campaigns/{id}/leads/bulk', params: campaign, summarize: bulkSummary },
  { name: 'list_leads', title: "List a campaign's leads", method: 'get', path: '/v1/campaigns/{id}/leads', params: campaign, readOnly: true, summarize: count('leads') },
  { name: 'get_lead', title: "A lead's enrollment and timeline", method: 'get', path: '/v1/campaigns/{id}/leads/{leadId}', params: lead, readOnly: true, summarize: says('Lead {lead.email}: {status}, step {currentStep}, waiting for {waitingFor}.') },
  { name: 'lead_schedule', title: "A lead's remaining steps, planned (dry run)", method: 'get', path: '/v1/campaigns/{id}/leads/{leadId}/schedule', params: lead, readOnly: true, summarize: says('{steps} steps still to come for {email}, the next at {steps.0.plannedAt}.') },
  { name: 'pause_lead', title: 'Pause one lead', method: 'post', path: '/v1/campaigns/{id}/leads/{leadId}/pause', params: lead, summarize: says('Lead {lead.email} is {status}.') },
  { name: 'resume_lead', title: 'Resume one lead', method: 'post', path: '/v1/campaigns/{id}/leads/{leadId}/resume', params: lead, summarize: says('Lead {lead.email} is {status}.') },
  { name: 'stop_lead', title: 'Stop one lead for good', method: 'post', path: '/v1/campaigns/{id}/leads/{leadId}/stop', params: lead, destructive: true, summarize: says('Lead {lead.email} is {status}.') },
  { name: 'list_replies', title: 'List replies', method: 'get', path: '/v1/replies', readOnly: true, summarize: count('replies') },
  { name: 'record_reply', title: 'Record a reply', method: 'post', path: '/v1/replies', summarize: replySummary },
  { name: 'list_suppressions', title: 'List suppressed addresses', method: 'get', path: '/v1/suppression-list', readOnly: true, summarize: count('suppressed addresses') },
  { name: 'suppress_address', title: 'Never mail an address again', method: 'post', path: '/v1/suppression-list', destructive: true, summarize: says('Suppressed {email}.') },
  { name: 'list_events', title: 'What happened in the workspace', method: 'get', path: '/v1/events', readOnly: true, summarize: eventsSummary },
  { name: 'list_sender_accounts', title: 'Sender accounts and their capacity', method: 'get', path: '/v1/sender-accounts', readOnly: true, summarize: count('sender accounts') },
];

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const shapeOf = (schema: unknown): Record<string, z.ZodType> => (schema instanceof z.ZodObject ? schema.shape : {});
const bodyOf = (route: RouteDef) => route.request?.body?.content?.['application/json']?.schema;

/** Request headers a tool takes, under argument names: `if-match` → `ifMatch`, `idempotency-key` → `idempotencyKey`. */
export const headerArgument = (header: string) => header.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());

/** The tool's input: path parameters under their tool names, then the route's headers, query and body fields. */
export function inputSchema(spec: ToolSpec, route: RouteDef) {
  const params = shapeOf(route.request?.params);
  const renamed = Object.fromEntries(Object.entries(spec.params ?? {}).map(([from, to]) => [to, params[from] ?? z.string()]));
  const headers = Object.fromEntries(Object.entries(shapeOf(route.request?.headers)).map(([name, schema]) => [headerArgument(name), schema]));
  const confirm = spec.confirm
    ? { confirm: z.boolean().optional().describe('true to really start: without it nothing is sent and the answer says what would happen (leads, first-day volume, empty tokens)') }
    : {};
  const schema = z.object({ ...renamed, ...headers, ...shapeOf(route.request?.query), ...shapeOf(bodyOf(route)), ...confirm });
  exposeDescriptions(schema);
  return schema;
}

/** Splits tool arguments back into the REST call: path, query string and JSON body. */
export function requestFor(spec: ToolSpec, route: RouteDef, args: Record<string, unknown>) {
  let path = spec.path;
  for (const [from, to] of Object.entries(spec.params ?? {})) path = path.replace(`{${from}}`, encodeURIComponent(text(args[to])));
  const queryKeys = Object.keys(shapeOf(route.request?.query));
  const query = new URLSearchParams();
  for (const key of queryKeys) if (args[key] !== undefined) query.set(key, text(args[key]));
  const bodyKeys = Object.keys(shapeOf(bodyOf(route)));
  const body = bodyOf(route) ? Object.fromEntries(bodyKeys.filter((k) => args[k] !== undefined).map((k) => [k, args[k]])) : undefined;
  const headers = Object.fromEntries(Object.keys(shapeOf(route.request?.headers)).flatMap((name) => (args[headerArgument(name)] !== undefined ? [[name, text(args[headerArgument(name)])]] : [])));
  return { method: spec.method.toUpperCase(), path: query.size ? `${path}?${query.toString()}` : path, body, headers };
}

export type ToolResult = { content: { type: 'text'; text: string }[]; structuredContent: Record<string, unknown>; isError?: boolean };

/** Runs a tool: one REST call (or, for an unconfirmed start, the launch preview instead). */
export async function runTool(spec: ToolSpec, route: RouteDef, args: Record<string, unknown>, call: ApiCaller): Promise<ToolResult> {
  if (spec.confirm && args.confirm !== true) {
    const preview = await call('GET', `/v1/campaigns/${encodeURIComponent(text(args.campaignId))}/launch-preview`);
    if (preview.status >= 400) return failure(preview.body);
    const data = (preview.body as { data: unknown }).data;
    return {
      content: [{ type: 'text', text: `Not ${spec.name.startsWith('start') ? 'started' : 'resumed'}: call again with confirm: true to send. ${launchSummary(data)}` }],
      structuredContent: { confirmed: false, wouldStart: data },
    };
  }
  const request = requestFor(spec, route, args);
  const answer = await call(request.method, request.path, request.body, request.headers);
  if (answer.status >= 400) return failure(answer.body);
  const body = (answer.body ?? {}) as Record<string, unknown>;
  // The answer itself goes in the text too (as MCP asks of structured results), so a client that
  // hands the model only text still has the ids, waitingFor and rendered mail.
  return { content: [{ type: 'text', text: spec.summarize(body.data, body, args) }, { type: 'text', text: JSON.stringify(body) }], structuredContent: body };
}

function failure(body: unknown): ToolResult {
  const error = (body as { error?: { code?: string; message?: string } } | null)?.error ?? { code: 'unknown_error', message: 'The API answered without an error body.' };
  return { content: [{ type: 'text', text: `${error.code}: ${error.message}` }], structuredContent: { error }, isError: true };
}
