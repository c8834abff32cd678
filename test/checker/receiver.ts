/**
 * A customer's webhook endpoint on loopback: it answers 200, verifies each delivery's Standard
 * Webhooks signature with the `standardwebhooks` library against the secret of the webhook the
 * delivery names, and records which event each delivery carried.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type Received = { webhookId: string; eventId: string; type: string; valid: boolean };

export async function startReceiver() {
  const received: Received[] = [];
  const secrets: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const valid = secrets.some((secret) => {
        try {
          new Webhook(secret).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      let event: { id?: string; event?: string } = {};
      try {
        event = JSON.parse(body);
      } catch {
        // recorded as an event without id: the oracle reports it
      }
      received.push({ webhookId: headers['webhook-id'] ?? '', eventId: event.id ?? '', type: event.event ?? '', valid });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** The secret a created webhook answered with: deliveries signed by it verify. */
    trust(secret: string) {
      secrets.push(secret);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
