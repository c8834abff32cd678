// Slow (~4 min quiet): a stack of its own, a 1,000-lead send at the machine's pace, the worker SIGKILLed mid-send and a new one finishing it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Child } from '../../scripts/lib/children.js';
import { eventually } from '../helpers/worker.js';
import { expectEachStepOnce, finishedStats, showOutputOnFailure, startStack, type Stack } from './stack.js';

const LEADS = 1_000;

describe('fault: the worker process is SIGKILLed in the middle of a 1,000-lead send', () => {
  let stack: Stack;
  let worker: Child;
  beforeAll(async () => {
    // A rate limit that never binds: the machine's own pace decides, so the kill lands mid-send.
    stack = await startStack({ name: 'sigkill', sendRateLimit: 1_000 });
    [worker] = await Promise.all([stack.startWorker(), stack.startApi()]);
  });
  afterAll(() => stack?.close());

  it('a new worker finishes the send; every (enrollment, step) reached the provider exactly once', async () => {
    showOutputOnFailure(stack);
    // The provider takes every email at once but answers 250 ms later, so at any instant some
    // sends have gone out while the worker does not know it yet.
    stack.resend.answerLate(250);
    const { id, api, emails } = await stack.startCampaign('sigkill', { steps: 1, leads: LEADS });

    // No warning, no drain: the worker dies holding sends the provider accepted but it never recorded.
    await eventually(async () => stack.acceptedFor(id).length >= LEADS / 4 && stack.resend.answersHeld > 0, 240_000, 'a quarter accepted, answers pending');
    worker.process.kill('SIGKILL');
    const unrecorded = stack.resend.answersHeld;
    await worker.exited;
    const atKill = stack.acceptedFor(id).length;
    const midSend = await stack.db.message.findMany({ where: { campaignId: id, status: 'sending' }, select: { idempotencyKey: true } });
    expect(atKill).toBeLessThan(LEADS);
    expect(midSend.length).toBeGreaterThanOrEqual(unrecorded);

    const restarted = Date.now();
    await stack.startWorker();
    const stats = await finishedStats(stack, api, id, 300_000);
    expect(stats).toMatchObject({ campaignId: id, status: 'running', enrolledLeads: LEADS, metrics: { sent: LEADS, delivered: 0, queued: 0, bounced: 0 } });

    const counts = await expectEachStepOnce(stack, id, 1);
    expect(counts).toEqual({ sent: LEADS, failed: 0, enrollments: LEADS });
    expect(new Set(stack.acceptedFor(id).map((e) => e.to[0]))).toEqual(new Set(emails));
    // The sends cut off mid-call had reached the provider before the new worker existed; its
    // retries reused their keys, so the provider answered with the same email, not a second one.
    const accepted = stack.acceptedFor(id);
    const sentBeforeRestart = midSend.filter((m) => Date.parse(accepted.find((a) => a.idempotencyKey === m.idempotencyKey)!.createdAt) < restarted);
    expect(sentBeforeRestart.length).toBeGreaterThanOrEqual(unrecorded);
    const replays = stack.resend.requests - stack.resend.accepted.length;
    expect(replays).toBeGreaterThanOrEqual(unrecorded);
    process.stdout.write(
      `[sigkill] killed at ${atKill}/${LEADS} accepted with ${midSend.length} send(s) mid-call, ${unrecorded} of them already ` +
        `accepted by the provider; ${replays} retried request(s) replayed a key the provider had seen\n`,
    );
  }, 600_000); // minutes of slack for a machine shared with other work; ~85 s on a quiet one
});
