import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { isValidEmail, normalizeEmail } from '../../src/domain/email.js';
import { apiClient, newWorkspace, testConfig, testDeps } from '../helpers/deps.js';

/**
 * IDN and plus-addressed emails (docs/decisions.md, "One spelling per mailbox"): both are accepted;
 * every spelling of an IDN domain (Unicode, upper case, decomposed, Punycode) is one lead and one
 * suppression; `jane+tag@` stays its own address.
 */
describe('email addresses: IDN and plus-addressing', () => {
  const deps = { ...testDeps(), config: testConfig({ API_RATE_LIMIT: '0' }) };
  const app = createApp(deps);

  async function setup() {
    const ws = await newWorkspace(deps.db, 'emails');
    const api = apiClient(app, ws.apiKey);
    const campaign = async () => (await api.post('/v1/campaigns', { name: 'emails', sequenceSteps: [{ delayDays: 0, subject: 'Hi {{email}}', bodyHtml: '<p>x</p>' }] })).body.data.id as string;
    return { ...ws, api, campaign };
  }

  const SPELLINGS = ['user@bücher.de', 'USER@BÜCHER.DE', ' User@xn--bcher-kva.de ', 'user@XN--BCHER-KVA.DE', 'user@bu\u0308cher.de', 'user@ｂücher.de'];

  it('accepts an IDN domain in every spelling as one lead, stored in Unicode NFC', async () => {
    const { api, campaign, workspaceId } = await setup();
    const c = await campaign();
    const res = await api.post(`/v1/campaigns/${c}/leads/bulk`, { leads: SPELLINGS.map((email, i) => ({ email, firstName: `v${i}` })) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // Every later spelling is the same lead: merged into the first row, and said so.
    const merged = SPELLINGS.slice(1).map((_, i) => ({ index: i + 1, email: 'user@bücher.de', outcome: 'merged_duplicate', mergedInto: 0 }));
    expect(res.body.data).toEqual({ enrolled: 1, updated: 0, skipped: 0, total: 1, rows: merged });
    const leads = await deps.db.lead.findMany({ where: { workspaceId } });
    expect(leads.map((l) => [l.email, l.firstName])).toEqual([['user@bücher.de', `v${SPELLINGS.length - 1}`]]);
    // Any spelling finds it again.
    for (const spelling of SPELLINGS) {
      const preview = await api.get(`/v1/campaigns/${c}/preview?email=${encodeURIComponent(spelling)}`);
      expect([spelling, preview.status, preview.body.data?.email]).toEqual([spelling, 200, 'user@bücher.de']);
    }
  });

  it('lets no spelling of a suppressed IDN address through, and removes the suppression by any spelling', async () => {
    const { api, campaign } = await setup();
    const suppressed = await api.post('/v1/suppression-list', { emails: ['user@xn--bcher-kva.de', 'USER@bücher.de'] });
    expect(suppressed.body.data).toEqual({ suppressed: 1, alreadySuppressed: 0, total: 1 });
    expect((await api.get('/v1/suppression-list')).body.data.map((s: { email: string }) => s.email)).toEqual(['user@bücher.de']);
    const c = await campaign();
    for (const email of SPELLINGS) {
      const res = await api.post(`/v1/campaigns/${c}/leads/bulk`, { leads: [{ email }] });
      expect([email, res.body.data]).toEqual([email, { enrolled: 0, updated: 0, skipped: 1, total: 0 }]);
    }
    const removed = await api.delete(`/v1/suppression-list/${encodeURIComponent('User@XN--BCHER-KVA.DE')}`);
    expect(removed.status).toBe(200);
    expect(removed.body.data).toEqual({ email: 'user@bücher.de', deleted: true });
  });

  it('keeps plus-addresses as their own leads, lowercased and trimmed', async () => {
    const { api, campaign, workspaceId } = await setup();
    const c = await campaign();
    const res = await api.post(`/v1/campaigns/${c}/leads/bulk`, {
      leads: [{ email: 'jane+tag@acme.com' }, { email: ' Jane+Tag@ACME.com ' }, { email: 'jane@acme.com' }, { email: 'jane+other+x@acme.com' }],
    });
    expect(res.body.data).toEqual({ enrolled: 3, updated: 0, skipped: 0, total: 3, rows: [{ index: 1, email: 'jane+tag@acme.com', outcome: 'merged_duplicate', mergedInto: 0 }] });
    const emails = (await deps.db.lead.findMany({ where: { workspaceId }, orderBy: { email: 'asc' } })).map((l) => l.email);
    expect(emails).toEqual(['jane+other+x@acme.com', 'jane+tag@acme.com', 'jane@acme.com']);
    // Suppressing the base address does not suppress the tagged one (they are different mailboxes to us).
    await api.post('/v1/suppression-list', { emails: ['jane@acme.com'] });
    const again = await api.post(`/v1/campaigns/${await campaign()}/leads/bulk`, { leads: [{ email: 'jane+tag@acme.com' }, { email: 'jane@acme.com' }] });
    expect(again.body.data).toEqual({ enrolled: 0, updated: 1, skipped: 1, total: 1 });
    const delPlus = await api.delete(`/v1/suppression-list/${encodeURIComponent('jane+tag@acme.com')}`);
    expect(delPlus.status).toBe(404);
  });

  it('refuses what is not an address, with 422 naming the index, and writes nothing', async () => {
    const { api, campaign, workspaceId } = await setup();
    const c = await campaign();
    const bad = ['user@bücher', 'jane+tag@acme', 'user@xn--bcher-kva', '@bücher.de', 'user@@bücher.de', 'user@-bücher.de', 'us er@bücher.de', 'user@bücher.de\u0000', 'user@bü_cher.de', 'a'.repeat(65) + '@x.de'];
    for (const email of bad) {
      const res = await api.post(`/v1/campaigns/${c}/leads/bulk`, { leads: [{ email: 'fine@acme.com' }, { email }] });
      expect([email, res.status, res.body.error?.code, res.body.errors?.[0]?.index]).toEqual([email, 422, 'validation_failed', 1]);
    }
    expect(await deps.db.lead.count({ where: { workspaceId } })).toBe(0);
  });

  it('normalizes idempotently: a normalized address normalizes to itself and stays valid (property)', () => {
    const label = fc.stringMatching(/^[a-zäöüßéèçñåø0-9]([a-zäöüßéèçñåø0-9-]{0,10}[a-zäöüßéèçñåø0-9])?$/);
    const local = fc.stringMatching(/^[A-Za-z0-9ÄÖÜäöü]([A-Za-z0-9._+ÄÖÜäöü-]{0,12}[A-Za-z0-9])?$/).filter((l) => !l.includes('..'));
    fc.assert(
      fc.property(local, fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('de', 'com', 'рф', 'museum'), fc.boolean(), (l, labels, tld, upper) => {
        const raw = `${l}@${labels.join('.')}.${tld}`;
        const once = normalizeEmail(upper ? raw.toUpperCase() : raw);
        expect(normalizeEmail(once)).toBe(once);
        expect(once).toBe(once.normalize('NFC'));
        if (isValidEmail(normalizeEmail(raw))) expect(isValidEmail(once)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
