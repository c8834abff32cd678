import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../../scripts/lib/chromium.js';

const fakeBinary = (file: string) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
};
const quiet = () => undefined;

describe('findChromium: where the browser tests get a Chromium on a fresh machine', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chromium-'));
  const system = fakeBinary(path.join(dir, 'usr-bin', 'chromium'));
  const cache = path.join(dir, 'ms-playwright');
  fakeBinary(path.join(cache, 'chromium-1100', 'chrome-linux', 'chrome'));
  const newest = fakeBinary(path.join(cache, 'chromium-1200', 'chrome-linux', 'chrome'));

  it('takes CHROMIUM_PATH first, and says so when it points nowhere instead of looking elsewhere', () => {
    const given = fakeBinary(path.join(dir, 'my-chrome'));
    expect(findChromium({ CHROMIUM_PATH: given }, quiet, { systemPaths: [system] })).toEqual({ path: given, from: 'CHROMIUM_PATH' });
    expect(findChromium({ CHROMIUM_PATH: path.join(dir, 'missing') }, quiet, { systemPaths: [system] })).toEqual({ error: expect.stringContaining('CHROMIUM_PATH is set to') });
  });

  it("prefers a system Chromium to Playwright's cache, and takes the cache's newest otherwise", () => {
    expect(findChromium({ PLAYWRIGHT_BROWSERS_PATH: cache }, quiet, { systemPaths: [system] })).toEqual({ path: system, from: 'the system' });
    expect(findChromium({ PLAYWRIGHT_BROWSERS_PATH: cache }, quiet, { systemPaths: [path.join(dir, 'none')] })).toEqual({ path: newest, from: "Playwright's cache" });
  });

  it('says what to do when there is none and it may not install one', () => {
    const found = findChromium({ PLAYWRIGHT_BROWSERS_PATH: path.join(dir, 'empty') }, quiet, { systemPaths: [], install: false });
    expect(found).toEqual({ error: expect.stringMatching(/Set CHROMIUM_PATH.*apt-get install chromium/) });
  });
});
