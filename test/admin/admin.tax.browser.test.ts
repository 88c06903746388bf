import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectPage } from '../support/axe.js';
import { logIn, type RunningStore } from '../support/browser.js';
import { startBrowsingStore, type BrowsingStore } from '../support/shop.js';

/** The tax rates page in Chromium, without script help: a bad rate is refused beside its field, a good one added and removed; axe finds nothing serious. */
describe('the tax rates page in a real browser', () => {
  let shop: BrowsingStore;
  let store: RunningStore;
  let page: Page;

  beforeAll(async () => {
    shop = await startBrowsingStore({ env: { SELLER_COUNTRY: 'DE' } });
    ({ store, page } = shop);
  });
  afterAll(() => shop?.close());

  it('adds a rate after a refused one, then removes it', { timeout: 120_000 }, async () => {
    const problems = shop.problems;
    await logIn(page, store.url, 'owner@example.com', 'owner1234', '/admin');
    await Promise.all([page.waitForURL(`${store.url}/admin/tax`), page.click('nav.admin-nav a[href="/admin/tax"]')]);
    await expect(page.locator('tr[data-country="DE"].current td[data-label="Rate"]').textContent()).resolves.toBe('19 %');
    const faults = await inspectPage(page, 'admin-tax');

    await page.fill('#tax-country', 'ch');
    await page.fill('#tax-percent', '108');
    await page.fill('#tax-from', '2024-01-01');
    await Promise.all([page.waitForLoadState('load'), page.click('.admin-tax-form button[type=submit]')]);
    await expect(page.locator('#tax-percent-error').textContent()).resolves.toContain('Give a percent from 0 to 100');
    await expect(page.locator('#tax-percent').getAttribute('aria-invalid')).resolves.toBe('true');
    faults.push(...(await inspectPage(page, 'admin-tax-refused')));
    expect(problems.splice(0)).toEqual(['console error: Failed to load resource: the server responded with a status of 400 (Bad Request)']);

    await page.fill('#tax-percent', '8.1');
    await page.fill('#tax-note', 'Swiss VAT');
    await Promise.all([page.waitForURL(`${store.url}/admin/tax?done=added`), page.click('.admin-tax-form button[type=submit]')]);
    await expect(page.locator('[role=status]').textContent()).resolves.toContain('Rate added.');
    const row = page.locator('tr[data-country="CH"]');
    await expect(row.locator('td[data-label="Rate"]').textContent()).resolves.toBe('8.1 %');
    await expect(row.locator('td[data-label="From"]').textContent()).resolves.toBe('2024-01-01');

    await Promise.all([page.waitForURL(`${store.url}/admin/tax?done=removed`), row.locator('button').click()]);
    await expect(page.locator('tr[data-country="CH"]').count()).resolves.toBe(0);
    expect(faults).toEqual([]);
    expect(problems).toEqual([]);
  });
});
