import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { testApp } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';

const VARIANTS = [
  { id: 'A', subject: 'Plain {{firstName}}', bodyHtml: '<p>a</p>' },
  { id: 'B', subject: 'Bold {{firstName}}', bodyHtml: '<p>b</p>' },
];

/**
 * SPEC §12 winner selection on seeded outcomes: 50 deliveries per variant and a given number of
 * repliers each, then one more reply through the API (what triggers a judgement).
 */
async function seeded(repliers: { A: number; B: number }, autoOptimize: object | null = { minDeliveredPerVariant: 50 }) {
  const { api, deps, workspaceId } = await testApp();
  const { db } = deps;
  const created = await api.post('/v1/campaigns', { name: 'ab', sequenceSteps: [{ delayDays: 0, variants: VARIANTS }], settings: { autoOptimize } });
  const id = created.body.data.id as string;
  const emails = Array.from({ length: 106 }, (_, i) => `ab${i}-${uniq()}@example.com`);
  await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: emails.map((email) => ({ email, firstName: 'Lee' })) });
  const enrollments = await db.enrollment.findMany({ where: { campaignId: id }, include: { lead: true }, orderBy: { id: 'asc' } });
  const at = new Date();
  const sent = enrollments.slice(0, 100).map((e, i) => ({ e, variantId: i < 50 ? 'A' : 'B', index: i % 50 }));
  await db.message.createMany({
    data: sent.map(({ e, variantId }) => ({
      id: newId('msg'), workspaceId, campaignId: id, enrollmentId: e.id, leadId: e.leadId, stepNumber: 1, variantId, status: 'delivered' as const,
      idempotencyKey: `${e.id}/1`, toEmail: e.lead.email, fromEmail: 'x@acme.com', subject: 's', bodyHtml: 'b', sentAt: at, deliveredAt: at,
    })),
  });
  const replying = sent.filter(({ variantId, index }) => index < repliers[variantId as 'A' | 'B']);
  const [last, ...before] = replying.reverse();
  await db.enrollment.updateMany({ where: { id: { in: sent.map((s) => s.e.id) } }, data: { status: 'completed', currentStep: 1 } });
  for (const { e, variantId } of before) {
    await db.enrollment.update({ where: { id: e.id }, data: { repliedStep: 1, repliedVariantId: variantId } });
    await db.enrollment.update({ where: { id: e.id }, data: { repliedAt: at } });
  }
  const reply = await api.post('/v1/replies', { email: last!.e.lead.email, campaignId: id, text: 'Interested, tell me more.' });
  expect(reply.status).toBe(201);
  const unsent = enrollments.slice(100);
  return { api, id, unsent };
}

describe('auto-optimization picks a winner on replies', () => {
  it('chooses the variant whose reply rate is better with 95 % confidence, and assigns only it from then on', async () => {
    const { api, id, unsent } = await seeded({ A: 2, B: 13 });
    const campaign = (await api.get(`/v1/campaigns/${id}`)).body.data;
    expect(campaign.steps[0]).toMatchObject({ winnerVariantId: 'B', winnerSelectedAt: expect.any(String) });
    const [event] = (await api.get('/v1/events?type=step.winner_selected')).body.data.filter((e: any) => e.data.campaignId === id);
    expect(event.data).toMatchObject({ stepNumber: 1, variantId: 'B', minDeliveredPerVariant: 50 });
    expect(event.data.variants).toEqual([
      { id: 'A', delivered: 50, replied: 2, replyRate: 0.04, z: expect.any(Number) },
      { id: 'B', delivered: 50, replied: 13, replyRate: 0.26, z: null },
    ]);
    expect(event.data.variants[0].z).toBeGreaterThan(1.645);
    // Leads not yet at the step all get the winner.
    for (const e of unsent) {
      const plan = (await api.get(`/v1/campaigns/${id}/leads/${e.leadId}/schedule`)).body.data;
      expect(plan.steps[0].variantId).toBe('B');
    }
    // Adding a contender sets the winner aside for a new test.
    await api.post(`/v1/campaigns/${id}/steps/1/variants`, { subject: 'Third', bodyHtml: '<p>c</p>' });
    expect((await api.get(`/v1/campaigns/${id}`)).body.data.steps[0].winnerVariantId).toBeNull();
  });

  it('chooses nothing when the difference is noise, or when the campaign does not ask for it', async () => {
    const noise = await seeded({ A: 5, B: 7 });
    expect((await noise.api.get(`/v1/campaigns/${noise.id}`)).body.data.steps[0].winnerVariantId).toBeNull();
    const off = await seeded({ A: 2, B: 13 }, null);
    expect((await off.api.get(`/v1/campaigns/${off.id}`)).body.data.steps[0].winnerVariantId).toBeNull();
    const events = (await off.api.get('/v1/events?type=step.winner_selected')).body.data.filter((e: any) => [noise.id, off.id].includes(e.data.campaignId));
    expect(events).toEqual([]);
  });

  it('takes the setting through PATCH with its default, and refuses a bad one', async () => {
    const { api } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'ab', sequenceSteps: [{ delayDays: 0, variants: VARIANTS }] })).body.data.id;
    expect((await api.get(`/v1/campaigns/${id}`)).body.data.settings.autoOptimize).toBeNull();
    expect((await api.patch(`/v1/campaigns/${id}`, { settings: { autoOptimize: {} } })).body.data.settings.autoOptimize).toEqual({ minDeliveredPerVariant: 100 });
    expect((await api.patch(`/v1/campaigns/${id}`, { settings: { autoOptimize: { minDeliveredPerVariant: 0 } } })).status).toBe(422);
  });
});
