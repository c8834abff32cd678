import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReturnDate, resumeDay } from '../../src/domain/return-date.js';

type Case = { lang: string; receivedAt: string; expected: string | null; text: string };
const corpus = JSON.parse(readFileSync(new URL('../fixtures/out-of-office.json', import.meta.url), 'utf8')) as Case[];

describe('return dates in out-of-office replies (EN/DE/FR/ES corpus)', () => {
  it('has at least 40 realistic replies, 10 or more per language', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    for (const lang of ['en', 'de', 'fr', 'es']) expect(corpus.filter((c) => c.lang === lang).length).toBeGreaterThanOrEqual(10);
  });

  it.each(corpus.map((c, i) => [i, c.lang, c] as const))('#%i (%s) finds the return date', (_i, _lang, c) => {
    expect(parseReturnDate(c.text, new Date(c.receivedAt))).toBe(c.expected);
  });

  it('resumes on the working day after the return date, or a week after the reply without one', () => {
    expect(resumeDay('2026-03-12', new Date('2026-03-02T09:00:00Z'))).toBe('2026-03-13'); // Thursday → Friday
    expect(resumeDay('2026-03-13', new Date('2026-03-02T09:00:00Z'))).toBe('2026-03-16'); // Friday → Monday
    expect(resumeDay('2026-03-14', new Date('2026-03-02T09:00:00Z'))).toBe('2026-03-16'); // Saturday → Monday
    expect(resumeDay(null, new Date('2026-03-04T09:00:00Z'))).toBe('2026-03-11'); // Wednesday + 7
    expect(resumeDay(null, new Date('2026-03-06T09:00:00Z'))).toBe('2026-03-13'); // Friday + 7
  });
});
