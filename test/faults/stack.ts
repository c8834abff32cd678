/**
 * A whole Sequent stack of its own for one fault-test file: an embedded PostgreSQL, a file-backed
 * Temporal dev server, the Resend double (in this process), and the production entry points
 * (`worker.ts`, `src/api/server.ts`) as child processes configured only through the environment.
 * Unlike the shared test stack, every piece can be stopped, killed and started again on the same
 * port and data, which is what the fault tests do to it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, inject, onTestFailed } from 'vitest';
import { freePort, startChild, stopChildren, type Child } from '../../scripts/lib/children.js';
import { startEmbeddedPostgres, type EmbeddedPg } from '../../scripts/lib/embedded-postgres.js';
import { applyMigrations } from '../../scripts/lib/migrate.js';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server.js';
import { obtainTemporalCli } from '../../scripts/lib/temporal-tools.js';
import { generateApiKey } from '../../src/domain/api-keys.js';
import { createDb, type Db } from '../../src/db.js';
import { startResendDouble, type ResendDouble } from '../resend-double/server.js';
import { eventually } from '../helpers/worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by `npm run test:production-shape`: the production Temporal server to run against instead of a dev server. */
    productionTemporal?: string;
    /** Its PostgreSQL (the `temporal` and `temporal_visibility` databases), to read their size. */
    productionTemporalDb?: string;
  }
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN_TOKEN = 'faults-admin-token-0123456789';

export type Reply = { status: number; body: any };

/** Keeps the last lines a child printed, to show when a test fails. */
function tail(limit = 2_000) {
  const lines: string[] = [];
  const watches: { pattern: RegExp; matched: string[] }[] = [];
  return {
    push(line: string) {
      if (!line.trim()) return;
      lines.push(line);
      if (lines.length > limit) lines.shift();
      for (const w of watches) if (w.pattern.test(line)) w.matched.push(line);
    },
    lines,
    /** Every line from now on that matches, however many lines come after it (the tail keeps only the last). */
    watch(this: void, pattern: RegExp): string[] {
      const w = { pattern, matched: [] as string[] };
      watches.push(w);
      return w.matched;
    },
  };
}

const alive = (child: Child) => child.process.exitCode === null && child.process.signalCode === null;

/**
 * Starts something on fresh free ports, again on others if a port was taken in the meantime (the
 * files of this project start their stacks side by side, and the dev server binds random ports).
 */
async function onFreePorts<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (i >= attempts) throw err;
    }
  }
}

