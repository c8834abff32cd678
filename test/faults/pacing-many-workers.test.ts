// Slow (~2 min quiet): a stack of its own with three worker processes, and 12 sends from one account at least 4 s apart (real time).
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollmentWorkflowId } from '../../src/workflows/contract.js';
import { eventually } from '../helpers/worker.js';
import { showOutputOnFailure, startStack, type Stack } from './stack.js';

const LEADS = 12;
const GAP_SECONDS = 4;

describe('many processes: pacing holds across three worker processes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ name: 'pacing', sendRateLimit: 1_000 });
    await Promise.all([stack.startWorker(), stack.startWorker(), stack.startWorker(), stack.startApi()]);
  });
  afterAll(() => stack?.close());

  it('no two sends from one account are decided closer than minGapSeconds, whichever process decides them', async () => {
    showOutputOnFailure(stack);
    const { api } = await stack.newWorkspace('pacing');
    const [sender] = (await api.get('/v1/sender-accounts')).body.data;
    expect((await api.patch(`/v1/sender-accounts/${sender.id}`, { minGapSeconds: GAP_SECONDS, jitterSeconds: 0 })).status).toBe(200);
    const id = (await api.post('/v1/campaigns', { name: 'paced', sequenceSteps: [{ delayDays: 0, subject: 'Hi', bodyHtml: '<p>Hi</p>' }] })).body.data.id;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: Array.from({ length: LEADS }, (_, i) => ({ email: `p${i}@pacing.example.com` })) });
    expect((await api.post(`/v1/campaigns/${id}/start`)).status).toBe(200);

    const waiting = await eventually(async () => {
      const leads = (await api.get(`/v1/campaigns/${id}/leads?limit=100`)).body.data as { waitingFor: string | null }[];
      const paced = leads.filter((l) => l.waitingFor === 'pacing').length;
      return paced >= LEADS / 2 ? paced : null;
    }, 60_000, 'leads waiting for their pacing slots');
    await eventually(async () => stack.acceptedFor(id).length === LEADS, 180_000, 'every lead sent');

    // The gap is kept where a send is decided: the claim, under the account's lock, records the
    // message at its own clock. The provider sees each send after one more hop (the send queue),
    // whose length a loaded machine stretches, so its gaps are reported, not asserted.
    const gapsOf = (times: number[]) => times.sort((a, b) => a - b).slice(1).map((t, i) => (t - times[i]!) / 1000);
    const messages = await stack.db.message.findMany({ where: { campaignId: id }, select: { createdAt: true } });
    const claimed = gapsOf(messages.map((m) => m.createdAt.getTime()));
    expect(claimed).toHaveLength(LEADS - 1);
    expect(Math.min(...claimed)).toBeGreaterThanOrEqual(GAP_SECONDS);
    const gaps = gapsOf(stack.acceptedFor(id).map((e) => Date.parse(e.createdAt)));
    expect(new Set(stack.acceptedFor(id).map((e) => e.to[0])).size).toBe(LEADS);

    // The sends were decided in more than one worker process (a workflow's tasks stay on the
    // worker that first ran it, and its claims run there).
    const connection = await Connection.connect({ address: stack.env.TEMPORAL_ADDRESS! });
    try {
      const client = new Client({ connection });
      const enrollments = await stack.db.enrollment.findMany({ where: { campaignId: id }, select: { id: true } });
      const identities = new Set<string>();
      for (const e of enrollments) {
        const history = await client.workflow.getHandle(enrollmentWorkflowId(e.id)).fetchHistory();
        for (const event of history.events ?? []) {
          const identity = event.workflowTaskCompletedEventAttributes?.identity;
          if (identity) identities.add(identity);
        }
      }
      expect(identities.size).toBeGreaterThanOrEqual(2);
      process.stdout.write(
        `[pacing] ${LEADS} sends from one account over ${identities.size} worker processes, ${waiting} waited for a slot at once; ` +
          `claim gaps ${Math.min(...claimed).toFixed(2)}–${Math.max(...claimed).toFixed(2)} s, provider gaps ${Math.min(...gaps).toFixed(2)}–${Math.max(...gaps).toFixed(2)} s (minGapSeconds ${GAP_SECONDS})\n`,
      );
    } finally {
      await connection.close();
    }
  });
});
