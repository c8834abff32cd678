import { z } from 'zod';
import type { ApiCaller } from './caller.js';
import { exposeDescriptions } from './describe.js';
import { launchSummary } from './summaries.js';

/** A REST route as the API registers it: the same zod objects validate REST requests and tool input. */
export type RouteDef = {
  method: string;
  path: string;
  summary?: string | undefined;
  description?: string | undefined;
  request?: { params?: unknown; query?: unknown; headers?: unknown; body?: { content?: Record<string, { schema?: unknown } | undefined> } | undefined } | undefined;
  responses?: Record<string, { content?: Record<string, { schema?: unknown } | undefined> } | undefined>;
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
  /** For an agent: what the tool does and when to use it, in the tools' own terms. */
  description: string;
  readOnly?: boolean;
  destructive?: boolean;
  /** Calling it again with the same arguments changes nothing more (read-only tools are). */
  idempotent?: boolean;
  /** It reaches beyond the workspace: real mail to leads, or calls to a URL. */
  openWorld?: boolean;
  /**
   * A body array whose invalid items the API itself answers (`onInvalid: "skip"`): the tool takes
   * any object there, so the argument check does not refuse the whole call before the API sees it.
   */
  skippableItems?: string;
  /** Start and resume: without `confirm: true` the tool answers the launch preview and sends nothing. */
  confirm?: boolean;
  summarize: (data: unknown, body: unknown, args: Record<string, unknown>) => string;
};

/** An argument as the query string carries it; a list (a parsed `type` filter) goes comma-separated. */
const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : Array.isArray(v) ? v.map(text).join(',') : '');
const shapeOf = (schema: unknown): Record<string, z.ZodType> => (schema instanceof z.ZodObject ? schema.shape : {});
const bodyOf = (route: RouteDef) => route.request?.body?.content?.['application/json']?.schema;

/** What the REST headers a tool takes as arguments mean to an agent, which sees no headers. */
const HEADER_ARGUMENTS: Record<string, string> = {
  'idempotency-key':
    'Any string of 1 to 255 characters unique to this action. Calling again with the same key and arguments within 24 hours answers the first result again instead of acting twice (a secret shown once comes back masked).',
  'if-match': 'The campaign\'s `version` as you read it (e.g. "3"). If the campaign changed since, nothing changes and the call fails with `version_mismatch`; left out, the change applies whatever changed meanwhile.',
};

/** Request headers a tool takes, under argument names: `if-match` → `ifMatch`, `idempotency-key` → `idempotencyKey`. */
export const headerArgument = (header: string) => header.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());

/** The tool's input: path parameters under their tool names, then the route's headers, query and body fields. */
export function inputSchema(spec: ToolSpec, route: RouteDef) {
  const params = shapeOf(route.request?.params);
  const renamed = Object.fromEntries(Object.entries(spec.params ?? {}).map(([from, to]) => [to, params[from] ?? z.string()]));
  // Agents know a lead by its address as often as by its id: either names it.
  if (renamed.leadId) Object.assign(renamed, { leadId: renamed.leadId.optional(), email: LEAD_EMAIL });
  const headers = Object.fromEntries(Object.entries(shapeOf(route.request?.headers)).map(([name, schema]) => [headerArgument(name), HEADER_ARGUMENTS[name] ? schema.describe(HEADER_ARGUMENTS[name]) : schema]));
  const confirm = spec.confirm
    ? { confirm: z.boolean().optional().describe('true to really start: without it nothing is sent and the answer says what would happen (leads, first-day volume, empty tokens). Where your client can ask its person to confirm, the person is asked instead and this is not needed') }
    : {};
  // A copy: the route's own shape validates REST requests and must not take the tool's loosening
  // (each server built would wrap it once more).
  const body = { ...shapeOf(bodyOf(route)) };
  if (spec.skippableItems) body[spec.skippableItems] = skippable(body[spec.skippableItems]!);
  const schema = z.object({ ...renamed, ...headers, ...shapeOf(route.request?.query), ...body, ...confirm });
  exposeDescriptions(schema);
  return schema;
}

