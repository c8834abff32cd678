// Slow (~1.5 min quiet): a stack of its own, the file-backed Temporal dev server stopped and restarted mid-sequence, and 60 sends paced at 5/s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Child } from '../../scripts/lib/children.js';
import { eventually } from '../helpers/worker.js';
import { expectEachStepOnce, finishedStats, ledgerOf, showOutputOnFailure, startStack, type Stack } from './stack.js';

const LEADS = 20;
const STEPS = 3;

describe('fault: the Temporal server stops and restarts mid-sequence', () => {
  let stack: Stack;
  let processes: Child[];
  beforeAll(async () => {
    // 5 sends a second: the 60 sends take ~12 s, so the sequences are mid-way when Temporal stops.
    stack = await startStack({ name: 'temporal', sendRateLimit: 5 });
    processes = await Promise.all([stack.startWorker(), stack.startApi()]);
  });
  afterAll(() => stack?.close());

  it('every enrollment continues from where it was and sends each step exactly once', async () => {
    showOutputOnFailure(stack);
    const { id, api } = await stack.startCampaign('temporal', { steps: STEPS, leads: LEADS });

    await eventually(async () => stack.acceptedFor(id).length >= (LEADS * STEPS) / 4, 120_000, 'a quarter of the sends accepted');
    await stack.stopTemporal();
    const before = await ledgerOf(stack, id);
    const sentBefore = new Map<string, number>();
    for (const m of before.messages) if (m.status === 'sent') sentBefore.set(m.enrollmentId, m.stepNumber);
    // Mid-sequence: some leads have steps left, and some are past step 1.
    expect(before.accepted.length).toBeLessThan(LEADS * STEPS);
    expect(before.enrollments.some((e) => e.status === 'active')).toBe(true);

    // While it is down the API says so, naming it.
    const ready = await eventually(async () => {
      const res = await fetch(`${stack.base}/readyz`);
      return res.status === 503 ? ((await res.json()) as any) : null;
    }, 15_000, 'readyz 503');
    expect(ready).toMatchObject({ error: { code: 'unavailable', message: expect.stringMatching(/temporal/) }, checks: { postgres: { status: 'up' }, temporal: { status: 'down' } } });

    await stack.startTemporal(); // same port, same SQLite file: the workflows' histories are all there
    const stats = await finishedStats(stack, api, id, 180_000);
    expect(stats).toMatchObject({ enrolledLeads: LEADS, metrics: { sent: LEADS * STEPS, queued: 0, bounced: 0 } });
    expect(await expectEachStepOnce(stack, id, STEPS)).toEqual({ sent: LEADS * STEPS, failed: 0, enrollments: LEADS });

    // Each lead went on from its own step: the provider saw its steps once each, in order, and the
    // steps sent before the stop kept their first (and only) message.
    const after = await ledgerOf(stack, id);
    for (const e of after.enrollments) {
      const order = after.accepted.filter((a) => a.idempotencyKey?.startsWith(`${e.id}/`)).map((a) => a.idempotencyKey);
      expect(order).toEqual([1, 2, 3].map((step) => `${e.id}/${step}`));
    }
    for (const m of before.messages.filter((m) => m.status === 'sent')) {
      expect(after.messages.find((n) => n.id === m.id)).toMatchObject({ status: 'sent', providerId: m.providerId });
    }
    // The same processes carried on: neither the worker nor the API needed a restart.
    expect(processes.every(stack.alive)).toBe(true);
    process.stdout.write(
      `[temporal] stopped at ${before.accepted.length}/${LEADS * STEPS} accepted ` +
        `(${[...sentBefore.values()].filter((s) => s > 1).length} leads past step 1)\n`,
    );
  });
});