/** `env`: more of the worker's and API's environment (a history checker's webhook and provider secrets). */
export async function startStack(options: { name: string; sendRateLimit: number; env?: NodeJS.ProcessEnv }) {
  const log = (line: string) => process.stdout.write(`[${options.name}] ${line}\n`);
  const cli = await obtainTemporalCli(log);
  const dir = mkdtempSync(path.join(tmpdir(), `sequent-faults-${options.name}-`));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user, who must reach the cluster
  const clusterDir = path.join(dir, 'pg');
  const temporalDb = path.join(dir, 'temporal', 'temporal.db');
  const database = 'sequent_faults';
  const output = tail();
  const external = inject('productionTemporal');

  let postgres: EmbeddedPg | null = null;
  let temporal: Child | null = null;
  let resend: ResendDouble | null = null;
  const teardown = async () => {
    if (temporal) await stopChildren([temporal]);
    await postgres?.stop().catch(() => undefined);
    await resend?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  let pgPort = 0;
  let temporalPort = 0;
  let uiPort = 0;
  try {
    // One after the other: the dev server binds a few ports of its own that must not take PostgreSQL's.
    postgres = await onFreePorts(async () => {
      pgPort = await freePort();
      return startEmbeddedPostgres({ clusterDir, port: pgPort, database });
    });
    await applyMigrations(postgres.url);
    if (!external) {
      temporal = await onFreePorts(async () => {
        [temporalPort, uiPort] = [await freePort(), await freePort()];
        return startTemporalDevServer({ cli, port: temporalPort, uiPort, dbFile: temporalDb, namespace: 'default', quiet: true });
      });
    }
    resend = await startResendDouble();
  } catch (err) {
    await teardown();
    throw err;
  }
  const startTemporal = () => startTemporalDevServer({ cli, port: temporalPort, uiPort, dbFile: temporalDb, namespace: 'default', quiet: true });
  const databaseUrl = postgres.url;
  let apiPort = await freePort();
  let base = `http://127.0.0.1:${apiPort}`;
  // The test's own reads of the system of record (messages, enrollments); few connections.
  const db: Db = createDb(databaseUrl, { max: 2 });

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: external ?? `127.0.0.1:${temporalPort}`,
    // Its own queue: stacks that share a server (the production-shape run) must not take each other's tasks.
    TEMPORAL_TASK_QUEUE: `sequent-faults-${options.name}`,
    PORT: String(apiPort),
    // Fixed, as in production: a worker started after the API moved port must build the same
    // mail (the List-Unsubscribe link), or a retry under the same idempotency key is refused.
    PUBLIC_URL: 'http://sequent-faults.test',
    BOOTSTRAP_API_KEY: generateApiKey(),
    ADMIN_TOKEN,
    RESEND_API_KEY: resend.apiKey,
    RESEND_BASE_URL: resend.url,
    SEND_RATE_LIMIT: String(options.sendRateLimit),
    MAIL_FROM: 'Sequent Faults <faults@sequent.test>',
    // Production processes encrypt webhook secrets at rest with a key of their own.
    SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'info',
    ...options.env,
  };

  const processes: Child[] = [];
  const spawn = (name: string, entry: string) => {
    const child = startChild(name, process.execPath, ['--import', 'tsx', path.join(ROOT, entry)], {
      env,
      quiet: true,
      onLine: (line) => output.push(`[${name}] ${line}`),
    });
    processes.push(child);
    return child;
  };

  /** Waits for `ready`, failing at once (with what it said) if the child exits first. */
  async function untilReady(child: Child, ready: () => Promise<boolean>, label: string) {
    const before = output.lines.length;
    let exited = false;
    const died = child.exited.then((code) => {
      exited = true;
      return code;
    });
    const done = eventually(async () => exited || (await ready()), 90_000, label);
    await Promise.race([done, died]);
    if (exited) throw new Error(`${child.name} exited before ${label}:\n${output.lines.slice(before).slice(-20).join('\n')}`);
    await done;
  }

  /** Starts a worker process and waits until it polls (it logs "worker started" once it does). */
  async function startWorker(): Promise<Child> {
    const child = spawn('worker', 'worker.ts');
    let started = false;
    child.process.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('"worker started"')) started = true;
    });
    await untilReady(child, async () => started, 'worker started');
    return child;
  }

  /** Starts the API and waits for /readyz; on another port if its own was taken meanwhile. */
  async function startApi(): Promise<Child> {
    for (let attempt = 1; ; attempt++) {
      const child = spawn('api', 'src/api/server.ts');
      try {
        await untilReady(child, async () => (await fetch(`${base}/readyz`).catch(() => null))?.ok ?? false, 'api ready');
        return child;
      } catch (err) {
        if (attempt >= 3 || !String(err).includes('EADDRINUSE')) throw err;
        apiPort = await freePort();
        base = `http://127.0.0.1:${apiPort}`;
        env.PORT = String(apiPort);
      }
    }
  }

  async function call(method: string, url: string, body?: unknown, key?: string): Promise<Reply> {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: text };
    }
  }

  /** A workspace of its own, with one sender account whose daily limit never binds. */
  async function newWorkspace(name: string) {
    const created = await call('POST', '/admin/workspaces', { name }, ADMIN_TOKEN);
    if (created.status !== 201) throw new Error(`workspace not created: ${created.status} ${JSON.stringify(created.body)}`);
    const key: string = created.body.data.apiKey;
    const api = {
      get: (url: string) => call('GET', url, undefined, key),
      post: (url: string, body?: unknown) => call('POST', url, body, key),
      patch: (url: string, body?: unknown) => call('PATCH', url, body, key),
    };
    const sender = await api.post('/v1/sender-accounts', { email: `ada@${name}.sequent.test`, name: 'Ada', dailyLimit: 100_000, minGapSeconds: 0, jitterSeconds: 0 });
    if (sender.status !== 201) throw new Error(`sender not created: ${sender.status} ${JSON.stringify(sender.body)}`);
    return { workspaceId: created.body.data.workspace.id as string, api };
  }

  /** A started campaign of `steps` delay-0 steps with `leads` leads; returns its id and lead emails. */
  async function startCampaign(name: string, options: { steps: number; leads: number }) {
    const { api, workspaceId } = await newWorkspace(name);
    const sequenceSteps = Array.from({ length: options.steps }, (_, i) => ({
      delayDays: 0,
      subject: `Step ${i + 1} for {{firstName}}`,
      bodyHtml: `<p>Hi {{firstName}}, this is step ${i + 1}.</p>`,
    }));
    const campaign = await api.post('/v1/campaigns', { name, sequenceSteps });
    if (campaign.status !== 201) throw new Error(`campaign not created: ${campaign.status} ${JSON.stringify(campaign.body)}`);
    const id: string = campaign.body.data.id;
    const emails = Array.from({ length: options.leads }, (_, i) => `lead${i}@${name}.example.com`);
    const bulk = await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: emails.map((email, i) => ({ email, firstName: `Lee${i}` })) });
    if (bulk.body?.data?.enrolled !== options.leads) throw new Error(`leads not enrolled: ${bulk.status} ${JSON.stringify(bulk.body)}`);
    const started = await api.post(`/v1/campaigns/${id}/start`);
    if (started.body?.data?.status !== 'running') throw new Error(`campaign not started: ${started.status} ${JSON.stringify(started.body)}`);
    return { id, api, workspaceId, emails };
  }

  /** What the provider accepted for one campaign (by the campaign_id tag every message carries). */
  const acceptedFor = (campaignId: string) => resend.accepted.filter((e) => e.tags.some((t) => t.name === 'campaign_id' && t.value === campaignId));

  return {
    env,
    db,
    resend,
    get base() {
      return base;
    },
    output: output.lines,
    watchOutput: output.watch,
    startWorker,
    startApi,
    newWorkspace,
    startCampaign,
    acceptedFor,
    alive,
    async stopPostgres() {
      await postgres?.stop();
      postgres = null;
    },
    async startPostgres() {
      postgres = await startEmbeddedPostgres({ clusterDir, port: pgPort, database });
    },
    async stopTemporal() {
      if (temporal) await stopChildren([temporal]);
      temporal = null;
    },
    async startTemporal() {
      if (external) throw new Error('this stack runs against an external Temporal server, which it does not restart');
      temporal = await startTemporal();
    },
    async close() {
      await stopChildren(processes.filter(alive));
      await db.$disconnect().catch(() => undefined);
      await teardown();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** On a failing test, shows what the worker and the API said (warnings and worse). */
export function showOutputOnFailure(stack: Stack) {
  onTestFailed(() => {
    const lines = stack.output.filter((l) => !l.includes('"level":30') && !l.includes('retried'));
    process.stdout.write(`--- last lines of the worker and API ---\n${lines.slice(-60).map((l) => l.slice(0, 600)).join('\n')}\n`);
  });
}

/**
 * One campaign as the provider and the system of record see it: its messages and enrollments, and
 * what the provider accepted for it (by the campaign_id tag every message carries), by key.
 */
export async function ledgerOf(stack: Stack, campaignId: string) {
  const [messages, enrollments] = await Promise.all([
    stack.db.message.findMany({
      where: { campaignId },
      orderBy: [{ enrollmentId: 'asc' }, { stepNumber: 'asc' }],
      select: { id: true, enrollmentId: true, stepNumber: true, status: true, providerId: true, toEmail: true, idempotencyKey: true, failureReason: true, createdAt: true },
    }),
    stack.db.enrollment.findMany({
      where: { campaignId },
      orderBy: { id: 'asc' },
      select: { id: true, status: true, currentStep: true, stopReason: true, lead: { select: { email: true } } },
    }),
  ]);
  const accepted = stack.acceptedFor(campaignId);
  const acceptedByKey = new Map<string, typeof accepted>();
  for (const e of accepted) {
    const key = e.idempotencyKey ?? '(no key)';
    acceptedByKey.set(key, [...(acceptedByKey.get(key) ?? []), e]);
  }
  return { messages, enrollments, accepted, acceptedByKey };
}

/**
 * The promise, checked for one campaign of `steps` steps: every (enrollment, step) is one message
 * row that ended `sent` — accepted exactly once by the provider under `<enrollmentId>/<step>`, to
 * the lead, with the provider's id stored — or `failed` with a reason and accepted never, after
 * which its enrollment went no further. Nothing is left mid-send and the provider accepted nothing
 * else. Returns the counts.
 */
export async function expectEachStepOnce(stack: Stack, campaignId: string, steps: number) {
  const { messages, enrollments, accepted, acceptedByKey } = await ledgerOf(stack, campaignId);
  const byEnrollment = new Map<string, typeof messages>();
  for (const m of messages) byEnrollment.set(m.enrollmentId, [...(byEnrollment.get(m.enrollmentId) ?? []), m]);
  let sent = 0;
  let failed = 0;
  for (const e of enrollments) {
    const mine = byEnrollment.get(e.id) ?? [];
    const failure = mine.find((m) => m.status === 'failed');
    // Steps 1..k, in order, with nothing after a failure.
    expect(mine.map((m) => m.stepNumber)).toEqual(Array.from({ length: failure ? failure.stepNumber : steps }, (_, i) => i + 1));
    for (const m of mine) {
      expect(m.idempotencyKey).toBe(`${e.id}/${m.stepNumber}`);
      expect(m.toEmail).toBe(e.lead.email);
      const atProvider = acceptedByKey.get(m.idempotencyKey) ?? [];
      if (m.status === 'failed') {
        failed++;
        expect(m.failureReason).toMatch(/\S/);
        expect(atProvider).toEqual([]);
      } else {
        sent++;
        expect(m.status).toBe('sent');
        expect(atProvider.map((a) => ({ id: a.id, to: a.to }))).toEqual([{ id: m.providerId, to: [e.lead.email] }]);
      }
    }
    expect(e).toMatchObject(failure ? { status: 'failed', currentStep: failure.stepNumber - 1 } : { status: 'completed', currentStep: steps });
  }
  // Nothing at the provider that the system of record does not know as sent.
  expect(accepted).toHaveLength(sent);
  return { sent, failed, enrollments: enrollments.length };
}

/** The campaign's stats, once every enrollment has finished (queued 0); says where it stood if not. */
export async function finishedStats(stack: Stack, api: { get: (url: string) => Promise<Reply> }, campaignId: string, timeoutMs: number) {
  let last: unknown = null;
  try {
    return await eventually(async () => {
      const s = await api.get(`/v1/campaigns/${campaignId}/stats`);
      last = s.body;
      return s.status === 200 && s.body.data.metrics.queued === 0 ? s.body.data : null;
    }, timeoutMs, 'every enrollment finished');
  } catch (err) {
    const [messages, enrollments] = await Promise.all([
      stack.db.message.groupBy({ by: ['status', 'stepNumber'], where: { campaignId }, _count: true }),
      stack.db.enrollment.groupBy({ by: ['status', 'currentStep'], where: { campaignId }, _count: true }),
    ]).catch((e: unknown) => [String(e), '']);
    throw new Error(
      `${(err as Error).message}\nlast stats: ${JSON.stringify(last)}\nmessages: ${JSON.stringify(messages)}\nenrollments: ${JSON.stringify(enrollments)}\n` +
        `provider: ${stack.acceptedFor(campaignId).length} accepted, ${stack.resend.requests} requests`,
      { cause: err },
    );
  }
}
