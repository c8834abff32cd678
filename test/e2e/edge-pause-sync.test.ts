// Slow (~95 s quiet): one test sends a 1,000-lead campaign through the one test worker (3 sends at a time), pauses it mid-send and waits for all 1,000 after resume.
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { DAY_MS } from '../../src/domain/time.js';
import { apiClient } from '../helpers/deps.js';
import { FOLLOW_UP_LATER, ONE_STEP, startEdgeStack, withTemporalFailing } from '../helpers/edge-stack.js';
import { enrollmentWorkflowId } from '../../src/workflows/contract.js';
import { everyWorkflowPaused } from '../helpers/barriers.js';
import { enrollmentHistory } from '../helpers/history.js';
import { eventually } from '../helpers/worker.js';

describe('pause, start and bulk hold on every path (real worker, real database, the Resend double)', () => {
  let stack: Awaited<ReturnType<typeof startEdgeStack>>;
  beforeAll(async () => {
    stack = await startEdgeStack();
  });

  it('lets no provider request begin after the pause returns, even for a send that had passed its check', async () => {
    // Every call takes 1.5 s to reach the provider: the window in which a send that passed its
    // guard just before the pause could otherwise reach the provider after it. Nine leads and three
    // calls at a time: while three are in flight, six more deliveries wait for the worker.
    stack.gate.delayMs = 1_500;
    try {
      const c = await stack.campaign(ONE_STEP, 9);
      const entered = stack.gate.entered;
      await eventually(async () => stack.gate.entered > entered, 30_000, 'a send under way');
      const pause = await c.api.post(`/v1/campaigns/${c.id}/pause`);
      const pausedAt = Date.now();
      expect(pause.status).toBe(200);

      const mine = c.emails.flatMap((e) => stack.postsFor(c.enrollmentOf(e).id));
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((p) => p.at < pausedAt)).toBe(true);
      // The calls in flight finished before the pause committed: what the 200 says is final.
      const sentAtPause = (await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data.metrics.sent;
      expect(sentAtPause).toBe(stack.double.accepted.filter((a) => c.emails.includes(a.to[0]!)).length);

      // Once every workflow has met the pause none of them can call the provider any more.
      await eventually(() => everyWorkflowPaused(stack.deps.temporal, c.id), 30_000, 'every workflow paused');
      expect(c.emails.flatMap((e) => stack.postsFor(c.enrollmentOf(e).id)).filter((p) => p.at >= pausedAt)).toEqual([]);
      const lead = (await c.api.get(`/v1/campaigns/${c.id}/leads`)).body.data.find((l: any) => l.status === 'active');
      if (lead) expect(lead.waitingFor).toBe('campaign_paused');

      stack.gate.delayMs = 0;
      await c.api.post(`/v1/campaigns/${c.id}/resume`);
      await eventually(async () => (await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data.metrics.sent === 9, 30_000, 'all sent after resume');
      for (const email of c.emails) expect(stack.acceptedFor(c.enrollmentOf(email).id)).toHaveLength(1);
    } finally {
      stack.gate.delayMs = 0;
    }
  }, 90_000);

  it('pauses a 1,000-lead campaign mid-send: no provider request arrives after the 200, and resume sends each lead once', async () => {
    const c = await stack.campaign(ONE_STEP, 1_000, { dailyLimit: 5_000 });
    const ids = new Set(c.emails.map((e) => c.enrollmentOf(e).id));
    const mine = () => stack.double.posts.filter((p) => ids.has(p.idempotencyKey?.split('/')[0] ?? ''));
    await eventually(async () => mine().length >= 20, 60_000, 'sending began');

    const paused = await c.api.post(`/v1/campaigns/${c.id}/pause`);
    const pausedAt = Date.now();
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    expect(paused.body.data).toMatchObject({ status: 'paused' });
    // Every running workflow has seen the pause (signal or database): from here nothing can send.
    await eventually(
      async () => (await stack.deps.temporal.workflow.count(`CampaignId = '${c.id}' AND ExecutionStatus = 'Running' AND EnrollmentStatus != 'paused'`)).count === 0,
      60_000,
      'every workflow paused',
    );
    const atPause = mine().length;
    expect(atPause).toBeLessThan(1_000);
    // Judged by when the provider received each request, not by our own rows.
    expect(mine().filter((p) => p.at >= pausedAt)).toEqual([]);
    expect((await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data.metrics.sent).toBe(stack.double.accepted.filter((a) => ids.has(a.idempotencyKey!.split('/')[0]!)).length);

    await c.api.post(`/v1/campaigns/${c.id}/resume`);
    // About a minute on a quiet 2-CPU machine; the margin is for a busy one.
    await eventually(async () => (await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data.metrics.sent === 1_000, 300_000, 'all sent after resume');
    const accepted = stack.double.accepted.filter((a) => ids.has(a.idempotencyKey!.split('/')[0]!));
    expect(accepted).toHaveLength(1_000);
    expect(new Set(accepted.map((a) => a.idempotencyKey)).size).toBe(1_000);
  }, 420_000);

  it('withdraws a step being retried at the provider when the campaign pauses, and sends it once on resume', async () => {
    const c = await stack.campaign(ONE_STEP, 1, { start: false });
    const enrollment = c.enrollmentOf(c.emails[0]!);
    stack.double.failWhen((key) => key === `${enrollment.id}/1`, { status: 503, name: 'internal_server_error', retryAfter: '1' });
    await c.api.post(`/v1/campaigns/${c.id}/start`);
    await eventually(async () => stack.postsFor(enrollment.id).length >= 2, 30_000, 'retried');
    const lead = (await c.api.get(`/v1/campaigns/${c.id}/leads/${enrollment.leadId}`)).body.data;
    expect(lead.waitingFor).toBe('provider_retry');
    expect(Date.parse(lead.nextSendAt)).toBeGreaterThan(Date.now() - 5_000);

    await c.api.post(`/v1/campaigns/${c.id}/pause`);
    const pausedAt = Date.now();
    stack.double.clearFailures();
    // Past the retry: the workflow shows paused and sleeps until told (its retry withdrawn, or met by
    // the guard), so none can follow before the resume; had one gone out the lead would have completed.
    const history = enrollmentHistory(stack.deps.temporal, enrollment.id);
    await eventually(async () => (await stack.workflowState(enrollment.id)).status === 'paused' && (await history.asleep()), 30_000, 'asleep, paused');
    expect(stack.postsFor(enrollment.id).filter((p) => p.at >= pausedAt)).toEqual([]);
    expect((await stack.message(enrollment.id, 1))!.status).toBe('sending');

    await c.api.post(`/v1/campaigns/${c.id}/resume`);
    await eventually(async () => (await stack.message(enrollment.id, 1))?.status === 'sent', 30_000, 'sent after resume');
    expect(stack.acceptedFor(enrollment.id)).toHaveLength(1);
  }, 60_000);

  it('reaches every workflow with a pause retried after its sync failed', async () => {
    // Both leads between provider retries (Retry-After 20 s): due within the horizon, so told.
    const c = await stack.campaign(ONE_STEP, 2, { start: false });
    const ids = c.emails.map((e) => c.enrollmentOf(e).id);
    stack.double.failWhen((key) => ids.some((id) => key === `${id}/1`), { status: 503, name: 'internal_server_error', retryAfter: '20' });
    try {
      await c.api.post(`/v1/campaigns/${c.id}/start`);
      await eventually(async () => ids.every((id) => stack.postsFor(id).length >= 1), 30_000, 'both attempted');

      // Temporal unreachable for the pause's sync: the pause commits, the call answers 503.
      const failed = await apiClient(createApp(withTemporalFailing(stack.deps, 'signalWithStart')), c.apiKey).post(`/v1/campaigns/${c.id}/pause`);
      expect(failed.status).toBe(503);
      expect((await c.api.get(`/v1/campaigns/${c.id}`)).body.data.status).toBe('paused');

      const retried = await c.api.post(`/v1/campaigns/${c.id}/pause`);
      expect(retried.status).toBe(200);
      await eventually(async () => (await Promise.all(ids.map((id) => stack.workflowState(id)))).every((s) => s.status === 'paused'), 30_000, 'every workflow paused');
    } finally {
      stack.double.clearFailures();
    }
  }, 60_000);

  it('leaves asleep the workflows not due before the horizon: the pause holds them all the same', async () => {
    const c = await stack.campaign(FOLLOW_UP_LATER, 2);
    const ids = c.emails.map((e) => c.enrollmentOf(e).id);
    await eventually(async () => (await Promise.all(ids.map((id) => stack.workflowState(id)))).every((s) => s.currentStep === 1 && s.status === 'waiting'), 30_000, 'step 1 sent, waiting');
    const signalsTo = async (id: string) =>
      ((await stack.deps.temporal.workflow.getHandle(enrollmentWorkflowId(id)).fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    const before = await Promise.all(ids.map(signalsTo));

    expect((await c.api.post(`/v1/campaigns/${c.id}/pause`)).status).toBe(200);
    await eventually(async () => (await stack.deps.db.campaign.findUniqueOrThrow({ where: { id: c.id } })).syncedStatus === 'paused', 30_000, 'pause synced');
    expect(await Promise.all(ids.map(signalsTo))).toEqual(before);
    expect((await Promise.all(ids.map((id) => stack.workflowState(id)))).map((s) => s.status)).toEqual(['waiting', 'waiting']);
    // What the lead says does not depend on the workflow having heard: the database holds the pause.
    const leads = (await c.api.get(`/v1/campaigns/${c.id}/leads`)).body.data;
    expect(leads.map((l: any) => l.waitingFor)).toEqual(['campaign_paused', 'campaign_paused']);
  }, 60_000);

  it('starts every enrollment a bulk call wrote when the call is retried after its sync failed', async () => {
    const c = await stack.campaign(ONE_STEP, 1);
    const leads = Array.from({ length: 5 }, (_, i) => ({ email: `late${i}-${c.id.slice(-6)}@example.com` }));
    const failed = await apiClient(createApp(withTemporalFailing(stack.deps, 'signalWithStart')), c.apiKey).post(`/v1/campaigns/${c.id}/leads/bulk`, { leads });
    expect(failed.status).toBe(503);
    const retried = await c.api.post(`/v1/campaigns/${c.id}/leads/bulk`, { leads });
    expect(retried.body.data).toMatchObject({ enrolled: 0, updated: 5 });
    await eventually(async () => (await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data.metrics.sent === 6, 30_000, 'all six sent');
  }, 60_000);

  it('makes every enrolled lead active, its first step planned, when start returns', async () => {
    const c = await stack.campaign([{ delayDays: 2, subject: 'Later', bodyHtml: '<p>1</p>' }], 40, { start: false });
    const before = (await c.api.get(`/v1/campaigns/${c.id}/leads?limit=200`)).body.data;
    expect(before.every((l: any) => l.status === 'pending' && l.waitingFor === null && l.nextSendAt === null)).toBe(true);
    const started = (await c.api.post(`/v1/campaigns/${c.id}/start`)).body.data;
    const after = (await c.api.get(`/v1/campaigns/${c.id}/leads?limit=200`)).body.data;
    expect(after).toHaveLength(40);
    const due = Date.parse(started.startedAt) + 2 * DAY_MS;
    for (const lead of after) {
      expect(lead).toMatchObject({ status: 'active', waitingFor: 'delay' });
      expect(Math.abs(Date.parse(lead.nextSendAt) - due)).toBeLessThan(5_000);
    }
    expect((await c.api.get(`/v1/campaigns/${c.id}/health`)).body.data.status).toBe('healthy');
  });

  it('never launches a draft on resume (409), and resumes a paused campaign', async () => {
    const c = await stack.campaign(ONE_STEP, 1, { start: false });
    const res = await c.api.post(`/v1/campaigns/${c.id}/resume`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('campaign_not_paused');
    expect((await c.api.get(`/v1/campaigns/${c.id}`)).body.data.status).toBe('draft');
    expect((await c.api.get(`/v1/campaigns/${c.id}/leads`)).body.data[0].status).toBe('pending');
  });
});
