import { beforeAll, describe, expect, it } from 'vitest';
import { ONE_STEP, startEdgeStack } from '../helpers/edge-stack.js';
import { enrollmentHistory } from '../helpers/history.js';
import { eventually } from '../helpers/worker.js';

/**
 * Decision 71: a pause tells only leads due within a minute or with no planned time. A lead asleep
 * past that which claims during the pause (here: woken early, as a sender change wakes capacity
 * waiters) meets `campaign_paused` and waits to be told, so it must have no planned time left:
 * the resume's sweep tells exactly such leads.
 */
describe('a lead that met the pause in its own claim is told by the resume (real worker, real database)', () => {
  let stack: Awaited<ReturnType<typeof startEdgeStack>>;
  beforeAll(async () => {
    stack = await startEdgeStack();
  });

  it('sends promptly after the resume, not at its next re-check', async () => {
    const { db } = stack.deps;
    // One a day: one lead sends, the other waits for tomorrow's capacity.
    const c = await stack.campaign(ONE_STEP, 2, { dailyLimit: 1 });
    const waiting = await eventually(() => db.enrollment.findFirst({ where: { campaignId: c.id, waitingFor: 'capacity' } }), 30_000, 'one waits for capacity');
    const history = enrollmentHistory(stack.deps.temporal, waiting.id);
    await eventually(() => history.asleep(), 30_000, 'asleep until tomorrow');
    const inLine = async () => {
      const k = await db.campaign.findUniqueOrThrow({ where: { id: c.id } });
      return k.syncedStatus === k.status && k.syncedStatusChanges === k.statusChanges;
    };

    await c.api.post(`/v1/campaigns/${c.id}/pause`);
    await eventually(inLine, 30_000, 'pause swept');
    expect(await history.signals('pause')).toBe(0); // asleep past the horizon: not told
    // More capacity wakes it; its claim meets the pause and it waits to be told.
    await c.api.patch(`/v1/sender-accounts/${c.sender.id}`, { dailyLimit: 2 });
    await eventually(async () => (await stack.workflowState(waiting.id)).status === 'paused' && (await history.asleep()), 30_000, 'met the pause');
    const during = (await c.api.get(`/v1/campaigns/${c.id}/leads/${waiting.leadId}`)).body.data;

    await c.api.post(`/v1/campaigns/${c.id}/resume`);
    await eventually(inLine, 30_000, 'resume swept');
    expect(await history.signals('resume')).toBe(1);
    await eventually(async () => (await stack.message(waiting.id, 1))?.status === 'sent', 30_000, 'sent after the resume');
    expect(stack.acceptedFor(waiting.id)).toHaveLength(1);
    expect(during).toMatchObject({ waitingFor: 'campaign_paused', nextSendAt: null });
  }, 90_000);
});