/** The array's items as documented, or any other object (which the API judges, and with skip reports). */
function skippable(array: z.ZodType): z.ZodType {
  const element = (array as unknown as { _zod: { def: { element?: z.ZodType } } })._zod.def.element;
  if (!element) throw new Error('skippableItems names a field that is not an array');
  exposeDescriptions(array);
  const other = z.record(z.string(), z.unknown()).describe('Any other row: with onInvalid "skip" it is left out and reported by index; otherwise it fails the call and nothing is written');
  const description = z.globalRegistry.get(array)?.description;
  const loose = z.array(z.union([element, other]));
  return description ? loose.describe(description) : loose;
}

/** The JSON the route answers on success, as its definition documents it. */
function answerOf(route: RouteDef): z.ZodObject | undefined {
  const ok = route.responses?.['200'] ?? route.responses?.['201'];
  const schema = ok?.content?.['application/json']?.schema;
  return schema instanceof z.ZodObject ? schema : undefined;
}

/**
 * The tool's output: the route's documented answer, each field described. A confirmed launch tool
 * answers the route's, an unconfirmed one the launch preview's, so both are optional there.
 */
export function outputSchema(spec: ToolSpec, route: RouteDef, preview: RouteDef | undefined): z.ZodObject | undefined {
  const answer = answerOf(route);
  if (!answer) return undefined;
  exposeDescriptions(answer);
  // A failed call answers `error` instead (clients check structured content on errors too).
  const fields = Object.fromEntries(Object.entries(answer.shape).map(([name, field]) => [name, (field as z.ZodType).optional()]));
  if (!spec.confirm) return z.object({ ...fields, error: TOOL_ERROR });
  const wouldStart: z.ZodType | undefined = preview ? (answerOf(preview)?.shape.data as z.ZodType | undefined) : undefined;
  if (!wouldStart) throw new Error(`MCP tool ${spec.name}: the launch preview documents no answer`);
  exposeDescriptions(wouldStart);
  return z.object({
    ...fields,
    confirmed: z.literal(false).optional().describe('false when nothing was sent: called without confirm, or the person declined when your client asked; wouldStart says what confirming would do'),
    wouldStart: wouldStart.optional().describe('Without confirm: what starting or resuming would do (as launch_preview answers)'),
    error: TOOL_ERROR,
  });
}

const TOOL_ERROR = z
  .object({
    code: z.string().describe('What went wrong, as a stable code (`campaign_not_found`, `validation_failed`, `insufficient_scope`, …)'),
    message: z.string().describe('The same in a sentence, with what to do where something can be done'),
  })
  .optional()
  .describe('Present instead of the answer when the call failed (the result is then marked as an error)');

const LEAD_EMAIL = z.string().optional().describe("The lead's email address, instead of leadId (give one of the two)");

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

/**
 * Asks the person at the client (MCP elicitation) whether to go ahead, showing what would happen;
 * true only on an explicit yes. Absent when the client cannot ask.
 */
export type Confirmer = (message: string) => Promise<boolean>;

/**
 * Runs a tool: one REST call. A launch tool first reads the launch preview: where the client can
 * ask its person, the person decides; otherwise only `confirm: true` sends, and without it the
 * preview is the answer.
 */
export async function runTool(spec: ToolSpec, route: RouteDef, args: Record<string, unknown>, call: ApiCaller, confirmer?: Confirmer): Promise<ToolResult> {
  if (spec.confirm && (confirmer || args.confirm !== true)) {
    const preview = await call('GET', `/v1/campaigns/${encodeURIComponent(text(args.campaignId))}/launch-preview`);
    if (preview.status >= 400) return failure(preview.body);
    const data = (preview.body as { data: unknown }).data;
    const verb = spec.name.startsWith('start') ? 'Start' : 'Resume';
    if (!confirmer || !(await confirmer(`${launchSummary(data)} Go ahead and send real mail?`))) {
      const next = confirmer ? 'the person declined when asked' : 'call again with confirm: true to send';
      return {
        content: [{ type: 'text', text: `Not ${verb === 'Start' ? 'started' : 'resumed'}: ${next}. ${launchSummary(data)}` }],
        structuredContent: { confirmed: false, wouldStart: data },
      };
    }
  }
  if (Object.values(spec.params ?? {}).includes('leadId')) {
    if (args.leadId === undefined && args.email === undefined) return failure({ error: { code: 'validation_failed', message: 'Give leadId or email: the lead to act on.' } });
    args = { ...args, leadId: args.leadId ?? args.email };
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
