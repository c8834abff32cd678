import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import type { SendStepResult } from '../../src/domain/step-result.js';
import { newId } from '../../src/domain/ids.js';
import { inParallel } from '../../src/domain/parallel.js';
import { createLogger } from '../../src/logger.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { createResendTransport } from '../../src/mail/resend-transport.js';
import { startResendDouble, type ResendDouble } from '../resend-double/server.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';

/**
 * SEND_RATE_LIMIT is the provider's limit, so it holds across worker processes: several activity
 * sets (as separate workers have) share it through PostgreSQL, measured where the provider sees it.
 */
describe('the provider rate limit is shared by every worker', () => {
  let double: ResendDouble;
  beforeAll(async () => {
    double = await startResendDouble();
  });
  afterAll(() => double.close());

  /** A worker's activities at `perSecond`, on a provider key of the test's own (one bucket row). */
  function worker(provider: string, perSecond: number) {
    const transport = createResendTransport({ apiKey: double.apiKey, baseUrl: double.url });
    const mailer: Mailer = { name: provider, send: (mail) => transport.send(mail) };
    const deps = testDeps();
    const config = { ...deps.config, SEND_RATE_LIMIT: perSecond };
    return activitiesFromConfig(config, { db: deps.db, client: deps.temporal, logger: createLogger('silent', 'test'), mailer });
  }

  async function claimedSteps(count: number) {
    const { db } = testDeps();
    const { workspaceId } = await newWorkspace(db);
    await db.senderAccount.create({ data: { id: newId('sa'), workspaceId, email: `ada-${Date.now()}@acme.com`, name: 'Ada', dailyLimit: 1_000 } });
    const campaign = await db.campaign.create({
      data: { id: newId('camp'), workspaceId, name: 'rate', status: 'running', startedAt: new Date(), steps: { create: [{ stepNumber: 1, delayDays: 0, subject: 'Hi', bodyHtml: '<p>1</p>' }] } },
    });
    const steps = [];
    for (let i = 0; i < count; i++) {
      const lead = await db.lead.create({ data: { id: newId('lead'), workspaceId, email: `rate-${i}-${Math.random().toString(36).slice(2, 8)}@example.com` } });
      const enrollment = await db.enrollment.create({ data: { id: newId('enr'), workspaceId, campaignId: campaign.id, leadId: lead.id, status: 'active' } });
      steps.push({ enrollmentId: enrollment.id, stepNumber: 1 });
    }
    const claimer = worker('unused', 1_000);
    for (const step of steps) expect((await claimer.claimStep(step)).kind).toBe('attempt');
    return steps;
  }

  const postsOf = (steps: { enrollmentId: string }[]) => {
    const keys = new Set(steps.map((s) => `${s.enrollmentId}/1`));
    return double.posts.filter((p) => p.idempotencyKey && keys.has(p.idempotencyKey)).map((p) => p.at).sort((a, b) => a - b);
  };

  it('spaces the calls of three workers at the limit, not three times it', async () => {
    const provider = `resend-${Math.random().toString(36).slice(2, 10)}`;
    const workers = [worker(provider, 10), worker(provider, 10), worker(provider, 10)];
    const steps = await claimedSteps(30);
    // Each worker runs two sends at a time, as its send slots allow.
    const results: SendStepResult[] = [];
    await Promise.all(workers.map((w, i) => inParallel(steps.filter((_, j) => j % 3 === i), 2, async (step) => void results.push(await w.deliverStep(step)))));
    expect(results.filter((r) => r.kind === 'sent')).toHaveLength(30);

    const at = postsOf(steps);
    expect(at).toHaveLength(30);
    // 30 calls at 10/s span about 2.9 s; unlimited, they all go within a few hundred ms.
    expect(at[29]! - at[0]!).toBeGreaterThan(2_600);
    const busiestSecond = Math.max(...at.map((start) => at.filter((t) => t >= start && t < start + 1_000).length));
    expect(busiestSecond).toBeLessThanOrEqual(12);
  }, 60_000);

  it('sends an attempt that would wait too long away, uncalled, says why on the lead, and sends it at its turn', async () => {
    const provider = `resend-${Math.random().toString(36).slice(2, 10)}`;
    const { db } = testDeps();
    // Other workers have taken the next 5 s of slots.
    await db.$executeRaw`INSERT INTO "ProviderRate" (provider, "nextSlotAt") VALUES (${provider}, clock_timestamp() + interval '5 seconds')`;
    const [step] = await claimedSteps(1);
    const w = worker(provider, 1);

    const turnedAway = await w.deliverStep(step!).then(() => null, (error: unknown) => error);
    expect(turnedAway).toMatchObject({ type: 'ProviderRateLimited' });
    const retryInMs = (turnedAway as { nextRetryDelay: number }).nextRetryDelay;
    expect(retryInMs).toBeGreaterThan(1_000);
    expect(retryInMs).toBeLessThanOrEqual(2_000);
    expect(postsOf([step!])).toEqual([]);
    const waiting = await db.enrollment.findUniqueOrThrow({ where: { id: step!.enrollmentId } });
    expect(waiting.waitingFor).toBe('provider_rate');
    expect(waiting.nextSendAt!.getTime() - waiting.waitingSince!.getTime()).toBe(retryInMs);
    expect(await db.message.findUniqueOrThrow({ where: { enrollmentId_stepNumber: step! } })).toMatchObject({ status: 'sending', unconfirmedSince: null });

    // Temporal retries it after nextRetryDelay: by then its slot is near enough to wait for.
    await new Promise((resolve) => setTimeout(resolve, retryInMs));
    expect(await w.deliverStep(step!)).toMatchObject({ kind: 'sent' });
    expect(postsOf([step!])).toHaveLength(1);
    expect((await db.enrollment.findUniqueOrThrow({ where: { id: step!.enrollmentId } })).waitingFor).toBeNull();
  }, 60_000);
});

