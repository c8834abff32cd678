import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/deps.js';

/**
 * Calls that take no body (a campaign's start, pause, resume; a lead's pause, resume, stop) accept
 * an empty one whatever its Content-Type: `curl -X POST -d ''` labels it form data, `curl -X POST`
 * sends no length at all. A body that is there and is not JSON is still refused.
 */

const step = { delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>Hello</p>' };

async function campaignWithLead(api: Awaited<ReturnType<typeof testApp>>['api']) {
  const id: string = (await api.post('/v1/campaigns', { name: 'empty bodies', sequenceSteps: [step] })).body.data.id;
  await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: 'ada@acme.com', firstName: 'Ada' }] });
  const leadId: string = (await api.get(`/v1/campaigns/${id}/leads`)).body.data[0].leadId;
  return { id, leadId };
}

/** An empty stream: a body of unknown length that turns out to hold nothing. */
const emptyStream = () => new ReadableStream({ start: (controller) => controller.close() });

describe('POSTs that take no body', () => {
  it('answer an empty body with form, JSON, text or no Content-Type as if there were none', async () => {
    const { app, api, apiKey } = await testApp();
    const { id, leadId } = await campaignWithLead(api);
    const auth = { authorization: `Bearer ${apiKey}` };
    const calls: [string, RequestInit & { duplex?: 'half' }][] = [
      [`/v1/campaigns/${id}/start`, { headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, body: '' }],
      [`/v1/campaigns/${id}/pause`, { headers: { ...auth, 'content-type': 'application/json' } }],
      [`/v1/campaigns/${id}/resume`, { headers: auth }],
      [`/v1/campaigns/${id}/leads/${leadId}/pause`, { headers: auth, body: emptyStream(), duplex: 'half' }],
      [`/v1/campaigns/${id}/leads/${leadId}/resume`, { headers: { ...auth, 'content-type': 'text/plain' }, body: '' }],
      [`/v1/campaigns/${id}/leads/${leadId}/stop`, { headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' }, body: '' }],
    ];
    for (const [path, init] of calls) {
      const res = await app.request(path, { method: 'POST', ...init });
      expect([path, res.status], await res.clone().text()).toEqual([path, 200]);
    }
    const lead = await api.get(`/v1/campaigns/${id}/leads/${leadId}`);
    expect(lead.body.data.status).toBe('stopped');
    expect((await api.get(`/v1/campaigns/${id}`)).body.data.status).toBe('running');
  });

  it('still refuses a body that is there and is not JSON, and a non-JSON empty body where a body is required', async () => {
    const { app, api, apiKey, deps, workspaceId } = await testApp();
    const { id } = await campaignWithLead(api);
    const form = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-www-form-urlencoded' };
    const start = await app.request(`/v1/campaigns/${id}/start`, { method: 'POST', headers: form, body: 'confirm=true' });
    expect(start.status).toBe(415);
    expect(((await start.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    expect((await api.get(`/v1/campaigns/${id}`)).body.data.status).toBe('draft');

    // Declared empty or not, the same answer: this route needs a JSON body.
    const before = await deps.db.campaign.count({ where: { workspaceId } });
    for (const headers of [form, { ...form, 'content-length': '0' }]) {
      const create = await app.request('/v1/campaigns', { method: 'POST', headers, body: '' });
      expect(create.status).toBe(415);
      expect(((await create.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    }
    expect(await deps.db.campaign.count({ where: { workspaceId } })).toBe(before);
  });

  describe('over HTTP, byte for byte as curl sends them', () => {
    let base: { port: number };
    let close: () => void;
    let ctx: Awaited<ReturnType<typeof testApp>>;

    beforeAll(async () => {
      ctx = await testApp();
      const server = serve({ fetch: ctx.app.fetch, port: 0, hostname: '127.0.0.1' });
      await new Promise<void>((resolve) => server.once('listening', () => resolve()));
      base = server.address() as AddressInfo;
      close = () => server.close();
    });
    afterAll(() => close());

    /** Writes the request head as given (no client adds or fixes headers) and reads the status. */
    function rawPost(path: string, headers: string[], body = ''): Promise<{ status: number; text: string }> {
      return new Promise((resolve, reject) => {
        const socket = connect(base.port, '127.0.0.1');
        let answer = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (answer += chunk));
        socket.on('error', reject);
        socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]), text: answer }));
        const head = [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1:${base.port}`, `Authorization: Bearer ${ctx.apiKey}`, 'Connection: close', ...headers];
        // write, not end: a half-closed socket may be dropped before the answer.
        socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
      });
    }

    it("answers curl -X POST -d '' (an empty form body) and curl -X POST (no length at all) with 200", async () => {
      const { id, leadId } = await campaignWithLead(ctx.api);
      const curlEmptyData = ['Content-Length: 0', 'Content-Type: application/x-www-form-urlencoded'];
      const start = await rawPost(`/v1/campaigns/${id}/start`, curlEmptyData);
      expect(start.status, start.text).toBe(200);
      const pause = await rawPost(`/v1/campaigns/${id}/pause`, []);
      expect(pause.status, pause.text).toBe(200);
      const leadPause = await rawPost(`/v1/campaigns/${id}/leads/${leadId}/pause`, curlEmptyData);
      expect(leadPause.status, leadPause.text).toBe(200);
      const refused = await rawPost(`/v1/campaigns/${id}/resume`, ['Content-Length: 9', 'Content-Type: application/x-www-form-urlencoded'], 'confirm=1');
      expect(refused.status, refused.text).toBe(415);
      expect((await ctx.api.get(`/v1/campaigns/${id}`)).body.data.status).toBe('paused');
    });
  });
});
