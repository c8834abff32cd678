import type { Browser, Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, serveOverHttp, signIn } from '../helpers/browser.js';
import { everyWorkflowPaused } from '../helpers/barriers.js';
import { FOLLOW_UP_LATER, startEdgeStack } from '../helpers/edge-stack.js';
import { eventually } from '../helpers/worker.js';

type Stack = Awaited<ReturnType<typeof startEdgeStack>>;
type Campaign = Awaited<ReturnType<Stack['campaign']>>;

const LEADS = 10;
const A_B_THEN_FOLLOW_UP = [
  {
    delayDays: 0,
    variants: [
      { id: 'A', subject: 'Quick question, {{firstName}}', bodyHtml: '<p>A</p>' },
      { id: 'B', subject: 'An idea for you, {{firstName}}', bodyHtml: '<p>B</p>' },
    ],
  },
  { delayDays: 0, subject: 'Following up', bodyHtml: '<p>2</p>' },
];

/** In the page: text elements whose colour against their background is below 4.5:1, with the ratio. */
const CONTRAST_CHECK = `(() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (el) => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c.length === 3 || c[3] > 0) return c; } return [255, 255, 255]; };
  const texts = [...document.querySelectorAll('body *')].filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
  return texts.flatMap((el) => {
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return ratio < 4.5 ? [el.tagName + '.' + el.className + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2)] : [];
  });
})()`;

/** Presses Tab until the named button has the focus: proof that the keyboard reaches it. */
async function tabTo(page: Page, name: string) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate<string>("document.activeElement?.textContent ?? ''")).trim() === name) return;
  }
  throw new Error(`the keyboard never reached "${name}"`);
}

