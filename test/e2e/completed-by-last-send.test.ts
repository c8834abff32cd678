import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalTransport } from '../../src/mail/local-transport.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { enrollmentWorkflowId } from '../../src/workflows/contract.js';
import { COMPLETED_BY_LAST_SEND } from '../../src/workflows/enrollment-workflow.js';
import { testApp } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';
import { eventually, startTestWorker } from '../helpers/worker.js';

// The last send completes its enrollment in the transaction that records it (decision 70): the
// workflow schedules no finishing activity, and the events read as they happened.
const local = createLocalTransport();
let holdNext: Promise<void> | null = null;
let calling: (() => void) | null = null;
/** A provider that, when told, answers only after the test lets it: a send held in flight. */
const mailer: Mailer = {
  name: local.name,
  async send(mail) {
    const held = holdNext;
    holdNext = null;
    if (held) {
      calling?.();
      await held;
    }
    return local.send(mail);
  },
};

const steps = [
  { subject: 'One', bodyHtml: '<p>1</p>', delayDays: 0 },
  { subject: 'Two', bodyHtml: '<p>2</p>', delayDays: 0 },
];

describe('the last send completes the enrollment (real worker, Temporal and PostgreSQL)', () => {
  beforeAll(async () => {
    await startTestWorker({ mailer });
  });

  it('completes with the last send, once, after its message events, and the workflow runs no finishing activity', async () => {
    const { api, deps } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'fold', sequenceSteps: steps })).body.data.id;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: `a-${uniq()}@example.com` }, { email: `b-${uniq()}@example.com` }] });
    await api.post(`/v1/campaigns/${id}/start`);
    const enrollments = await eventually(async () => {
      const rows = await deps.db.enrollment.findMany({ where: { campaignId: id }, include: { messages: { orderBy: { stepNumber: 'asc' } } } });
      return rows.every((e) => e.status === 'completed') && rows;
    }, 30_000, 'both leads completed');

    for (const e of enrollments) {
      expect(e.messages.map((m) => m.stepNumber)).toEqual([1, 2]);
      expect(e.finishedAt).toEqual(e.messages[1]!.sentAt);
      expect([e.nextSendAt, e.waitingFor]).toEqual([null, null]);
      const events = await deps.db.event.findMany({ where: { workspaceId: e.workspaceId, data: { path: ['leadId'], equals: e.leadId } }, orderBy: { seq: 'asc' } });
      expect(events.map((x) => x.type)).toEqual(['lead.enrolled', 'message.sent', 'message.delivered', 'message.sent', 'message.delivered', 'lead.completed']);

      const handle = deps.temporal.workflow.getHandle(enrollmentWorkflowId(e.id));
      await handle.result();
      const history = (await handle.fetchHistory()).events ?? [];
      const activities = history.flatMap((ev) => (ev.activityTaskScheduledEventAttributes ? [ev.activityTaskScheduledEventAttributes.activityType?.name] : []));
      expect(activities).toEqual(['deliverStep', 'deliverStep']);
      const patches = history.filter((ev) => ev.markerRecordedEventAttributes?.markerName === 'core_patch');
      const patchIds = patches.map((ev) => JSON.parse(Buffer.from(ev.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data!).toString()).id);
      expect(patchIds).toContain(COMPLETED_BY_LAST_SEND);
    }
  });

  it('a reply that lands while the last step is in flight ends the lead replied, after its completion', async () => {
    const { api, deps } = await testApp();
    const email = `late-${uniq()}@example.com`;
    const id = (await api.post('/v1/campaigns', { name: 'fold race', sequenceSteps: [steps[0]] })).body.data.id;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email }] });
    let release!: () => void;
    holdNext = new Promise((resolve) => (release = resolve));
    const inFlight = new Promise<void>((resolve) => (calling = resolve));
    await api.post(`/v1/campaigns/${id}/start`);
    await inFlight;

    // The reply waits on the lead the send holds; the send commits the completion first.
    const reply = api.post('/v1/replies', { campaignId: id, email, text: 'Interested, call me' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    expect((await reply).status).toBe(201);

    const enrollment = await eventually(async () => {
      const e = await deps.db.enrollment.findFirstOrThrow({ where: { campaignId: id } });
      return e.status === 'replied' && e;
    }, 30_000, 'lead replied');
    await deps.temporal.workflow.getHandle(enrollmentWorkflowId(enrollment.id)).result();
    const after = await deps.db.enrollment.findUniqueOrThrow({ where: { id: enrollment.id }, include: { messages: true } });
    expect(after.status).toBe('replied');
    expect(after.messages.map((m) => m.status)).toEqual(['delivered']);
    const types = (await deps.db.event.findMany({ where: { workspaceId: after.workspaceId, data: { path: ['leadId'], equals: after.leadId } }, orderBy: { seq: 'asc' } })).map((x) => x.type);
    expect(types.filter((t) => t.startsWith('lead.'))).toEqual(['lead.enrolled', 'lead.completed', 'lead.replied']);
  });
});
