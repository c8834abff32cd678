// Slow (~1 min quiet): a stack of its own, and 80 provider requests answered 500/429 whose retries back off before the provider recovers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Failure } from '../resend-double/server.js';
import { eventually } from '../helpers/worker.js';
import { expectEachStepOnce, finishedStats, showOutputOnFailure, startStack, type Stack } from './stack.js';

const LEADS = 40;
const STEPS = 2;
const REJECTED = 2;
// The storm lasts this many provider requests, then the provider recovers (storms end; the
// retries' growing backoff would otherwise make the test's length a matter of luck).
const STORM_REQUESTS = 80;

describe('fault: a provider storm of 500s and 429s', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ name: 'storm', sendRateLimit: 20 });
    await Promise.all([stack.startWorker(), stack.startApi()]);
  });
  afterAll(() => stack?.close());

  it('every message ends sent exactly once or failed with its reason, never doubled', async () => {
    showOutputOnFailure(stack);
    const injected = { 500: 0, 429: 0 };
    const storm = (): Failure => {
      const failure: Failure =
        Math.random() < 0.5
          ? { status: 500, name: 'application_error', message: 'An unexpected error occurred.' }
          : { status: 429, name: 'rate_limit_exceeded', message: 'Too many requests.', retryAfter: '1' };
      injected[failure.status as 500 | 429]++;
      return failure;
    };
    // The first two sends are rejected for good (as Resend rejects an address it will not mail),
    // then ~30 % of requests fail with a transient 500 or 429.
    stack.resend.failNext(REJECTED, { status: 422, name: 'validation_error', message: 'Invalid `to` field.' });
    stack.resend.failRandomly(0.3, storm);
    const requestsBefore = stack.resend.requests;
    const { id, api } = await stack.startCampaign('storm', { steps: STEPS, leads: LEADS });
    await eventually(async () => stack.resend.requests - requestsBefore >= STORM_REQUESTS, 120_000, 'the storm');
    stack.resend.failRandomly(0, storm);

    const stats = await finishedStats(stack, api, id, 180_000);
    const counts = await expectEachStepOnce(stack, id, STEPS);
    const sent = (LEADS - REJECTED) * STEPS;
    expect(counts).toEqual({ sent, failed: REJECTED, enrollments: LEADS });
    expect(stats).toMatchObject({ enrolledLeads: LEADS, metrics: { sent, queued: 0, bounced: 0 } });

    // The permanent rejections failed their message with the provider's reason and ended the lead.
    const failed = await stack.db.message.findMany({ where: { campaignId: id, status: 'failed' }, include: { enrollment: true } });
    expect(failed).toHaveLength(REJECTED);
    for (const m of failed) {
      expect(m.stepNumber).toBe(1);
      expect(m.failureReason).toMatch(/422 validation_error: Invalid `to` field/);
      expect(m.enrollment).toMatchObject({ status: 'failed', stopReason: m.failureReason });
    }
    // The storm really happened, and every transient failure was retried.
    expect(injected[500]).toBeGreaterThan(0);
    expect(injected[429]).toBeGreaterThan(0);
    process.stdout.write(`[storm] ${injected[500]} × 500 and ${injected[429]} × 429 injected; ${sent} sent once each, ${REJECTED} failed\n`);
  });
});