const tile = (page: Page, label: string) => page.locator('.tile', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');
const tileNumber = async (page: Page, label: string) => Number((await tile(page, label).textContent())!.replaceAll(',', ''));
const leadRow = (page: Page, email: string) => page.locator(`[data-testid="leads"] tr[data-email="${email}"]`);

describe('the console, in a real headless Chromium against the real stack', () => {
  let stack: Stack;
  let base: string;
  let browser: Browser;
  let main: Campaign;
  let page: Page;
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // One send a second: a pause lands with most of the campaign's 20 sends still to go.
    stack = await startEdgeStack({ sendRatePerSecond: 1 });
    base = await serveOverHttp(stack.app);
    browser = await launchChromium();
    main = await stack.campaign(A_B_THEN_FOLLOW_UP, LEADS);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (req) => requested.push(req.url()));
    page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
  });
  afterEach(() => {
    // A 401 for the wrong key is the browser logging the refused fetch; anything else is a bug.
    expect(consoleErrors.splice(0).filter((e) => !e.includes('401'))).toEqual([]);
  });

  const accepted = () => main.emails.reduce((n, email) => n + stack.acceptedFor(main.enrollmentOf(email).id).length, 0);

  it('refuses a wrong key and keeps nothing of it', async () => {
    await signIn(page, base, 'sk_live_this_key_does_not_exist_0000000000');
    await page.getByRole('alert').filter({ hasText: 'That API key was refused' }).waitFor();
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    expect(await page.getByRole('heading', { name: 'Campaigns' }).count()).toBe(0);
    await screenshot(page, 'sign-in-refused');
  });

  it('signs in with the key, lists the campaign, and charts its sends as they happen', async () => {
    await signIn(page, base, main.apiKey);
    const row = page.locator(`[data-testid="campaigns"] tr[data-campaign="${main.id}"]`);
    await row.waitFor();
    expect(await row.locator('.badge').first().textContent()).toBe('running');
    // The key lives in this tab's session storage, and nowhere the server could read it back.
    expect(await page.evaluate<string | null>("sessionStorage.getItem('sequent.apiKey')")).toBe(main.apiKey);
    expect((await page.context().cookies()).length).toBe(0);
    await screenshot(page, 'campaigns');

    await row.getByRole('link').click();
    await page.getByRole('heading', { name: 'edge' }).waitFor();
    // The page refreshes by itself: the Sent tile climbs while the worker sends.
    await eventually(async () => (await tileNumber(page, 'Sent')) >= 3, 30_000, 'three sends shown');
    expect(await page.locator('.uplot canvas').count()).toBeGreaterThan(0);
  });

  it('pauses the campaign from the keyboard, and nothing more is sent', async () => {
    await tabTo(page, 'Pause campaign');
    await page.keyboard.press('Enter');
    await page.getByTestId('announcement').filter({ hasText: 'Campaign paused' }).waitFor();
    const atPause = accepted();
    expect(atPause).toBeLessThan(LEADS * 2);
    await page.locator('.title-row .badge', { hasText: 'paused' }).waitFor();
    await page.locator('[data-code="campaign_paused"]').waitFor();
    // Once every workflow has met the pause none can send; at one send a second, more would have gone.
    await eventually(() => everyWorkflowPaused(stack.deps.temporal, main.id), 30_000, 'every workflow paused');
    expect(accepted()).toBe(atPause);
    const stats = (await main.api.get(`/v1/campaigns/${main.id}/stats`)).body.data;
    expect(stats.metrics.sent).toBe(atPause);
    // Live leads say why they wait.
    await eventually(async () => (await page.locator('[data-testid="leads"] [data-col="waitingFor"]', { hasText: 'campaign paused' }).count()) > 0, 15_000, 'a lead waiting for the campaign');

    // The chart's numbers are the API's: today's row of the daily table, the tiles, the funnel.
    await eventually(async () => (await tileNumber(page, 'Sent')) === stats.metrics.sent, 15_000, 'the Sent tile settled');
    await page.getByText('The numbers by day').click();
    const today = page.locator('[data-testid="daily-table"] tbody tr').last();
    expect(await today.locator('td').first().textContent()).toBe(String(stats.metrics.sent));
    const funnel = (await main.api.get(`/v1/campaigns/${main.id}/stats?groupBy=variant`)).body;
    for (const r of funnel.data.rows) {
      const label = `Step ${r.stepNumber}${r.variantId ? ` · variant ${r.variantId}` : ''}`;
      expect(await page.locator('[data-testid="funnel"] tr', { has: page.locator('th', { hasText: label }) }).locator('.bar-cell .num').textContent()).toBe(String(r.metrics.sent));
    }
    // Step 1's sends are told apart by variant (which ones got sent so far is the luck of the draw).
    const step1 = funnel.data.rows.filter((r: any) => r.stepNumber === 1 && r.metrics.sent > 0);
    expect(step1.length).toBeGreaterThan(0);
    expect(step1.every((r: any) => ['A', 'B'].includes(r.variantId))).toBe(true);
  });

  it('shows a reply in the inbox, classified, without a reload', async () => {
    // A lead that was mailed: its reply answers step 1.
    const leads = (await main.api.get(`/v1/campaigns/${main.id}/leads?limit=100`)).body.data as { email: string; currentStep: number }[];
    const email = leads.find((l) => l.currentStep >= 1)!.email;
    const reply = await main.api.post('/v1/replies', { email, campaignId: main.id, text: 'Sounds interesting — can we talk on Thursday?' });
    expect(reply.status).toBe(201);
    const item = page.locator(`[data-testid="replies"] li[data-email="${email}"]`);
    await item.waitFor({ timeout: 15_000 });
    expect(await item.locator('.badge').textContent()).toBe('interested');
    expect(await item.locator('.snippet').textContent()).toContain('can we talk on Thursday');
    await eventually(async () => (await tileNumber(page, 'Replied')) === 1, 15_000, 'the Replied tile');
    await leadRow(page, email).locator('.badge', { hasText: 'replied' }).waitFor();
    await screenshot(page, 'campaign');
  });

  it('pauses, resumes and stops one lead', async () => {
    const slow = await stack.campaign(FOLLOW_UP_LATER, 2, { start: true });
    const [first, second] = slow.emails as [string, string];
    const lead = (email: string) => slow.api.get(`/v1/campaigns/${slow.id}/leads/${slow.enrollmentOf(email).leadId}`).then((r) => r.body.data);
    // Both sent step 1 and wait three days for step 2.
    const waitingForStep2 = async (email: string) => {
      const l = await lead(email);
      return l.currentStep === 1 && l.waitingFor === 'delay';
    };
    await eventually(async () => (await waitingForStep2(first)) && (await waitingForStep2(second)), 30_000, 'both waiting for step 2');
    const own = await browser.newPage();
    await signIn(own, base, slow.apiKey);
    await own.goto(`${base}/#/campaigns/${slow.id}`);

    await leadRow(own, first).getByRole('button', { name: `Pause ${first}` }).click();
    await leadRow(own, first).getByRole('button', { name: `Resume ${first}` }).waitFor();
    expect(await lead(first)).toMatchObject({ status: 'paused', waitingFor: 'lead_paused' });
    await leadRow(own, first).getByRole('button', { name: `Resume ${first}` }).click();
    await leadRow(own, first).getByRole('button', { name: `Pause ${first}` }).waitFor();
    // Back where it was: waiting out step 2's three days (the workflow re-plans it a moment after).
    await eventually(async () => (await lead(first)).waitingFor === 'delay', 15_000, 'waiting for the delay again');
    expect((await lead(first)).status).toBe('active');

    // Stopping is for good: the first press only asks.
    await leadRow(own, second).getByRole('button', { name: `Stop ${second}` }).click();
    expect((await lead(second)).status).toBe('active');
    await leadRow(own, second).getByRole('button', { name: `Confirm: stop ${second}` }).click();
    await leadRow(own, second).locator('.badge', { hasText: 'stopped' }).waitFor();
    expect(await lead(second)).toMatchObject({ status: 'stopped', stopReason: 'stopped by API' });
    await own.close();
  });

  it('resumes the campaign and its sends go on', async () => {
    const before = accepted();
    await page.getByRole('button', { name: 'Resume campaign' }).click();
    await page.locator('.title-row .badge', { hasText: 'running' }).waitFor();
    await eventually(async () => accepted() > before, 15_000, 'a send after the resume');
  });

  it('fits a phone-sized screen and labels every control', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await signIn(phone, base, main.apiKey);
    await phone.goto(`${base}/#/campaigns/${main.id}`);
    await phone.locator('[data-testid="leads"] tbody tr').first().waitFor();
    // Wide tables scroll inside their panel; the page itself never scrolls sideways.
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    // Every control has a name: a label, an aria-label or its own text.
    const unlabelled = await phone.evaluate<string[]>(
      "[...document.querySelectorAll('input, select, button')].filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.textContent.trim())).map((el) => el.outerHTML)",
    );
    expect(unlabelled).toEqual([]);
    // Readable contrast: every piece of text against the background it is drawn on, at least 4.5:1 (WCAG AA).
    const lowContrast = await phone.evaluate<string[]>(CONTRAST_CHECK);
    expect(lowContrast).toEqual([]);
    await screenshot(phone, 'campaign-phone');
    await phone.close();
  });

  it('reads only the public API and its own assets: nothing from another origin', () => {
    const paths = requested.map((url) => new URL(url));
    expect(paths.filter((u) => u.origin !== base)).toEqual([]);
    expect(paths.map((u) => u.pathname).filter((p) => p !== '/' && !p.startsWith('/console/') && !p.startsWith('/v1/'))).toEqual([]);
    expect(paths.some((u) => u.pathname === `/v1/campaigns/${main.id}/stats`)).toBe(true);
  });
});
