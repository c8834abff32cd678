import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { serveOverHttp } from '../helpers/serve.js';
import { emitEvent } from '../../src/webhooks/events.js';
import { apiClient, newWorkspace, testDeps } from '../helpers/deps.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the event feed (SPEC §11): every event exactly once, polled or streamed', () => {
  let base = '';
  beforeAll(async () => {
    base = await serveOverHttp(createApp(testDeps()));
  });

  /** Events written in transactions of their own, some held open while later ones commit first. */
  async function writeEvents(workspaceId: string, count: number) {
    const { db } = testDeps();
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        db.$transaction(async (tx) => {
          await sleep((i * 7) % 40);
          const event = await emitEvent(tx, workspaceId, 'lead.completed', { n: i });
          ids.push(event.id);
          if (i % 5 === 0) await sleep(250); // committed long after the events written after it
        }),
      ),
    );
    return ids;
  }

  it('pages through events being written concurrently, oldest first, without a gap or a repeat', async () => {
    const { apiKey, workspaceId } = await newWorkspace(testDeps().db, 'feed');
    const api = apiClient(createApp(testDeps()), apiKey);
    const writing = writeEvents(workspaceId, 60);
    let done = false;
    void writing.then(() => (done = true));
    const seen: string[] = [];
    let after = '';
    for (;;) {
      const page = await api.get(`/v1/events?after=${after}&limit=7`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((e: { id: string }) => e.id));
      if (page.body.data.length === 0 && done) break;
      after = page.body.nextCursor ?? '';
      await sleep(20);
    }
    const written = await writing;
    expect(seen).toHaveLength(written.length);
    expect(new Set(seen)).toEqual(new Set(written));

    expect((await api.get('/v1/events?after=evt_nope')).status).toBe(422);
    expect((await api.get(`/v1/events?after=${seen[0]}&cursor=${seen[1]}`)).status).toBe(400);
    // Another workspace's event id is no cursor here.
    const other = await newWorkspace(testDeps().db, 'feed-other');
    expect((await apiClient(createApp(testDeps()), other.apiKey).get(`/v1/events?after=${seen[0]}`)).status).toBe(422);
  });

  it('streams the feed as Server-Sent Events and resumes after Last-Event-ID exactly', async () => {
    const { apiKey, workspaceId } = await newWorkspace(testDeps().db, 'stream');
    const first = await writeEvents(workspaceId, 12);

    /** Reads events off one connection until `count` arrived, then hangs up. */
    async function read(count: number, headers: Record<string, string>, query = '') {
      const controller = new AbortController();
      const res = await fetch(`${base}/v1/events/stream${query}`, { headers: { authorization: `Bearer ${apiKey}`, ...headers }, signal: controller.signal });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      const got: { id: string; event: string; data: { id: string } }[] = [];
      let buffer = '';
      while (got.length < count) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while (got.length < count && (end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1).trim();
          if (field('id')) got.push({ id: field('id')!, event: field('event')!, data: JSON.parse(field('data')!) });
        }
      }
      controller.abort();
      return got;
    }

    const part1 = await read(5, {}, '?after=');
    expect(new Set(part1.map((e) => e.id)).size).toBe(5);
    expect(first).toEqual(expect.arrayContaining(part1.map((e) => e.id)));
    expect(part1.every((e) => e.event === 'lead.completed' && e.data.id === e.id)).toBe(true);
    // More happen while nobody listens; the reconnect continues right after the last one received.
    const more = await writeEvents(workspaceId, 8);
    const part2 = await read(first.length + more.length - 5, { 'last-event-id': part1.at(-1)!.id });
    const all = [...part1, ...part2].map((e) => e.id);
    expect(all).toHaveLength(first.length + more.length);
    expect(new Set(all)).toEqual(new Set([...first, ...more]));
  });
});
