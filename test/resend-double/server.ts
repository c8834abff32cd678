/**
 * A local stand-in for the parts of Resend's HTTP API that Sequent calls (POST /emails,
 * GET /emails/:id), on loopback. It checks requests the way Resend documents them (auth, required
 * fields, address and tag formats), applies its idempotency rules (same key and body → the same
 * id; same key, different body → 409 `invalid_idempotent_request`; a key whose first request is
 * still in progress → 409 `concurrent_idempotent_requests`; a key is kept 24 hours, then forgotten,
 * so the same key sends again), can be told to fail or slow down, and records what it accepted.
 * Its clock can be moved forward (advanceClock) so a test need not wait a day for a key to expire.
 * Tests point the real `resend` SDK at it through its base URL.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'svix';

export type AcceptedEmail = {
  id: string;
  idempotencyKey: string | null;
  from: string;
  to: string[];
  subject: string;
  html?: string;
  text?: string;
  headers: Record<string, string>;
  tags: { name: string; value: string }[];
  createdAt: string;
};

export type InboundEmail = { id: string; from: string; to: string[]; subject: string; text: string; html?: string; headers: Record<string, string>; created_at: string };

export type Failure = { status: number; name: string; message?: string; retryAfter?: string };

export type Signed = { body: string; headers: Record<string, string> };

/** One POST /emails as it arrived: when, under which key, and how it was answered. */
export type Post = { at: number; idempotencyKey: string | null; status: number };

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const MAILBOX = /^(?:[^<>]*<([^<>]+)>|([^<>\s]+))$/;
const TAG = /^[A-Za-z0-9_-]{1,256}$/;
/** Resend keeps an idempotency key this long; after it, the key is new again. */
export const KEY_TTL_MS = 24 * 60 * 60 * 1000;

