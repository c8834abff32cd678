import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../src/domain/render.js';

const lead = { email: 'ada@acme.com', firstName: 'Ada', company: 'Acme', jobTitle: null, customFields: { city: 'Berlin', seats: 12 } };

describe('renderTemplate', () => {
  it('resolves standard and custom fields, with spaces inside the braces', () => {
    expect(renderTemplate('Hi {{firstName}} from {{ company }} in {{city}} ({{seats}})', lead, 'subject').text).toBe(
      'Hi Ada from Acme in Berlin (12)',
    );
  });

  it('renders a missing field as an empty string and reports it', () => {
    const r = renderTemplate('Hi {{lastName}}, {{jobTitle}} at {{company}}', lead, 'subject');
    expect(r.text).toBe('Hi ,  at Acme');
    expect(r.emptyTokens.sort()).toEqual(['jobTitle', 'lastName']);
  });

  it('uses the text after | when the field is missing or empty', () => {
    expect(renderTemplate('Hi {{lastName|there}}', lead, 'subject')).toEqual({ text: 'Hi there', emptyTokens: [] });
    expect(renderTemplate('Hi {{firstName|there}}', lead, 'subject').text).toBe('Hi Ada');
    expect(renderTemplate('Hi {{firstName|there}}', { ...lead, firstName: '  ' }, 'subject').text).toBe('Hi there');
  });

  it('escapes lead values in HTML but not the template or its fallback', () => {
    const hostile = { email: 'x@y.z', firstName: '<script>alert(1)</script>', company: 'A & "B"' };
    expect(renderTemplate('<p>{{firstName}} @ {{company}} {{city|<b>there</b>}}</p>', hostile, 'html').text).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt; @ A &amp; &quot;B&quot; <b>there</b></p>',
    );
  });

  it('strips CR and LF from subjects (no header injection)', () => {
    expect(renderTemplate('Hello {{firstName}}', { email: 'x@y.z', firstName: 'Ada\r\nBcc: evil@x.com' }, 'subject').text).toBe(
      'Hello Ada Bcc: evil@x.com',
    );
  });

  it('never re-scans inserted values, so lead data cannot inject tokens', () => {
    expect(renderTemplate('{{firstName}}', { email: 'x@y.z', firstName: '{{email}}' }, 'subject').text).toBe('{{email}}');
  });
});

describe('rendered subjects', () => {
  it('are cut at 998 characters, whole code points only, however long the lead fields', () => {
    const long = renderTemplate('Re: {{company}} {{jobTitle}}', { ...lead, company: 'A'.repeat(600), jobTitle: '😀'.repeat(600) }, 'subject').text;
    expect(long.length).toBeLessThanOrEqual(998);
    expect(long.startsWith(`Re: ${'A'.repeat(600)} 😀`)).toBe(true);
    expect(/[\uD800-\uDBFF]$/.test(long)).toBe(false);
    expect(renderTemplate('Short {{company}}', lead, 'subject').text).toBe('Short Acme');
  });
});
