/**
 * A response's text, except an event stream's: it never ends, so the tests that walk every route
 * take its status and headers and hang up (test/e2e/event-feed.test.ts reads streams for real).
 */
export async function readBody(res: Response): Promise<string> {
  if (/^text\/event-stream/.test(res.headers.get('content-type') ?? '')) {
    await res.body?.cancel();
    return '';
  }
  return res.text();
}
