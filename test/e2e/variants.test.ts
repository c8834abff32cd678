import { beforeAll, describe, expect, it } from 'vitest';
import { claimStep } from '../../src/delivery/claim.js';
import { assignVariant, type Variant } from '../../src/domain/variants.js';
import { startEdgeStack } from '../helpers/edge-stack.js';
import { eventually } from '../helpers/worker.js';

const A = { id: 'A', subject: 'Version A for {{firstName}}', bodyHtml: '<p>a</p>', weight: 1 };
const B = { id: 'B', subject: 'Version B for {{firstName}}', bodyHtml: '<p>b</p>', weight: 1 };
const STEPS = [
  { delayDays: 0, variants: [A, B] },
  { delayDays: 3, subject: '', bodyHtml: '<p>follow-up</p>' },
];

/** SPEC §12 variants through the API with the real worker and the Resend double. */
describe('step variants', () => {
  let stack: Awaited<ReturnType<typeof startEdgeStack>>;
  beforeAll(async () => {
    stack = await startEdgeStack({ sendRatePerSecond: 50 });
  });

  it('assigns each lead a variant fixed by lead and step, sends it, and records it on the message, the timeline and the events', async () => {
    const c = await stack.campaign(STEPS, 16);
    await eventually(async () => (await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data.metrics.sent === 16, 30_000, 'step 1 sent');
    const got: Record<string, number> = {};
    for (const email of c.emails) {
      const enrollment = c.enrollmentOf(email);
      const expected = assignVariant([A, B], null, `${enrollment.id}/1`)!;
      const message = (await stack.message(enrollment.id, 1))!;
      expect(message.variantId).toBe(expected.id);
      expect(stack.acceptedFor(enrollment.id, 1).map((m) => m.subject)).toEqual([`Version ${expected.id} for Lee`]);
      got[expected.id] = (got[expected.id] ?? 0) + 1;
      const timeline = (await c.api.get(`/v1/campaigns/${c.id}/leads/${enrollment.leadId}`)).body.data;
      expect(timeline.messages[0]).toMatchObject({ stepNumber: 1, variantId: expected.id });
    }
    expect(Object.keys(got).sort()).toEqual(['A', 'B']);
    const events = (await c.api.get('/v1/events?type=message.sent&limit=100')).body.data.filter((e: any) => e.data.campaignId === c.id);
    expect(events).toHaveLength(16);
    expect(events.every((e: any) => e.data.variantId === 'A' || e.data.variantId === 'B')).toBe(true);
    const byVariant = (await c.api.get(`/v1/campaigns/${c.id}/stats?groupBy=variant`)).body.data.rows;
    expect(byVariant.filter((r: any) => r.stepNumber === 1).map((r: any) => [r.key, r.metrics.sent])).toEqual([['1:A', got.A], ['1:B', got.B]]);
  });

  it('adds a variant to a running campaign\'s step, for the leads not yet at it', async () => {
    const c = await stack.campaign(STEPS, 6);
    await eventually(async () => (await c.api.get(`/v1/campaigns/${c.id}/stats`)).body.data.metrics.sent === 6, 30_000, 'step 1 sent');
    const version = (await c.api.get(`/v1/campaigns/${c.id}`)).body.data.version;
    const added = await c.api.post(`/v1/campaigns/${c.id}/steps/2/variants`, { subject: '', bodyHtml: '<p>another follow-up</p>', weight: 3 });
    expect(added.status).toBe(201);
    expect(added.body.data.variants.map((v: Variant) => [v.id, v.weight])).toEqual([['A', 1], ['B', 3]]);
    expect(added.headers.get('etag')).toBe(`"${version + 1}"`);
    // Step 1's variants are as they were; step 2 is planned with the variant each lead will get.
    const campaign = (await c.api.get(`/v1/campaigns/${c.id}`)).body.data;
    expect(campaign.steps[0].variants.map((v: Variant) => v.id)).toEqual(['A', 'B']);
    for (const email of c.emails) {
      const enrollment = c.enrollmentOf(email);
      const plan = (await c.api.get(`/v1/campaigns/${c.id}/leads/${enrollment.leadId}/schedule`)).body.data;
      const expected = assignVariant(added.body.data.variants, null, `${enrollment.id}/2`)!;
      expect(plan.steps).toMatchObject([{ stepNumber: 2, variantId: expected.id, bodyHtml: expected.bodyHtml }]);
    }
    // A sixth variant, a taken id, a missing step and a draft-only change are refused.
    for (const id of ['C', 'D', 'E']) expect((await c.api.post(`/v1/campaigns/${c.id}/steps/2/variants`, { id, subject: '', bodyHtml: '<p>x</p>' })).status).toBe(201);
    expect((await c.api.post(`/v1/campaigns/${c.id}/steps/2/variants`, { subject: '', bodyHtml: '<p>x</p>' })).body.error.code).toBe('too_many_variants');
    expect((await c.api.post(`/v1/campaigns/${c.id}/steps/1/variants`, { id: 'A', subject: 'x', bodyHtml: '<p>x</p>' })).body.error.code).toBe('variant_exists');
    expect((await c.api.post(`/v1/campaigns/${c.id}/steps/9/variants`, { subject: 'x', bodyHtml: '<p>x</p>' })).body.error.code).toBe('step_not_found');
    expect((await c.api.post(`/v1/campaigns/${c.id}/steps/1/variants`, { subject: ' ', bodyHtml: '<p>x</p>' })).status).toBe(422);
    expect((await c.api.patch(`/v1/campaigns/${c.id}`, { sequenceSteps: STEPS })).status).toBe(409);
  });

  it('keeps a claimed lead\'s variant when the variants change before its send', async () => {
    const c = await stack.campaign(STEPS, 1, { start: false });
    const enrollment = c.enrollmentOf(c.emails[0]!);
    await stack.deps.db.enrollment.update({ where: { id: enrollment.id }, data: { status: 'active' } });
    await stack.deps.db.campaign.update({ where: { id: c.id }, data: { status: 'running' } });
    const deps = { db: stack.deps.db, now: () => new Date(), publicUrl: 'http://127.0.0.1:3000', fallback: { id: null, email: 'x@acme.com', name: 'X' } };
    const first = await claimStep(deps, enrollment.id, 1);
    expect(first.kind).toBe('attempt');
    const assigned = (await stack.message(enrollment.id, 1))!.variantId!;
    // Only the other variant may be assigned now; the claimed lead's retry keeps what it has.
    const other = assigned === 'A' ? B : A;
    await stack.deps.db.sequenceStep.update({ where: { campaignId_stepNumber: { campaignId: c.id, stepNumber: 1 } }, data: { variants: [{ ...A, weight: other === A ? 1 : 0 }, { ...B, weight: other === B ? 1 : 0 }] } });
    const retry = await claimStep(deps, enrollment.id, 1);
    expect(retry).toEqual(first);
    expect((await stack.message(enrollment.id, 1))!.variantId).toBe(assigned);
  });

  it('refuses malformed variants with a 4xx and creates nothing', async () => {
    const c = await stack.campaign(STEPS, 1, { start: false });
    const bad = [
      [{ delayDays: 0, variants: [A] }],
      [{ delayDays: 0, subject: 'x', bodyHtml: '<p>x</p>', variants: [A, B] }],
      [{ delayDays: 0, variants: [A, { ...B, id: 'A' }] }],
      [{ delayDays: 0, variants: [{ ...A, weight: 0 }, { ...B, weight: 0 }] }],
      [{ delayDays: 0, variants: [A, { ...B, subject: '' }] }],
      [{ delayDays: 0, variants: [A, B, { ...A, id: 'C' }, { ...A, id: 'D' }, { ...A, id: 'E' }, { ...A, id: 'F' }] }],
      [{ delayDays: 0 }],
    ];
    for (const sequenceSteps of bad) {
      const res = await c.api.post('/v1/campaigns', { name: 'bad', sequenceSteps });
      expect([400, 422], JSON.stringify(sequenceSteps)).toContain(res.status);
      expect(res.body.error.code).toMatch(/invalid_request|validation_failed/);
    }
    const created = await c.api.post('/v1/campaigns', { name: 'ok', sequenceSteps: [{ delayDays: 0, variants: [{ subject: 'x', bodyHtml: '<p>x</p>' }, { subject: 'y', bodyHtml: '<p>y</p>', weight: 2 }] }] });
    const steps = (await c.api.get(`/v1/campaigns/${created.body.data.id}`)).body.data.steps;
    expect(steps[0]).toMatchObject({ subject: 'x', variants: [{ id: 'A', weight: 1 }, { id: 'B', weight: 2 }], winnerVariantId: null });
  });
});
