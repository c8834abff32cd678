/** One call to Sequent's REST API, as the MCP tools make it: the answer's status and JSON body. */
export type ApiAnswer = { status: number; body: unknown };
export type ApiCaller = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiAnswer>;

async function answerOf(res: Response): Promise<ApiAnswer> {
  const text = await res.text();
  try {
    return { status: res.status, body: text ? JSON.parse(text) : null };
  } catch {
    return { status: res.status, body: { error: { code: 'invalid_response', message: text.slice(0, 500) } } };
  }
}

function init(method: string, authorization: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method,
    headers: { ...headers, authorization, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  };
}

/** Over the network, for `npm run mcp` (SEQUENT_URL, SEQUENT_API_KEY). */
export function httpCaller(baseUrl: string, apiKey: string): ApiCaller {
  const base = baseUrl.replace(/\/+$/, '');
  return async (method, path, body, headers) => answerOf(await fetch(`${base}${path}`, init(method, `Bearer ${apiKey}`, body, headers)));
}

/**
 * In the API process, for `/mcp`: each tool call is a request to the same app with the caller's own
 * key, so it passes the same authentication, workspace scoping, rate limit and validation.
 */
export function inProcessCaller(app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }, authorization: string): ApiCaller {
  return async (method, path, body, headers) => answerOf(await app.request(path, init(method, authorization, body, headers)));
}
