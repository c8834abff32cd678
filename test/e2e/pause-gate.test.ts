import { describe, expect, it } from 'vitest';
import { lockForSend } from '../../src/delivery/send-guard.js';
import { backendPid, isWaitingForLock, waitingBehind } from '../helpers/barriers.js';
import { testApp } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';
import { eventually } from '../helpers/worker.js';

// Sends hold their campaign's row FOR SHARE while they call the provider, and a pause needs it FOR
// UPDATE. Row locks do not queue, so sends that kept overlapping kept the pause out until its
// transaction timed out; the campaign gate (decision 72) queues later sends behind the pause.
describe('a pause gets in between overlapping sends (real PostgreSQL)', () => {
  it('makes a send that starts while the pause waits wait for it, and see the campaign paused', async () => {
    const { api, deps } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'gate', sequenceSteps: [{ delayDays: 0, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: `a-${uniq()}@example.com` }, { email: `b-${uniq()}@example.com` }] });
    expect((await api.post(`/v1/campaigns/${id}/start`)).status).toBe(200);
    const [first, second] = await deps.db.enrollment.findMany({ where: { campaignId: id }, orderBy: { id: 'asc' } });

    // A send in flight: its transaction holds what a provider call holds, until released.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: (pid: number) => void;
    const inFlight = new Promise<number>((r) => (locked = r));
    const send = deps.db.$transaction(async (tx) => {
      await lockForSend(tx, first!.id);
      locked(await backendPid(tx));
      await held;
    }, { timeout: 20_000 });
    const sendPid = await inFlight;

    const pause = api.post(`/v1/campaigns/${id}/pause`);
    await eventually(async () => (await waitingBehind(deps.db, sendPid)) > 0, 10_000, 'the pause waits for the send in flight');
    let seen: string | null = null;
    let started!: (pid: number) => void;
    const nextPid = new Promise<number>((r) => (started = r));
    const next = deps.db.$transaction(async (tx) => {
      started(await backendPid(tx));
      seen = (await lockForSend(tx, second!.id))!.campaign.status;
    }, { timeout: 20_000 });
    // The later send either queues for a lock (behind the pause) or gets through and says what it saw.
    const pid = await nextPid;
    await eventually(async () => seen !== null || (await isWaitingForLock(deps.db, pid)), 10_000, 'the later send waits or sees');
    // Without the gate the later send took the row beside the first and saw the campaign running.
    expect(seen).toBeNull();

    release();
    await send;
    expect((await pause).status).toBe(200);
    await next;
    expect(seen).toBe('paused');
  });
});
