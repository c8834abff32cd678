/**
 * Takes the README's console screenshots (docs/console-*.png) from a running stack, the way a new
 * user sees it after `npm start` and the README's walkthrough:
 *
 *   npm run console:screenshots [-- http://127.0.0.1:3000]
 *
 * The key is SEQUENT_API_KEY or the dev key `npm start` keeps in .data/dev-api-key; the newest
 * campaign is shown.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from './lib/chromium.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const apiKey = process.env.SEQUENT_API_KEY ?? readFileSync(path.join(ROOT, '.data/dev-api-key'), 'utf8').trim();

const found = findChromium(process.env, (line) => console.log(`[screenshots] ${line}`));
if ('error' in found) throw new Error(found.error);
const browser = await chromium.launch({ executablePath: found.path, args: CHROMIUM_ARGS, headless: true });

async function shoot(page: Page, name: string) {
  const file = path.join(ROOT, 'docs', `console-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`[screenshots] ${path.relative(ROOT, file)}`);
}

try {
  for (const [name, viewport] of [['', { width: 1280, height: 900 }], ['-phone', { width: 390, height: 844 }]] as const) {
    const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
    await page.goto(base);
    await page.getByLabel('API key').fill(apiKey);
    await page.getByLabel('API key').press('Enter');
    const first = page.locator('[data-testid="campaigns"] tbody tr').first();
    await first.locator('td.num').first().filter({ hasNotText: '…' }).waitFor();
    if (!name) await shoot(page, 'campaigns');
    await first.getByRole('link').click();
    await page.locator('[data-testid="leads"] tbody tr').first().waitFor();
    await page.locator('.uplot canvas').first().waitFor();
    await shoot(page, `campaign${name}`);
    await page.close();
  }
} finally {
  await browser.close();
}
