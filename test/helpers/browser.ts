import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, inject } from 'vitest';
import { CHROMIUM_ARGS } from '../../scripts/lib/chromium.js';

/** Where the browser tests leave their screenshots (CI keeps them as artifacts; docs/ holds one of each page). */
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-artifacts/console');

/** A real headless Chromium (found or installed by the global setup), closed after the file. */
export async function launchChromium(): Promise<Browser> {
  const found = inject('chromium');
  if ('error' in found) throw new Error(found.error);
  const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS, headless: true });
  afterAll(() => browser.close());
  return browser;
}

export { serveOverHttp } from './serve.js';

export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in through the form, as a person would: type the key, press Enter. */
export async function signIn(page: Page, base: string, apiKey: string) {
  await page.goto(base);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByLabel('API key').press('Enter');
}