function validate(body: any): string | null {
  if (typeof body !== 'object' || body === null) return 'The request body must be a JSON object.';
  if (typeof body.from !== 'string' || !body.from) return 'The `from` field is required.';
  const mailbox = MAILBOX.exec(body.from.trim());
  if (!mailbox || !ADDRESS.test(mailbox[1] ?? mailbox[2] ?? '')) {
    return 'Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.';
  }
  const to = typeof body.to === 'string' ? [body.to] : body.to;
  if (!Array.isArray(to) || to.length === 0) return 'The `to` field is required.';
  if (to.length > 50) return 'The `to` field can contain at most 50 addresses.';
  if (!to.every((a: unknown) => typeof a === 'string' && ADDRESS.test(a))) return 'Invalid `to` field.';
  if (typeof body.subject !== 'string' || !body.subject) return 'The `subject` field is required.';
  if (typeof body.html !== 'string' && typeof body.text !== 'string') return 'Either `html` or `text` is required.';
  if (body.headers !== undefined && (typeof body.headers !== 'object' || Object.values(body.headers).some((v) => typeof v !== 'string'))) {
    return 'The `headers` field must be an object of strings.';
  }
  if (body.tags !== undefined) {
    if (!Array.isArray(body.tags)) return 'The `tags` field must be an array.';
    for (const tag of body.tags) {
      if (!TAG.test(String(tag?.name)) || !TAG.test(String(tag?.value))) {
        return 'Tags should only contain ASCII letters, numbers, underscores, or dashes.';
      }
    }
  }
  return null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startResendDouble(options: { apiKey?: string } = {}) {
  const apiKey = options.apiKey ?? `re_test_${randomUUID().replace(/-/g, '')}`;
  const accepted: AcceptedEmail[] = [];
  const posts: Post[] = [];
  const byKey = new Map<string, { hash: string; id: string; at: number }>();
  // The request that holds each key while it is processed: another with that key meanwhile gets a 409.
  const inFlight = new Map<string, ServerResponse>();
  let clockOffsetMs = 0;
  /** The double's own time: key expiry and created_at follow it; `Post.at` stays wall time. */
  const now = () => Date.now() + clockOffsetMs;
  const failures: Failure[] = [];
  const inbound = new Map<string, InboundEmail>();
  let failureRate: { rate: number; pick: () => Failure } | null = null;
  const failWhen: { match: (key: string | null) => boolean; failure: Failure }[] = [];
  let delayMs = 0;
  let emitter: { secret: string; deliver: (signed: Signed) => Promise<unknown>; bounceRate: number; complaintRate: number; owed: { bounce: number; complaint: number } } | null = null;
  // `answered`: events whose delivery has had its answer (or failed), so a test can wait for all of them.
  const emitted = { bounced: 0, complained: 0, answered: 0 };
  let answerDelayMs: number | (() => number) = 0;
  let answersToLose = 0;
  let requests = 0;
  let held = 0;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  // answerLate: the email is accepted, its answer waits.
  const holdAnswer = async () => {
    if (!answerDelayMs) return;
    held++;
    try {
      await new Promise((r) => setTimeout(r, typeof answerDelayMs === 'function' ? answerDelayMs() : answerDelayMs));
    } finally {
      held--;
    }
  };
  const fail = (res: ServerResponse, f: Failure) =>
    send(res, f.status, { statusCode: f.status, name: f.name, message: f.message ?? f.name }, f.retryAfter ? { 'retry-after': f.retryAfter } : {});
  // Each POST /emails is logged on arrival; its answer's status is filled in when it is sent.
  const logPost = (req: IncomingMessage, res: ServerResponse) => {
    const post: Post = { at: Date.now(), idempotencyKey: (req.headers['idempotency-key'] as string | undefined) ?? null, status: 0 };
    posts.push(post);
    res.on('finish', () => (post.status = res.statusCode));
    if (post.idempotencyKey) holdKey(post.idempotencyKey, res);
  };
  // A request is in progress from its arrival (a slowed one too) until its answer is sent or its
  // client goes away; the first to arrive holds the key.
  const holdKey = (key: string, res: ServerResponse) => {
    if (!inFlight.has(key)) inFlight.set(key, res);
    res.on('close', () => {
      if (inFlight.get(key) === res) inFlight.delete(key);
    });
  };
  /** The key's record, unless it is older than Resend keeps keys (then it is gone: the key is new). */
  const recordOf = (key: string) => {
    const seen = byKey.get(key);
    if (seen && now() - seen.at >= KEY_TTL_MS) byKey.delete(key);
    return byKey.get(key);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    if (req.method === 'POST' && req.url === '/emails') logPost(req, res);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    const auth = req.headers.authorization;
    if (!auth) return fail(res, { status: 401, name: 'missing_api_key', message: 'Missing API key in the authorization header.' });
    if (auth !== `Bearer ${apiKey}`) return fail(res, { status: 403, name: 'invalid_api_key', message: 'API key is invalid.' });
    const url = new URL(req.url ?? '/', 'http://localhost');

    if (req.method === 'GET' && url.pathname.startsWith('/emails/receiving/')) {
      const email = inbound.get(url.pathname.slice('/emails/receiving/'.length));
      if (!email) return fail(res, { status: 404, name: 'not_found', message: 'Email not found' });
      return send(res, 200, { object: 'email', ...email });
    }
    if (req.method === 'GET' && url.pathname.startsWith('/emails/')) {
      const email = accepted.find((e) => e.id === url.pathname.slice('/emails/'.length));
      if (!email) return fail(res, { status: 404, name: 'not_found', message: 'Email not found' });
      return send(res, 200, {
        object: 'email',
        id: email.id,
        to: email.to,
        from: email.from,
        subject: email.subject,
        html: email.html ?? null,
        text: email.text ?? null,
        created_at: email.createdAt,
        last_event: 'sent',
        tags: email.tags,
      });
    }
    if (req.method !== 'POST' || url.pathname !== '/emails') return fail(res, { status: 405, name: 'method_not_allowed', message: 'Method not allowed' });

    const requestKey = (req.headers['idempotency-key'] as string | undefined) ?? null;
    const injected =
      failWhen.find((f) => f.match(requestKey))?.failure ?? failures.shift() ?? (failureRate && Math.random() < failureRate.rate ? failureRate.pick() : undefined);
    if (injected) return fail(res, injected);

    const raw = await readBody(req);
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      return fail(res, { status: 400, name: 'validation_error', message: 'Invalid JSON body.' });
    }
    const problem = validate(body);
    if (problem) return fail(res, { status: 422, name: 'validation_error', message: problem });

    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    if (key !== null && (key.length < 1 || key.length > 256)) {
      return fail(res, { status: 400, name: 'invalid_idempotency_key', message: 'The key must be between 1-256 chars.' });
    }
    const hash = createHash('sha256').update(raw).digest('hex');
    if (key) {
      const holder = inFlight.get(key);
      if (holder && holder !== res) {
        return fail(res, { status: 409, name: 'concurrent_idempotent_requests', message: 'Same idempotency key used while original request is still in progress.' });
      }
      inFlight.set(key, res);
      const seen = recordOf(key);
      if (seen && seen.hash !== hash) {
        return fail(res, { status: 409, name: 'invalid_idempotent_request', message: 'Same idempotency key used with a different request payload.' });
      }
      if (seen) {
        await holdAnswer();
        return send(res, 200, { id: seen.id });
      }
    }
    const id = randomUUID();
    if (key) byKey.set(key, { hash, id, at: now() });
    accepted.push({
      id,
      idempotencyKey: key,
      from: body.from,
      to: typeof body.to === 'string' ? [body.to] : body.to,
      subject: body.subject,
      html: body.html,
      text: body.text,
      headers: body.headers ?? {},
      tags: body.tags ?? [],
      createdAt: new Date(now()).toISOString(),
    });
    await holdAnswer();
    // loseNext: sent, but the answer never reaches the caller (a connection cut on the way back).
    if (answersToLose > 0) {
      answersToLose--;
      res.destroy();
    } else send(res, 200, { id });
    emitFor(accepted.at(-1)!);
  };

  const sign = (secret: string, event: unknown, options: { id?: string; at?: Date } = {}): Signed => {
    const body = JSON.stringify(event);
    const id = options.id ?? `msg_${randomUUID().replace(/-/g, '')}`;
    const at = options.at ?? new Date();
    const signature = new Webhook(secret).sign(id, at, body);
    return { body, headers: { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(Math.floor(at.getTime() / 1000)), 'svix-signature': signature } };
  };
  // Every 1/rate-th accepted email bounces (or draws a complaint), as a recipient's server reports
  // it: the share is exact over any run, so tests can name the send that crosses a threshold.
  const emitFor = (email: AcceptedEmail) => {
    if (!emitter) return;
    const { owed } = emitter;
    owed.bounce += emitter.bounceRate;
    owed.complaint += emitter.complaintRate;
    const data = { email_id: email.id, to: email.to, subject: email.subject, created_at: email.createdAt, tags: Object.fromEntries(email.tags.map((t) => [t.name, t.value])) };
    const events: unknown[] = [];
    if (owed.bounce >= 1 - 1e-9) {
      owed.bounce -= 1;
      emitted.bounced++;
      events.push({ type: 'email.bounced', created_at: new Date().toISOString(), data: { ...data, bounce: { type: 'Permanent', subType: 'General', message: '550 5.1.1 The email account that you tried to reach does not exist' } } });
    } else if (owed.complaint >= 1 - 1e-9) {
      owed.complaint -= 1;
      emitted.complained++;
      events.push({ type: 'email.complained', created_at: new Date().toISOString(), data });
    }
    const { secret, deliver } = emitter;
    for (const event of events) {
      void deliver(sign(secret, event))
        .catch(() => undefined)
        .finally(() => emitted.answered++);
    }
  };

  // A client that went away mid-request (a killed worker) leaves nothing to answer.
  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    accepted,
    /** Every POST /emails in arrival order, failures included. */
    posts,
    get requests() {
      return requests;
    },
    /** Emails accepted whose answer answerLate still holds back. */
    get answersHeld() {
      return held;
    },
    /** The next `count` POST /emails answer with this failure (before any validation). */
    failNext(count: number, failure: Failure) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    /** Every POST /emails whose idempotency key `match`es fails this way, until clearFailures. */
    failWhen(match: (idempotencyKey: string | null) => boolean, failure: Failure) {
      failWhen.push({ match, failure });
    },
    /** The next `count` emails accepted get no answer: the connection is cut after the send. */
    loseNext(count: number) {
      answersToLose += count;
    },
    /** Drops the failures failNext queued and every failWhen rule: the provider recovers. */
    clearFailures() {
      failures.length = 0;
      failWhen.length = 0;
      answersToLose = 0;
    },
    /** Every POST /emails fails with probability `rate`, with a failure `pick` chooses. */
    failRandomly(rate: number, pick: () => Failure) {
      failureRate = rate > 0 ? { rate, pick } : null;
    },
    slowDown(ms: number) {
      delayMs = ms;
    },
    /**
     * Accepts each email at once but holds its 200 back `ms`: the provider has sent it while the
     * caller does not know yet (as when the caller dies or the answer is lost on the way).
     */
    answerLate(ms: number | (() => number)) {
      answerDelayMs = ms;
    },
    /**
     * Moves the double's clock `ms` forward (never back): idempotency keys older than 24 hours of
     * it are forgotten, as Resend forgets them, so a request under such a key sends again.
     */
    advanceClock(ms: number) {
      clockOffsetMs += Math.max(0, ms);
    },
    /** The double's time (wall time plus every advanceClock). */
    now,
    /** Stores an inbound email (as Resend's receiving API would hold it) and returns its event. */
    receive(email: Omit<InboundEmail, 'id' | 'created_at'>) {
      const stored = { ...email, id: randomUUID(), created_at: new Date().toISOString() };
      inbound.set(stored.id, stored);
      return { type: 'email.received', created_at: stored.created_at, data: { email_id: stored.id, from: stored.from, to: stored.to, subject: stored.subject } };
    },
    /** Signs an event the way Resend delivers webhooks (Svix), with the real svix library. */
    signEvent: sign,
    /**
     * From now on a share of the accepted emails bounce (hard) or draw a spam complaint: for each,
     * a signed `email.bounced` / `email.complained` event is handed to `deliver` (which posts it
     * where Resend would, e.g. POST /v1/providers/resend/events). Rates of 0 stop it.
     */
    emitEvents(options: { secret: string; deliver: (signed: Signed) => Promise<unknown>; bounceRate?: number; complaintRate?: number }) {
      const bounceRate = options.bounceRate ?? 0;
      const complaintRate = options.complaintRate ?? 0;
      emitter = bounceRate || complaintRate ? { ...options, bounceRate, complaintRate, owed: { bounce: 0, complaint: 0 } } : null;
    },
    /** Events emitEvents has sent. */
    emitted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type ResendDouble = Awaited<ReturnType<typeof startResendDouble>>;
