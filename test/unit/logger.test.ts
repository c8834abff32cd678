import { describe, expect, it } from 'vitest';
import { createLogger, prettyFormatter } from '../../src/logger.js';

const capture = () => {
  const lines: string[] = [];
  return { lines, sink: { write: (line: string) => void lines.push(line) } };
};
const SECRET = 'sk_live_abcdefghijklmnopqrstuvwxyz0123';

describe('createLogger', () => {
  it('writes JSON lines to a destination, with secrets redacted', () => {
    const { lines, sink } = capture();
    createLogger('info', 'api', sink).info({ apiKey: SECRET, req: { headers: { authorization: `Bearer ${SECRET}` } } }, 'request done');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 30, name: 'api', msg: 'request done', apiKey: '[redacted]' });
    expect(lines[0]).not.toContain(SECRET);
  });

  it("keeps a failed activity's cause: the Temporal SDK logs it under `error`", () => {
    const { lines, sink } = capture();
    createLogger('info', 'worker', sink).warn({ activityType: 'deliverStep', error: new Error('message msg_1 may not move from sent to sending') }, 'Activity failed');
    const entry = JSON.parse(lines[0]!) as { error: { message: string; type: string; stack: string } };
    expect(entry.error).toMatchObject({ type: 'Error', message: 'message msg_1 may not move from sent to sending' });
    expect(entry.error.stack).toContain('logger.test.ts');
  });

  it('writes human-readable lines when pretty (a terminal), still redacted and still at LOG_LEVEL', () => {
    const { lines, sink } = capture();
    const logger = createLogger('warn', 'worker', sink, { pretty: true });
    logger.info('not shown below warn');
    logger.warn({ token: SECRET, campaignId: 'camp_1' }, 'provider slow');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(() => JSON.parse(line) as unknown).toThrow();
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN \(worker\): provider slow/);
    expect(line).toContain('camp_1');
    expect(line).toContain('[redacted]');
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain('\u001b['); // no colour codes into a captured destination
  });

  it('is silent at LOG_LEVEL=silent in either format', () => {
    for (const pretty of [false, true]) {
      const { lines, sink } = capture();
      createLogger('silent', 'api', sink, { pretty }).error('nothing');
      expect(lines).toEqual([]);
    }
  });
});

describe('prettyFormatter', () => {
  it("formats pino's JSON lines and passes any other line through", () => {
    const format = prettyFormatter(false);
    const json = JSON.stringify({ level: 50, time: Date.UTC(2025, 0, 1), pid: 1, hostname: 'h', name: 'api', msg: 'boom', requestId: 'req_1' });
    expect(format(json)).toMatch(/ERROR \(api\): boom .*req_1/);
    expect(format(json)).not.toMatch(/"pid"|"hostname"/);
    expect(format('plain text from a library')).toBe('plain text from a library');
    expect(format('{not json')).toContain('{not json');
  });
});
