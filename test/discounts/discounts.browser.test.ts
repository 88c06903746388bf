import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService } from '../../src/discounts/discounts.service.js';
import { inspectPage } from '../support/axe.js';
import { logIn, watchPageProblems, type RunningStore } from '../support/browser.js';
import { startBrowsingStore, type BrowsingStore } from '../support/shop.js';
import { makeProduct } from '../support/factories.js';
import { EMPTY_DISCOUNT_FORM } from '../../src/discounts/discount.input.js';

/** A discount code in Chromium: entered on /cart (a plain form post), then /admin/discounts; axe clean at 1280 and 390 px. */
describe('discount codes in a real browser', () => {
  let shop: BrowsingStore;
  let store: RunningStore;
  let page: Page;
  let problems: string[];
  let sku = '';

  beforeAll(async () => {
    shop = await startBrowsingStore({
      catalog: async ({ catalog, db }) => {
        sku = (await makeProduct(catalog, { name: 'Pixel Pack Pro', price: 4900 })).sku;
        const discounts = createDiscountsService({ db, catalog });
        await discounts.create({ ...EMPTY_DISCOUNT_FORM, code: 'WELCOME-15', kind: 'percent', percent: '15', maxUses: '10' });
        await discounts.create({
          ...EMPTY_DISCOUNT_FORM,
          code: 'BIG-SPENDER',
          kind: 'fixed',
          amounts: 'EUR 10.00',
          minSubtotal: 'EUR 100.00',
        });
      },
    });
    ({ store, page, problems } = shop);
  });
  afterAll(() => shop?.close());

  it('applies, refuses and removes a code on /cart, and lists codes for the owner', { timeout: 120_000 }, async () => {
    const faults: string[] = [];
    await page.goto(`${store.url}/${sku}`);
    // public/cart.js adds without leaving the page; the code form then posts as without script.
    await Promise.all([page.waitForResponse(/\/api\/cart\/add/), page.click('form.add-to-cart button[type=submit]')]);
    await page.goto(`${store.url}/cart`);

    await page.fill('#discount-code', 'big-spender');
    await Promise.all([page.waitForURL(/error=discount_minimum/), page.click('form.cart-discount-form button[type=submit]')]);
    await expect(page.locator('#cart-status').textContent()).resolves.toContain('add €51.00 more');
    faults.push(...(await inspectPage(page, 'cart-discount-refused')));

    await page.fill('#discount-code', 'welcome-15');
    await Promise.all([page.waitForURL(/notice=discount_applied/), page.click('form.cart-discount-form button[type=submit]')]);
    await expect(page.locator('#cart-discount').textContent()).resolves.toBe('−€7.35');
    await expect(page.locator('#cart-total').textContent()).resolves.toBe('€41.65');
    faults.push(...(await inspectPage(page, 'cart-discount-applied')));
    await Promise.all([page.waitForURL(/notice=discount_removed/), page.click('form.cart-discount-remove button[type=submit]')]);
    await expect(page.locator('#cart-total').textContent()).resolves.toBe('€49.00');

    await logIn(page, store.url, 'owner@example.com', 'owner1234', '/admin/discounts');
    await expect(page.locator('tr[data-code="WELCOME-15"] [data-role="uses"]').textContent()).resolves.toBe('0 / 10');
    faults.push(...(await inspectPage(page, 'admin-discounts')));
    await page.fill('#discount-code', 'x');
    await page.click('form.admin-discount-form button[type=submit]');
    await expect(page.locator('#discount-code-error').textContent()).resolves.toContain('3 to 60');
    faults.push(...(await inspectPage(page, 'admin-discounts-errors')));
    problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('status of 400')));

    expect(faults).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('applies and refuses a code with JavaScript turned off', { timeout: 60_000 }, async () => {
    const context = await shop.browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    try {
      const noScript = await context.newPage();
      const seen = watchPageProblems(noScript);
      await noScript.goto(`${store.url}/${sku}`);
      await Promise.all([noScript.waitForURL(/\/cart\?notice=added/), noScript.click('form.add-to-cart button[type=submit]')]);
      await noScript.fill('#discount-code', 'nope-nope');
      await Promise.all([noScript.waitForURL(/error=discount_unknown/), noScript.click('form.cart-discount-form button[type=submit]')]);
      await expect(noScript.locator('#cart-status').textContent()).resolves.toContain('That discount code is not valid.');
      await noScript.fill('#discount-code', 'welcome-15');
      await Promise.all([noScript.waitForURL(/notice=discount_applied/), noScript.click('form.cart-discount-form button[type=submit]')]);
      await expect(noScript.locator('[data-role=line-discount]').textContent()).resolves.toContain('−€7.35 · now €41.65');
      await expect(noScript.locator('#cart-total').textContent()).resolves.toBe('€41.65');
      expect(seen).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
