import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll } from 'vitest';

/** Serves an app over real HTTP on a free port (for a browser or an MCP client), closed after the file's tests. */
export async function serveOverHttp(app: { fetch: (req: Request) => Response | Promise<Response> }): Promise<string> {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
