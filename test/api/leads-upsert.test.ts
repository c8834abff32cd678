import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';

const step = { delayDays: 0, subject: 'Hi {{firstName|there}}', bodyHtml: '<p>{{company}} / {{city}}</p>' };

async function setup() {
  const ctx = await testApp();
  const campaign = (await ctx.api.post('/v1/campaigns', { name: 'upsert', sequenceSteps: [step] })).body.data.id as string;
  const bulk = (leads: unknown[]) => ctx.api.post(`/v1/campaigns/${campaign}/leads/bulk`, { leads });
  return { ...ctx, campaign, bulk };
}

describe('bulk upsert rules (SPEC §3)', () => {
  it('creates and enrolls a new email, counted in enrolled', async () => {
    const { bulk, deps, workspaceId, campaign } = await setup();
    const res = await bulk([{ email: `new-${uniq()}@example.com`, firstName: 'New' }]);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ enrolled: 1, updated: 0, skipped: 0, total: 1 });
    expect(await deps.db.enrollment.count({ where: { campaignId: campaign, workspaceId, status: 'pending' } })).toBe(1);
  });

  it('answers each lead with ?return=leads: id, email, outcome, whether this call enrolled it', async () => {
    const { api, bulk, deps, workspaceId, campaign } = await setup();
    const [fresh, enrolled, elsewhere, blocked] = ['fresh', 'enrolled', 'elsewhere', 'blocked'].map((n) => `${n}-${uniq()}@example.com`);
    await bulk([{ email: enrolled! }]);
    const other = (await api.post('/v1/campaigns', { name: 'other', sequenceSteps: [step] })).body.data.id;
    await api.post(`/v1/campaigns/${other}/leads/bulk`, { leads: [{ email: elsewhere }] });
    expect((await api.post('/v1/suppression-list', { emails: [blocked] })).status).toBe(200);

    const res = await api.post(`/v1/campaigns/${campaign}/leads/bulk?return=leads`, { leads: [fresh, enrolled, elsewhere, blocked].map((email) => ({ email })) });
    expect(res.status).toBe(200);
    const ids = Object.fromEntries((await deps.db.lead.findMany({ where: { workspaceId } })).map((l) => [l.email, l.id]));
    expect(res.body.data).toEqual({
      enrolled: 1,
      updated: 2,
      skipped: 1,
      total: 3,
      leads: [
        { email: blocked, leadId: null, outcome: 'skipped', enrolled: false, reason: 'suppressed' },
        { email: elsewhere, leadId: ids[elsewhere!], outcome: 'updated', enrolled: true },
        { email: enrolled, leadId: ids[enrolled!], outcome: 'updated', enrolled: false },
        { email: fresh, leadId: ids[fresh!], outcome: 'created', enrolled: true },
      ],
    });
    expect((await bulk([{ email: fresh }])).body.data).not.toHaveProperty('leads');
    const bad = await api.post(`/v1/campaigns/${campaign}/leads/bulk?return=everything`, { leads: [{ email: fresh }] });
    expect(bad.status).toBe(400);
  });

  it('normalizes emails: one lead per lowercased, trimmed address', async () => {
    const { bulk, deps, workspaceId } = await setup();
    const email = `Mixed.Case-${uniq()}@Example.COM`;
    await bulk([{ email: `  ${email} ` }]);
    const res = await bulk([{ email: email.toLowerCase() }]);
    expect(res.body.data).toEqual({ enrolled: 0, updated: 1, skipped: 0, total: 1 });
    expect(await deps.db.lead.count({ where: { workspaceId, email: email.toLowerCase() } })).toBe(1);
  });

  it('overwrites only the fields present on an existing lead and keeps the others', async () => {
    const { bulk, deps, workspaceId } = await setup();
    const email = `keep-${uniq()}@example.com`;
    await bulk([{ email, firstName: 'Ada', lastName: 'Lovelace', company: 'Acme', customFields: { city: 'London', tier: 1 } }]);
    const res = await bulk([{ email, company: 'Analytical Engines', city: 'Paris', jobTitle: null }]);
    expect(res.body.data).toEqual({ enrolled: 0, updated: 1, skipped: 0, total: 1 });
    const lead = await deps.db.lead.findFirstOrThrow({ where: { workspaceId, email } });
    expect(lead).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', jobTitle: null });
    expect(lead.customFields).toEqual({ city: 'Paris', tier: 1 });
  });

  it('enrolls an existing lead into a new campaign at step 1, counted in updated', async () => {
    const { bulk, api, deps, workspaceId } = await setup();
    const email = `shared-${uniq()}@example.com`;
    await bulk([{ email }]);
    const second = (await api.post('/v1/campaigns', { name: 'second', sequenceSteps: [step] })).body.data.id;
    const res = await api.post(`/v1/campaigns/${second}/leads/bulk`, { leads: [{ email }] });
    expect(res.body.data).toEqual({ enrolled: 0, updated: 1, skipped: 0, total: 1 });
    const enrollment = await deps.db.enrollment.findFirstOrThrow({ where: { campaignId: second, lead: { email, workspaceId } } });
    expect(enrollment).toMatchObject({ status: 'pending', currentStep: 0 });
  });

  it('keeps the position of a lead already in the campaign', async () => {
    const { bulk, deps, campaign, workspaceId } = await setup();
    const email = `again-${uniq()}@example.com`;
    await bulk([{ email }]);
    await deps.db.enrollment.updateMany({ where: { campaignId: campaign, lead: { email, workspaceId } }, data: { currentStep: 1, status: 'completed' } });
    const res = await bulk([{ email, firstName: 'Again' }]);
    expect(res.body.data).toEqual({ enrolled: 0, updated: 1, skipped: 0, total: 1 });
    const enrollments = await deps.db.enrollment.findMany({ where: { campaignId: campaign, lead: { email, workspaceId } } });
    expect(enrollments).toHaveLength(1);
    expect(enrollments[0]).toMatchObject({ currentStep: 1, status: 'completed' });
  });

  it('skips suppressed addresses without touching them', async () => {
    const { bulk, deps, workspaceId, campaign } = await setup();
    const email = `gone-${uniq()}@example.com`;
    await deps.db.suppression.create({ data: { workspaceId, email, reason: 'unsubscribed' } });
    const res = await bulk([{ email, firstName: 'Gone' }, { email: `ok-${uniq()}@example.com` }]);
    expect(res.body.data).toEqual({ enrolled: 1, updated: 0, skipped: 1, total: 1 });
    expect(await deps.db.lead.count({ where: { workspaceId, email } })).toBe(0);
    expect(await deps.db.enrollment.count({ where: { campaignId: campaign } })).toBe(1);
  });

  it('merges the same email twice in one request field by field, as two calls would, and reports the merged row', async () => {
    const { bulk, deps, workspaceId } = await setup();
    const email = `twice-${uniq()}@example.com`;
    const other = `other-${uniq()}@example.com`;
    const res = await bulk([
      { email, firstName: 'Ana', company: 'Acme', customFields: { city: 'Lisbon', tier: 'gold' } },
      { email: other },
      { email: email.toUpperCase(), jobTitle: 'CRO', customFields: { tier: 'platinum' } },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ enrolled: 2, updated: 0, skipped: 0, total: 2, rows: [{ index: 2, email, outcome: 'merged_duplicate', mergedInto: 0 }] });
    const lead = await deps.db.lead.findFirstOrThrow({ where: { workspaceId, email } });
    expect({ firstName: lead.firstName, company: lead.company, jobTitle: lead.jobTitle, customFields: lead.customFields }).toEqual({
      firstName: 'Ana',
      company: 'Acme',
      jobTitle: 'CRO',
      customFields: { city: 'Lisbon', tier: 'platinum' },
    });
    // A later row's explicit null still clears, as it would in a later call.
    await bulk([{ email, company: 'Kept' }, { email, company: null }]);
    expect((await deps.db.lead.findFirstOrThrow({ where: { workspaceId, email } })).company).toBeNull();
  });

  it('with onInvalid "skip" writes the valid rows and answers each invalid one by index with its errors', async () => {
    const { api, deps, workspaceId, campaign } = await setup();
    const [a, b] = [`a-${uniq()}@example.com`, `b-${uniq()}@example.com`];
    const leads = [{ email: a, firstName: 'A' }, { email: 'not-an-email' }, { email: b, nested: { no: 1 } }, { email: 42 }, { email: b, firstName: 'B' }, { email: a, lastName: 'Z' }];
    const res = await api.post(`/v1/campaigns/${campaign}/leads/bulk?return=leads`, { leads, onInvalid: 'skip' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ enrolled: 2, updated: 0, skipped: 0, total: 2 });
    expect(res.body.data.leads.map((l: { email: string }) => l.email).sort()).toEqual([a, b].sort());
    expect(res.body.data.rows.map((r: { index: number; outcome: string }) => [r.index, r.outcome])).toEqual([
      [1, 'invalid'],
      [2, 'invalid'],
      [3, 'invalid'],
      [5, 'merged_duplicate'],
    ]);
    expect(res.body.data.rows[0]).toEqual({ index: 1, email: 'not-an-email', outcome: 'invalid', errors: [{ field: 'email', message: 'must be a valid email address' }] });
    expect(res.body.data.rows[1].errors[0].field).toBe('nested');
    expect(res.body.data.rows[2]).toMatchObject({ index: 3, email: null });
    expect(res.body.data.rows[3]).toEqual({ index: 5, email: a, outcome: 'merged_duplicate', mergedInto: 0 });
    const stored = Object.fromEntries((await deps.db.lead.findMany({ where: { workspaceId } })).map((l) => [l.email, [l.firstName, l.lastName]]));
    expect(stored).toEqual({ [a]: ['A', 'Z'], [b]: ['B', null] });
  });

  it('with onInvalid "skip" still refuses what skipping cannot mend, and writes nothing when every row is invalid', async () => {
    const { api, deps, workspaceId, campaign } = await setup();
    const url = `/v1/campaigns/${campaign}/leads/bulk`;
    expect((await api.post(url, { leads: [], onInvalid: 'skip' })).status).toBe(422);
    expect((await api.post(url, { leads: [{ email: `x-${uniq()}@example.com` }], onInvalid: 'skip', extra: 1 })).status).toBe(400);
    const unknownMode = await api.post(url, { leads: [{ email: `x-${uniq()}@example.com` }], onInvalid: 'sometimes' });
    expect([unknownMode.status, unknownMode.body.errors[0].field]).toEqual([422, 'onInvalid']);
    const none = await api.post(url, { leads: [{ email: 'nope' }, { email: `nul-${uniq()}@example.com`, firstName: 'a\u0000b' }], onInvalid: 'skip' });
    expect(none.status).toBe(200);
    expect(none.body.data).toMatchObject({ enrolled: 0, updated: 0, skipped: 0, total: 0 });
    expect(none.body.data.rows.map((r: { index: number; errors: { field: string }[] }) => [r.index, r.errors[0]!.field])).toEqual([
      [0, 'email'],
      [1, 'firstName'],
    ]);
    expect(await deps.db.lead.count({ where: { workspaceId } })).toBe(0);
    const missing = await api.post('/v1/campaigns/camp_missing/leads/bulk', { leads: [{ email: 'bad' }], onInvalid: 'skip' });
    expect(missing.body.error.code).toBe('campaign_not_found');
  });

  it('stores extra top-level keys as custom fields and renders them', async () => {
    const { bulk, api, campaign } = await setup();
    const email = `custom-${uniq()}@example.com`;
    await bulk([{ email, company: 'Acme', city: 'Berlin', seats: 40, vip: true }]);
    const preview = await api.get(`/v1/campaigns/${campaign}/preview?email=${encodeURIComponent(email)}`);
    expect(preview.status).toBe(200);
    expect(preview.body.data.steps).toEqual([{ stepNumber: 1, subject: 'Hi there', bodyHtml: '<p>Acme / Berlin</p>', emptyTokens: [], variantId: null, variants: [] }]);
    const detail = await api.get(`/v1/campaigns/${campaign}/leads/${preview.body.data.leadId}`);
    expect(detail.body.data.lead.customFields).toEqual({ city: 'Berlin', seats: 40, vip: true });
  });

  it('lists tokens that would render empty in the preview', async () => {
    const { bulk, api, campaign } = await setup();
    const email = `empty-${uniq()}@example.com`;
    await bulk([{ email }]);
    const preview = await api.get(`/v1/campaigns/${campaign}/preview?email=${email}`);
    expect(preview.body.data.emptyTokens.sort()).toEqual(['city', 'company']);
    expect(preview.body.data.steps[0].bodyHtml).toBe('<p> / </p>');
    expect((await api.get(`/v1/campaigns/${campaign}/preview`)).status).toBe(400);
    expect((await api.get(`/v1/campaigns/${campaign}/preview?email=nobody@example.com`)).body.error.code).toBe('lead_not_found');
  });

  it('previews an empty follow-up subject as the thread\'s "Re:" subject, as it is sent', async () => {
    const { bulk, api } = await setup();
    const steps = [{ delayDays: 0, subject: 'Hello {{firstName|there}}', bodyHtml: '<p>1</p>' }, { delayDays: 0, subject: '', bodyHtml: '<p>2</p>' }];
    const id = (await api.post('/v1/campaigns', { name: 'thread', sequenceSteps: steps })).body.data.id;
    const email = `thread-${uniq()}@example.com`;
    await bulk([{ email }]);
    const preview = await api.get(`/v1/campaigns/${id}/preview?email=${encodeURIComponent(email)}`);
    expect(preview.body.data.steps.map((s: { subject: string }) => s.subject)).toEqual(['Hello there', 'Re: Hello there']);
  });

  it('rejects a request with any invalid lead with 422 naming each bad index, and writes nothing', async () => {
    const { bulk, deps, workspaceId } = await setup();
    const good = `good-${uniq()}@example.com`;
    const res = await bulk([{ email: good }, { email: 'not-an-email' }, { email: `x-${uniq()}@example.com`, nested: { a: 1 } }, { email: 42 }]);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.errors.map((e: any) => e.index).sort()).toEqual([1, 2, 3]);
    expect(res.body.errors.find((e: any) => e.index === 1).field).toBe('email');
    expect(await deps.db.lead.count({ where: { workspaceId } })).toBe(0);
  });

  it('rejects an empty list, more than 10,000 leads, and a body without leads', async () => {
    const { bulk, api, campaign } = await setup();
    expect((await bulk([])).status).toBe(422);
    const tooMany = Array.from({ length: 10_001 }, (_, i) => ({ email: `l${i}@example.com` }));
    const res = await bulk(tooMany);
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ field: 'leads' });
    expect((await api.post(`/v1/campaigns/${campaign}/leads/bulk`, { emails: [] })).status).toBe(400);
    expect((await api.post(`/v1/campaigns/camp_missing/leads/bulk`, { leads: [{ email: 'a@example.com' }] })).body.error.code).toBe(
      'campaign_not_found',
    );
  });

  it('takes concurrent bulk calls over the same leads in any order without an error', async () => {
    const { bulk, deps, workspaceId, campaign } = await setup();
    const tag = uniq();
    const emails = Array.from({ length: 300 }, (_, i) => `race${i}-${tag}@example.com`);
    await bulk(emails.slice(0, 150).map((email) => ({ email, firstName: 'Old' })));
    // Overlapping sets, each in another order: row locks taken in request order would deadlock.
    const shuffled = (seed: number) => [...emails].sort((a, b) => ((a.length * 31 + seed * a.charCodeAt(4)) % 97) - ((b.length * 31 + seed * b.charCodeAt(4)) % 97) || (seed % 2 ? a.localeCompare(b) : b.localeCompare(a)));
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => bulk(shuffled(i).map((email) => ({ email, firstName: `New${i}` })))));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(answers.every((a) => a.body.data.total === 300)).toBe(true);
    // Across all calls each lead was created once and enrolled once.
    expect(answers.reduce((sum, a) => sum + a.body.data.enrolled, 0)).toBe(150);
    expect(await deps.db.lead.count({ where: { workspaceId, email: { in: emails } } })).toBe(300);
    expect(await deps.db.enrollment.count({ where: { campaignId: campaign } })).toBe(300);
  });

  it('upserts 10,000 leads in one call', async () => {
    const { bulk, deps, campaign } = await setup();
    const tag = uniq();
    const leads = Array.from({ length: 10_000 }, (_, i) => ({ email: `bulk${i}-${tag}@example.com`, firstName: `F${i}`, company: 'Acme', tier: i % 3 }));
    const res = await bulk(leads);
    expect(res.body.data).toEqual({ enrolled: 10_000, updated: 0, skipped: 0, total: 10_000 });
    expect(await deps.db.enrollment.count({ where: { campaignId: campaign } })).toBe(10_000);
  }, 60_000);
});
