/** Calls a running Sequent API over HTTP with a Bearer key, as an agent would. */
export function httpClient(base: () => string, apiKey: string) {
  return async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base()}${url}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
}
