import { beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/domain/time.js';
import type { Mailer, OutgoingMail } from '../../src/mail/mailer.js';
import { testApp } from '../helpers/deps.js';
import { eventually, startTestWorker } from '../helpers/worker.js';
import { uniq } from '../helpers/fixtures.js';


/**
 * A provider whose first answer per idempotency key is lost (the mail was accepted, then the
 * connection dropped): exactly what makes a naive sender send twice.
 */
function flakyProvider() {
  const calls: OutgoingMail[] = [];
  const accepted = new Map<string, string>();
  const mailer: Mailer = {
    name: 'flaky',
    async send(mail) {
      calls.push(mail);
      const known = accepted.get(mail.idempotencyKey);
      if (known) return { providerId: known, delivered: true };
      accepted.set(mail.idempotencyKey, `prov_${accepted.size + 1}`);
      throw new Error('socket hang up after the provider accepted the mail');
    },
  };
  return { mailer, calls, accepted };
}

describe('sending under retries and per-lead control', () => {
  const provider = flakyProvider();
  beforeAll(async () => {
    await startTestWorker({ mailer: provider.mailer });
  });

  it('retries a send whose answer was lost with the same idempotency key and records one message', async () => {
    const { api, deps } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'retry', sequenceSteps: [{ delayDays: 0, subject: 'Hi {{firstName}}', bodyHtml: '<p>x</p>' }] })).body.data.id;
    const email = `retry-${uniq()}@example.com`;
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email, firstName: 'Ret' }] });
    await api.post(`/v1/campaigns/${id}/start`);
    await eventually(async () => (await api.get(`/v1/campaigns/${id}/leads?status=completed`)).body.data.length === 1, 60_000, 'completed');

    const mine = provider.calls.filter((m) => m.to === email);
    expect(mine.length).toBe(2);
    expect(new Set(mine.map((m) => m.idempotencyKey)).size).toBe(1);
    expect(mine[1]).toEqual(mine[0]);
    const messages = await deps.db.message.findMany({ where: { campaignId: id } });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ status: 'delivered', providerId: provider.accepted.get(mine[0]!.idempotencyKey) });
    expect((await api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics).toMatchObject({ sent: 1, delivered: 1 });
  }, 90_000);

  it('pauses, resumes and stops one lead without touching the others', async () => {
    const { api, deps } = await testApp();
    const id = (
      await api.post('/v1/campaigns', {
        name: 'per-lead',
        sequenceSteps: [
          { delayDays: 0, subject: 'One', bodyHtml: '<p>1</p>' },
          { delayDays: 30, subject: 'Two', bodyHtml: '<p>2</p>' },
        ],
      })
    ).body.data.id;
    const [a, b, c] = ['a', 'b', 'c'].map((x) => `${x}-${uniq()}@example.com`);
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email: a }, { email: b }, { email: c }] });
    const leadOf = async (email: string) => (await deps.db.lead.findFirstOrThrow({ where: { email } })).id;
    const [la, lb, lc] = [await leadOf(a!), await leadOf(b!), await leadOf(c!)];

    // Paused before the start: it must not be sent step 1 when the campaign starts.
    const paused = await api.post(`/v1/campaigns/${id}/leads/${la}/pause`);
    expect(paused.body.data.status).toBe('paused');
    await api.post(`/v1/campaigns/${id}/start`);
    // (This provider loses its first answer, so a send completes on the activity's retry.)
    await eventually(async () => (await deps.db.message.count({ where: { campaignId: id, sentAt: { not: null } } })) === 2, 60_000, 'b and c sent');
    expect(await deps.db.message.count({ where: { campaignId: id, leadId: la } })).toBe(0);

    const resumed = await api.post(`/v1/campaigns/${id}/leads/${la}/resume`);
    expect(resumed.status).toBe(200);
    await eventually(
      async () => (await deps.db.message.count({ where: { campaignId: id, leadId: la, sentAt: { not: null } } })) === 1,
      60_000,
      'a sent after resume',
    );

    const stopped = await api.post(`/v1/campaigns/${id}/leads/${lb}/stop`);
    expect(stopped.body.data).toMatchObject({ status: 'stopped', finishedAt: expect.any(String) });
    const list = await api.get(`/v1/campaigns/${id}/leads`);
    const status = Object.fromEntries(list.body.data.map((e: any) => [e.leadId, e.status]));
    expect(status).toEqual({ [la]: 'active', [lb]: 'stopped', [lc]: 'active' });
    const nextSend = list.body.data.find((e: any) => e.leadId === lc).nextSendAt;
    expect(Date.parse(nextSend) - Date.now()).toBeGreaterThan(29 * DAY_MS);
    expect((await api.get(`/v1/campaigns/${id}/stats`)).body.data.metrics.queued).toBe(2);
    expect((await api.post(`/v1/campaigns/${id}/leads/lead_nope/pause`)).body.error.code).toBe('lead_not_found');
  }, 120_000);
});
