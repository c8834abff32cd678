import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookTarget } from './url-policy.js';

export class WebhookTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms / 1000} s`);
    this.name = 'TimeoutError';
  }
}

/**
 * POSTs to a checked target, connecting only to the addresses the policy checked (the socket's
 * lookup answers with them instead of asking DNS again); TLS still verifies the certificate against
 * the URL's hostname. Redirects are never followed: a 30x is the answer. A fresh connection each
 * time, so no pooled socket outlives the check that allowed it. Resolves with the status once the
 * response head arrives (the body is discarded).
 */
export function postPinned(target: WebhookTarget, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number }> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, target.addresses);
    else callback(null, target.addresses[0]!.address, target.addresses[0]!.family);
  };
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target.url,
      {
        method: 'POST',
        agent: false,
        lookup: pinned,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res: IncomingMessage) => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0 });
        res.destroy();
      },
    );
    const timer = setTimeout(() => req.destroy(new WebhookTimeoutError(timeoutMs)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
