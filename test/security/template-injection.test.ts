import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { createApp } from '../../src/api/app.js';
import { createLogger } from '../../src/logger.js';
import type { Mailer, OutgoingMail } from '../../src/mail/mailer.js';
import { apiClient, newWorkspace, testConfig, testDeps } from '../helpers/deps.js';

/**
 * Lead data is data, never template or markup: tokens inside a lead's fields stay literal, HTML in
 * them is escaped in bodies, and CR/LF in them cannot reach a header — checked on the preview and
 * on the real send path (the sendStep activity with a capturing mailer).
 */

const SUBJECT = 'Hi {{firstName}} at {{ company }} in {{city|your city}}';
const BODY = '<p>{{firstName}}</p><p>{{ company|there }}</p><p>{{city|<b>your city</b>}}</p>';

const PIECES = [
  '{{email}}',
  '{{firstName}}',
  '{{ company | pwned }}',
  '}}',
  '{{',
  '|',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"quoted"',
  "it's",
  '&amp;',
  '\r\n',
  '\r\nBcc: victim@example.com',
  '\nX-Injected: yes\n',
  '\r',
  '\u2028',
  '\u0085',
  ' ',
  '\t',
  'Zoë',
  '😀',
];
const fieldValue = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 6, arbitrary: fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'grapheme', maxLength: 6 })), { maxLength: 6 }).map((a) => a.join('').slice(0, 1000)) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
);

// An oracle written apart from src/domain/render.ts: SPEC §2's rules, spelled out.
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const present = (v: string | null) => (v !== null && v.trim() !== '' ? v : null);
function expected(lead: { firstName: string | null; company: string | null; city: string | null }) {
  const [first, company, city] = [present(lead.firstName), present(lead.company), present(lead.city)];
  return {
    subject: `Hi ${first ?? ''} at ${company ?? ''} in ${city ?? 'your city'}`.replace(/[\r\n]+/g, ' ').trim(),
    bodyHtml: `<p>${first !== null ? escape(first) : ''}</p><p>${company !== null ? escape(company) : 'there'}</p><p>${city !== null ? escape(city) : '<b>your city</b>'}</p>`,
  };
}

