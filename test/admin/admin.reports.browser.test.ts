import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../support/auth.js';
import { launchBrowser, screenshot, startStore, watchPageProblems, type RunningStore } from '../support/browser.js';
import { makeProduct } from '../support/factories.js';
import { donation, paidSale } from './sales-fixtures.js';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const DAY = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY) * DAY;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** The dashboard's chart and the exports form in Chromium, at a desktop and a phone width. */
describe('sales report in a real browser', () => {
  let idp: TestIdp;
  let store: RunningStore;
  let browser: Browser;

  beforeAll(async () => {
    [idp, browser] = await Promise.all([startTestIdp(), launchBrowser()]);
    store = await startStore({
      env: idp.env,
      catalog: async ({ catalog, db }) => {
        const fonts = await makeProduct(catalog, { sku: 'FONT-PACK', name: 'Cobalt Mono font family', price: 2900 });
        const icons = await makeProduct(catalog, { sku: 'ICONS', name: 'Line icons', price: 900 });
        // A month of sales, some days without any, a refund and a few donations.
        for (let ago = 0; ago < 30; ago++) {
          if (ago % 4 === 3) continue;
          await paidSale(db, {
            email: `buyer${ago}@example.com`,
            paidAt: TODAY - ago * DAY + 10 * 3_600_000,
            tax: 500,
            lines: [
              { product: fonts, name: 'Cobalt Mono font family', unitPrice: 2900, quantity: 1 + (ago % 3), refunded: ago === 5 ? 1 : 0 },
              { product: icons, name: 'Line icons', unitPrice: 900, quantity: 1 },
            ],
          });
          if (ago % 5 === 0) await donation(db, { amount: 1500 + ago * 100, status: 'paid', paidAt: TODAY - ago * DAY + 12 * 3_600_000 });
        }
        await paidSale(db, {
          email: 'us@example.com',
          currency: 'USD',
          paidAt: TODAY - 2 * DAY,
          lines: [{ product: icons, name: 'Line icons', unitPrice: 1200, quantity: 2 }],
        });
      },
    });
    idp.idp.setStoreUrl(store.url);
  });
  afterAll(async () => {
    await browser?.close();
    await store?.close();
    await idp?.close();
  });

  async function check(page: Page, name: string) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      expect(scrollWidth, `${name} at ${width} px`).toBeLessThanOrEqual(innerWidth);
      await page.addScriptTag({ path: axePath });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
        return (await axe.run()).violations;
      });
      const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious.map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`)).toEqual([]);
      await screenshot(page, `screenshots/${name}-${width}`);
    }
  }

  it('shows the chart readable at 1280 and 390 px, switches periods without script, and offers the exports', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true, javaScriptEnabled: true });
    const page = await context.newPage();
    const problems = watchPageProblems(page);
    await page.goto(`${store.url}/login?returnTo=/admin`);
    await page.fill('#email', 'owner@example.com');
    await page.fill('#password', 'owner1234');
    await Promise.all([page.waitForURL(`${store.url}/admin`), page.click('button[type=submit]')]);
    await expect(page.locator('.sales-report h2').textContent()).resolves.toBe('Sales in the last 30 days');
    await expect(page.locator('svg.revenue-chart').count()).resolves.toBe(2);
    await check(page, 'admin-sales-30');

    // At 390 px the chart fits the screen and its day labels stay legible (at least 9 px high).
    const chart = page.locator('.currency-sales[data-currency="EUR"] svg.revenue-chart');
    const box = (await chart.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    const label = (await chart.locator('text.x-label').first().boundingBox())!;
    expect(label.height).toBeGreaterThanOrEqual(9);
    await chart.screenshot({ path: 'test-results/screenshots/admin-sales-chart-390.png' });

    await page.setViewportSize({ width: 1280, height: 900 });
    await Promise.all([page.waitForURL(`${store.url}/admin?days=7`), page.click('.period-switch a[href="/admin?days=7"]')]);
    await expect(page.locator('.currency-sales[data-currency="EUR"] .sales-days tbody tr').count()).resolves.toBe(7);
    await page.click('.currency-sales[data-currency="EUR"] .chart-numbers summary');
    await check(page, 'admin-sales-7');
    await page.locator('.sales-report').screenshot({ path: 'test-results/screenshots/admin-sales-report-7-390.png' });

    await Promise.all([page.waitForURL(`${store.url}/admin/exports`), page.click('nav.admin-nav a[href="/admin/exports"]')]);
    await page.fill('#export-from', '2001-01-02');
    await page.fill('#export-to', '2001-01-01');
    await Promise.all([page.waitForURL(/\/admin\/exports\?/), page.click('form.admin-exports button[type=submit]')]);
    await expect(page.locator('#export-to-error').textContent()).resolves.toBe('The last day must not be before the first day.');
    await check(page, 'admin-exports');
    await page.fill('#export-to', new Date(TODAY).toISOString().slice(0, 10));
    await page.check('#export-kind-sales');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('form.admin-exports button[type=submit]')]);
    expect(download.suggestedFilename()).toMatch(/^sales-lines-2001-01-02-to-\d{4}-\d{2}-\d{2}\.csv$/);
    // The form shown again with its errors is a 400 on purpose; Chromium logs that status.
    expect(problems.filter((p) => !p.includes('status of 400'))).toEqual([]);
    await context.close();
  });
});
