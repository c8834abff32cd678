import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { createApp, type AppDeps } from '../../src/api/app.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { createResendTransport } from '../../src/mail/resend-transport.js';
import { enrollmentWorkflowId, stateQuery } from '../../src/workflows/contract.js';
import { startResendDouble } from '../resend-double/server.js';
import { apiClient, newWorkspace, testConfig, testDeps } from './deps.js';
import { startTestWorker } from './worker.js';

export { uniq } from './fixtures.js';
import { uniq } from './fixtures.js';
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Step = { delayDays: number; subject?: string; bodyHtml?: string; variants?: { id?: string; subject: string; bodyHtml: string; weight?: number }[] };

export const ONE_STEP: Step[] = [{ delayDays: 0, subject: 'One', bodyHtml: '<p>1</p>' }];
/** Step 2 due right after step 1. */
export const TWO_STEPS: Step[] = [...ONE_STEP, { delayDays: 0, subject: 'Two', bodyHtml: '<p>2</p>' }];
/** Step 2 three days after step 1: the lead waits in between. */
export const FOLLOW_UP_LATER: Step[] = [...ONE_STEP, { delayDays: 3, subject: 'Two', bodyHtml: '<p>2</p>' }];

/**
 * The real worker with the real activities, sending through the real Resend SDK to the Resend
 * double, and an API that takes Svix-signed provider events. `gate.delayMs` holds every provider
 * call that long before it reaches the double (a slow network, a slow provider); `gate.entered`
 * counts calls that have begun.
 */
export async function startEdgeStack(options: { sendRatePerSecond?: number } = {}) {
  const double = await startResendDouble();
  const transport = createResendTransport({ apiKey: double.apiKey, baseUrl: double.url });
  const gate = { delayMs: 0, entered: 0 };
  const mailer: Mailer = {
    name: 'resend',
    async send(mail) {
      gate.entered++;
      if (gate.delayMs) await sleep(gate.delayMs);
      return transport.send(mail);
    },
  };
  await startTestWorker({ mailer, ...options });
  afterAll(() => double.close());
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const deps = testDeps();
  const app = createApp({ ...deps, config: testConfig({ RESEND_WEBHOOK_SECRET: secret, RESEND_API_KEY: double.apiKey, RESEND_BASE_URL: double.url }) });

  /** POSTs an event to /v1/providers/resend/events, signed as Resend signs it. */
  const providerEvent = async (event: unknown) => {
    const signed = double.signEvent(secret, event);
    const res = await app.request('/v1/providers/resend/events', { method: 'POST', headers: signed.headers, body: signed.body });
    return { status: res.status, body: (await res.json()) as any };
  };

  /** From now on a share of accepted mail bounces or draws a complaint, reported to the API as Resend would. */
  const emitProviderEvents = (rates: { bounceRate?: number; complaintRate?: number }) =>
    double.emitEvents({
      secret,
      ...rates,
      deliver: async (signed) => app.request('/v1/providers/resend/events', { method: 'POST', headers: signed.headers, body: signed.body }),
    });

  /** A workspace with one sender, a campaign with these steps and leads; started unless told not to. */
  const campaign = async (steps: Step[], leads = 1, opts: { dailyLimit?: number; start?: boolean; settings?: object } = {}) => {
    const ws = await newWorkspace(deps.db);
    const api = apiClient(app, ws.apiKey);
    const sender = (await api.post('/v1/sender-accounts', { email: `ada-${uniq()}@acme.com`, name: 'Ada', dailyLimit: opts.dailyLimit ?? 100, minGapSeconds: 0, jitterSeconds: 0 })).body.data;
    const id = (await api.post('/v1/campaigns', { name: 'edge', sequenceSteps: steps, ...(opts.settings ? { settings: opts.settings } : {}) })).body.data.id as string;
    const emails = Array.from({ length: leads }, (_, i) => `lead${i}-${uniq()}@example.com`);
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: emails.map((email) => ({ email, firstName: 'Lee' })) });
    if (opts.start !== false) await api.post(`/v1/campaigns/${id}/start`);
    const enrollments = await deps.db.enrollment.findMany({ where: { campaignId: id }, include: { lead: true } });
    const enrollmentOf = (email: string) => enrollments.find((e) => e.lead.email === email)!;
    return { api, apiKey: ws.apiKey, id, emails, sender, workspaceId: ws.workspaceId, enrollmentOf };
  };

  /** The provider requests one enrollment's step has made (idempotency key `<enrollmentId>/<step>`). */
  const postsFor = (enrollmentId: string, step?: number) =>
    double.posts.filter((p) => (step === undefined ? p.idempotencyKey?.startsWith(`${enrollmentId}/`) : p.idempotencyKey === `${enrollmentId}/${step}`));
  const acceptedFor = (enrollmentId: string, step?: number) =>
    double.accepted.filter((e) => (step === undefined ? e.idempotencyKey?.startsWith(`${enrollmentId}/`) : e.idempotencyKey === `${enrollmentId}/${step}`));
  const message = (enrollmentId: string, stepNumber: number) => deps.db.message.findUnique({ where: { enrollmentId_stepNumber: { enrollmentId, stepNumber } } });
  const workflowState = (enrollmentId: string) => deps.temporal.workflow.getHandle(enrollmentWorkflowId(enrollmentId)).query(stateQuery);

  return { double, gate, deps, app, providerEvent, emitProviderEvents, campaign, postsFor, acceptedFor, message, workflowState };
}

/** The API's dependencies with a Temporal client whose `method` fails as an unreachable server does, `times` times. */
export function withTemporalFailing(deps: AppDeps, method: 'signalWithStart' | 'start', times = 1): AppDeps {
  let left = times;
  const workflow = new Proxy(deps.temporal.workflow, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (prop === method && left > 0) {
        return async () => {
          left--;
          throw Object.assign(new Error('14 UNAVAILABLE: Temporal is unreachable'), { code: 14 });
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const temporal = new Proxy(deps.temporal, { get: (target, prop) => (prop === 'workflow' ? workflow : Reflect.get(target, prop)) });
  return { ...deps, temporal };
}