const FROM = /^(?:team@sender\.example\.com|[^\p{Cc}()<>[\]:;@\\,."]+ <team@sender\.example\.com>|"(?:[^"\\\p{Cc}]|\\["\\])*" <team@sender\.example\.com>)$/u;
const noLineBreak = (value: string) => !/[\r\n]/.test(value);

describe('template injection through lead fields', () => {
  const deps = { ...testDeps(), config: testConfig({ API_RATE_LIMIT: '0' }) };
  const app = createApp(deps);
  let api: ReturnType<typeof apiClient>;
  let campaignId: string;
  let n = 0;

  beforeAll(async () => {
    const ws = await newWorkspace(deps.db, 'inject');
    api = apiClient(app, ws.apiKey);
    const created = await api.post('/v1/campaigns', { name: 'inject', sequenceSteps: [{ delayDays: 0, subject: SUBJECT, bodyHtml: BODY }] });
    expect(created.status).toBe(201);
    campaignId = created.body.data.id;
  });

  it('previews lead values literally: no token expansion, HTML escaped in bodies, no CR/LF in subjects', async () => {
    await fc.assert(
      fc.asyncProperty(fieldValue, fieldValue, fieldValue, async (firstName, company, city) => {
        const email = `inject-${n++}@acme.com`;
        const enrolled = await api.post(`/v1/campaigns/${campaignId}/leads/bulk`, { leads: [{ email, firstName, company, customFields: { city } }] });
        expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(200);
        const preview = await api.get(`/v1/campaigns/${campaignId}/preview?email=${encodeURIComponent(email)}`);
        expect(preview.status).toBe(200);
        const [rendered] = preview.body.data.steps;
        expect(rendered).toMatchObject(expected({ firstName, company, city }));
        expect(noLineBreak(rendered.subject)).toBe(true);
        expect(rendered.bodyHtml).not.toMatch(/<script|<img/i);
      }),
      { numRuns: 60 },
    );
  });

  it("strips CR/LF from the template author's own subject too", async () => {
    const created = await api.post('/v1/campaigns', {
      name: 'author',
      sequenceSteps: [{ delayDays: 0, subject: 'Hello\r\nBcc: victim@example.com\r\n\r\n{{firstName}}\n', bodyHtml: '<p>x</p>' }],
    });
    await api.post(`/v1/campaigns/${created.body.data.id}/leads/bulk`, { leads: [{ email: 'author@acme.com', firstName: 'Ada\r\nX-Evil: 1' }] });
    const preview = await api.get(`/v1/campaigns/${created.body.data.id}/preview?email=author@acme.com`);
    expect(preview.body.data.steps[0].subject).toBe('Hello Bcc: victim@example.com Ada X-Evil: 1');
  });

  it('sends what the preview shows, with no CR/LF in Subject, From or any header (the sendStep activity)', async () => {
    const ws = await newWorkspace(deps.db, 'inject-send');
    const sendApi = apiClient(app, ws.apiKey);
    const sender = await sendApi.post('/v1/sender-accounts', { email: 'team@sender.example.com', name: 'Team', dailyLimit: 100_000, minGapSeconds: 0, jitterSeconds: 0 });
    expect(sender.status).toBe(201);
    const sent: OutgoingMail[] = [];
    const mailer: Mailer = {
      name: 'capture',
      send: async (mail) => {
        sent.push(mail);
        return { providerId: `cap-${sent.length}`, delivered: true };
      },
    };
    const { sendStep } = activitiesFromConfig(deps.config, { db: deps.db, logger: createLogger('silent', 'test'), client: deps.temporal, mailer });
    const senderName = fc.array(fc.constantFrom('Team', ' ', '\r\n', 'Bcc: victim@example.com', '"', '<x@y.z>', '\n', 'Zoë'), { maxLength: 5 }).map((a) => a.join(''));

    await fc.assert(
      fc.asyncProperty(fieldValue, fieldValue, fieldValue, senderName, async (firstName, company, city, name) => {
        expect((await sendApi.patch(`/v1/sender-accounts/${sender.body.data.id}`, { name })).status).toBe(200);
        const campaign = await sendApi.post('/v1/campaigns', {
          name: 'send',
          // Step 2's empty subject continues the thread: "Re: <step 1's rendered subject>".
          sequenceSteps: [{ delayDays: 0, subject: SUBJECT, bodyHtml: BODY }, { delayDays: 0, subject: '', bodyHtml: '<p>{{firstName}}</p>' }],
        });
        const id = campaign.body.data.id as string;
        const email = `send-${n++}@acme.com`;
        expect((await sendApi.post(`/v1/campaigns/${id}/leads/bulk`, { leads: [{ email, firstName, company, city }] })).status).toBe(200);
        const preview = (await sendApi.get(`/v1/campaigns/${id}/preview?email=${encodeURIComponent(email)}`)).body.data.steps;
        expect((await sendApi.post(`/v1/campaigns/${id}/start`)).status).toBe(200);
        const enrollment = await deps.db.enrollment.findFirstOrThrow({ where: { campaignId: id } });

        const before = sent.length;
        for (const stepNumber of [1, 2]) expect(await sendStep({ enrollmentId: enrollment.id, stepNumber })).toMatchObject({ kind: 'sent' });
        const [first, second] = sent.slice(before);
        expect(first!.subject).toBe(preview[0].subject);
        expect(first!.html).toBe(preview[0].bodyHtml);
        expect(second!.subject).toBe(`Re: ${preview[0].subject}`);
        for (const mail of [first!, second!]) {
          expect(mail.to).toBe(email);
          // One mailbox: a bare address, a plain display name, or a quoted one (RFC 5322 specials).
          expect(mail.from).toMatch(FROM);
          for (const [header, value] of Object.entries({ subject: mail.subject, from: mail.from, to: mail.to, ...mail.headers })) {
            expect(noLineBreak(header) && noLineBreak(value), `${header}: ${JSON.stringify(value)}`).toBe(true);
          }
          expect(mail.html).not.toMatch(/<script|<img/i);
        }
      }),
      { numRuns: 15 },
    );
  });
});
