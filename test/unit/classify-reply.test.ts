import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyReply, stripQuoted, type ReplyClassification } from '../../src/domain/classify-reply.js';

type Sample = { lang: string; expected: ReplyClassification; from?: string; subject: string; text: string; headers?: Record<string, string> };
const corpus = JSON.parse(readFileSync('test/fixtures/replies.json', 'utf8')) as Sample[];

describe('reply classification on the corpus', () => {
  it.each(corpus.map((s, i) => [`#${i} ${s.lang} ${s.expected}: ${s.subject}`, s] as const))('%s', (_name, sample) => {
    expect(classifyReply(sample)).toBe(sample.expected);
  });

  it('covers every class in every language', () => {
    for (const lang of ['en', 'de', 'fr', 'es']) {
      const classes = new Set(corpus.filter((s) => s.lang === lang).map((s) => s.expected));
      expect([lang, [...classes].sort()]).toEqual([lang, ['bounce', 'interested', 'not_interested', 'out_of_office', 'unsubscribe']]);
    }
  });

  it('reads only the newest message, not the quoted history', () => {
    expect(stripQuoted('Yes please!\n\nOn Mon, Jan 1 Ann wrote:\n> not interested? unsubscribe here')).toBe('Yes please!');
    expect(classifyReply({ subject: 'Re: hi', text: 'Yes please!\n> Reply "unsubscribe" to stop' })).toBe('interested');
  });

  it('trusts Auto-Submitted over the words of the text', () => {
    expect(classifyReply({ subject: 'Re: hi', text: 'Thanks, interested!', headers: { 'auto-submitted': 'auto-replied' } })).toBe('out_of_office');
    expect(classifyReply({ subject: 'Re: hi', text: 'Thanks, interested!', headers: { 'Auto-Submitted': 'no' } })).toBe('interested');
  });
});
