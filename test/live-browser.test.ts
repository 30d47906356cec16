import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServedLab, type RunningLab } from './live-helper.ts';

/**
 * The dashboard in a real browser: Debian's chromium (scripts/install-chromium.sh) driven by
 * playwright-core, at the projector size the dashboard is made for. Screenshots go to
 * out/screenshots/ (git-ignored).
 */
const SHOTS = join('out', 'screenshots');
// No background traffic of the browser's own: these machines reach nothing but loopback.
const QUIET = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  '--disable-default-apps', '--disable-domain-reliability', '--disable-client-side-phishing-detection', '--disable-features=Translate,OptimizationHints,MediaRouter',
];

let lab: RunningLab;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/**
 * The detail panel is read through page.evaluate: while its DOM was broken, playwright's locator
 * calls there never returned (not even at their own timeout); these fail with what they saw.
 */
const text = (selector: string) => page.evaluate((s) => document.querySelector(s)?.textContent ?? '', selector);
const count = (selector: string) => page.evaluate((s) => document.querySelectorAll(s).length, selector);
const visible = (selector: string) =>
  page.evaluate((s) => {
    const node = document.querySelector(s);
    return node !== null && getComputedStyle(node).display !== 'none';
  }, selector);

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  lab = await startServedLab({ batchMs: 200 });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: QUIET });
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // The dashboard reports failed API calls with alert(): in a test, each is an error.
  page.on('dialog', (dialog) => {
    pageErrors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(lab.server.dashboard);
  await page.waitForFunction(() => document.querySelector('#conn')?.textContent === 'live');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
});

describe('dashboard in chromium', () => {
  it('shows the farm as Monitoring and Management does', async () => {
    await expect.poll(() => page.locator('#farm-table tbody tr').count()).toBe(3);
    const row = page.locator('#farm-table tr[data-server="member1"] td');
    expect(await row.nth(1).textContent()).toBe('Available');
    expect(await row.nth(2).textContent()).toBe('Healthy');
    expect(await row.nth(3).textContent()).toBe('Active');
  });

  it('switches a fault, sends a request, shows its row as 502.3 0x80072ee2 and opens its timeline and explanation', async () => {
    for (const m of ['member1', 'member2', 'member3']) {
      await page.selectOption('#sw-member', m);
      await page.selectOption('#sw-preset', 'slow-page');
      await page.click('#sw-apply-preset');
    }
    await expect.poll(async () => (await lab.api.farm()).members.map((m: { script: unknown[] }) => m.script.length)).toEqual([1, 1, 1]);
    await page.fill('#send-path', '/time/');
    await page.click('#send-btn');
    const row = page.locator('#requests tbody tr', { hasText: '/time/' }).first();
    await expect.poll(() => row.locator('.status').textContent(), { timeout: 15_000 }).toBe('502.3');
    expect(await row.locator('.code').textContent()).toBe('0x80072ee2');
    await page.screenshot({ path: join(SHOTS, 'farm-and-requests.png') });

    await row.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => text('#explanation .row-id'), { timeout: 10_000 }).toContain('receive-timeout');
    expect(await visible('#detail')).toBe(true);
    expect(await text('#timeline')).toContain('timer: receive timeout (WinHttpReceiveResponse) = 30 s fired');
    expect(await count('#timeline svg rect.span-failed')).toBe(1);
    expect(await text('#explanation .fix')).toContain('Time-out');
    expect(await text('#artifacts .logline')).toMatch(/ 502 3 12002 /);
    expect(await text('#artifacts')).toContain('ARR_SERVER_ROUTED');
    await page.screenshot({ path: join(SHOTS, 'request-timeline.png') });
    await page.keyboard.press('Escape');
    expect(await visible('#detail')).toBe(false);
  });

  it('changes the farm time-out live from the dashboard, and the same request then gets 200', async () => {
    await page.fill('#timeout-s', '60');
    await page.click('#timeout-apply');
    await expect.poll(async () => (await lab.api.farm()).settings.protocol.timeout).toBe(60_000);
    await page.fill('#send-path', '/time/?after-fix');
    await page.click('#send-btn');
    const row = page.locator('#requests tbody tr', { hasText: '/time/?after-fix' }).first();
    await expect.poll(() => row.locator('.status').textContent(), { timeout: 15_000 }).toBe('200');
  });

  it('draws the live charts with uPlot', async () => {
    expect(await page.locator('#chart-outcomes .uplot canvas').count()).toBe(1);
    expect(await page.locator('#chart-latency .u-title').textContent()).toContain('percentiles');
  });

  it('runs an exercise: a wrong fix is refused after the replay, the right one accepted, the trainer sees both', async () => {
    await page.click('#tab-exercises');
    expect(await visible('#view-lab')).toBe(false);
    expect(await visible('#view-exercises')).toBe(true);
    await page.selectOption('#ex-select', 'connect-timeout');
    await page.fill('#ex-learner', 'ada');
    await page.selectOption('#ex-cause', 'host-down');
    await page.selectOption('#ex-fix', 'raise-timeout');
    await page.fill('#ex-value', '120');
    await page.click('#ex-answer button[type=submit]');
    await expect.poll(() => page.locator('#ex-verdict').textContent(), { timeout: 20_000 }).toContain('✘');
    expect(await page.locator('#ex-verdict').textContent()).toContain('502.3 0x80072ee2');
    await page.selectOption('#ex-fix', 'bring-online');
    await page.click('#ex-answer button[type=submit]');
    await expect.poll(() => page.locator('#ex-verdict').textContent(), { timeout: 20_000 }).toContain('✔');
    await page.screenshot({ path: join(SHOTS, 'exercise.png') });
    await page.click('#tab-trainer');
    await expect.poll(() => page.locator('#trainer').textContent()).toContain('ada: solved (2 tries, 0 hints)');
  });
});
