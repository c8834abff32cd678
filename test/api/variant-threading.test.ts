import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/deps.js';
import { uniq } from '../helpers/fixtures.js';

/**
 * A follow-up with an empty subject continues the thread of the step 1 the lead got: with an A/B
 * test on step 1, its own variant's subject, in the dry run and the preview as in the send.
 */
describe('follow-ups thread under the lead\'s own step 1 variant', () => {
  it('plans and previews "Re: <its variant\'s subject>" for every lead', async () => {
    const { api } = await testApp();
    const id = (await api.post('/v1/campaigns', { name: 'ab-thread', sequenceSteps: [{ delayDays: 0, subject: 'Subject A', bodyHtml: '<p>1</p>' }, { delayDays: 3, subject: '', bodyHtml: '<p>2</p>' }] })).body.data.id;
    await api.post(`/v1/campaigns/${id}/steps/1/variants`, { subject: 'Subject B' });
    const emails = Array.from({ length: 30 }, (_, i) => `t${i}-${uniq()}@acme.io`);
    await api.post(`/v1/campaigns/${id}/leads/bulk`, { leads: emails.map((email) => ({ email })) });
    const seen = new Set<string>();
    for (const email of emails) {
      const schedule = (await api.get(`/v1/campaigns/${id}/leads/${encodeURIComponent(email)}/schedule`)).body.data;
      const [first, second] = schedule.steps;
      seen.add(first.subject);
      expect(second.subject, email).toBe(`Re: ${first.subject}`);
      const preview = (await api.get(`/v1/campaigns/${id}/preview?email=${encodeURIComponent(email)}`)).body.data;
      expect(preview.steps.map((s: { subject: string }) => s.subject), email).toEqual([first.subject, second.subject]);
    }
    // Thirty leads split between the two variants (a fixed pick by lead, even weights): both threads are tried.
    expect([...seen].sort()).toEqual(['Subject A', 'Subject B']);
  });
});
