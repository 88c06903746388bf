import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProductInput } from '../../src/catalog/catalog.validation.js';
import { launchBrowser, screenshot, startStore, watchPageProblems, type RunningStore } from '../support/browser.js';

const product = (sku: string, name: string, price: number, type: ProductInput['type']): ProductInput => ({
  sku,
  name,
  summary: `${name}, for the cart tests.`,
  description: '',
  price,
  currency: 'EUR',
  type,
  status: 'active',
});

describe('cart in a real browser', () => {
  let store: RunningStore;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    [store, browser] = await Promise.all([
      startStore({
        catalog: async ({ catalog, keyPool }) => {
          await catalog.createProduct(product('CART-KEY', 'Cart key', 1900, 'key'));
          await catalog.createProduct(product('CART-FONT', 'Cart font', 250, 'file'));
          const pool = await catalog.createProduct(product('CART-POOL', 'Cart pool', 500, 'key_lim'));
          await keyPool.importKeys(pool.id, ['POOL-1', 'POOL-2', 'POOL-3']);
        },
      }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await store?.close();
  });
  afterEach(async () => {
    expect(problems, problems.join('\n')).toEqual([]);
    await context?.close();
  });

  async function openContext(options: { javaScriptEnabled?: boolean } = {}) {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    page = await context.newPage();
    problems = watchPageProblems(page);
  }

  /** Problems a test causes on purpose (Chromium logs refused and aborted requests as console errors). */
  function expectProblems(pattern: RegExp) {
    const expected = problems.filter((p) => pattern.test(p));
    expect(expected.length, problems.join('\n')).toBeGreaterThan(0);
    problems.splice(0, problems.length, ...problems.filter((p) => !pattern.test(p)));
  }

  /** Waits for the cart page's status line (cart.js writes it after updating the page). */
  const statusSays = (text: string) => page.locator('#cart-status', { hasText: text }).waitFor({ timeout: 5_000 });

  const badge = () => page.locator('.cart-link .badge').textContent({ timeout: 5_000 });

  /** Adds from the product page through cart.js and waits for its confirmation. */
  async function addFromProductPage(sku: string, quantity: number) {
    await page.goto(`${store.url}/${sku}`);
    await page.fill('.add-to-cart input[name=quantity]', String(quantity));
    await page.click('.add-to-cart button[type=submit]');
    await page.locator('.cart-message .notice').waitFor();
  }

  it('adds to the cart from the product page without leaving it, updating the badge', async () => {
    await openContext();
    await addFromProductPage('CART-KEY', 2);
    expect(page.url()).toBe(`${store.url}/CART-KEY`);
    await expect(page.locator('.cart-message').textContent()).resolves.toBe('Added to your cart. View cart');
    await expect(badge()).resolves.toBe('2');
    await addFromProductPage('CART-FONT', 1);
    await expect(badge()).resolves.toBe('3');
    await screenshot(page, 'cart-added');
  });

  it('shows a refusal in place, such as more keys than are left', async () => {
    await openContext();
    await addFromProductPage('CART-POOL', 3);
    await addFromProductPage('CART-POOL', 1);
    await expect(page.locator('.cart-message .notice.error').textContent()).resolves.toBe(
      'Only 3 of “Cart pool” are left, and your cart already holds 3.',
    );
    await expect(badge()).resolves.toBe('3');
    expectProblems(/status of 409/);
    // The cart page re-renders the line's stock warning after an in-place update.
    await page.goto(`${store.url}/cart`);
    const row = page.locator('tr[data-sku="CART-POOL"]');
    await expect(row.locator('[data-role=warning]').textContent()).resolves.toBe('Only 3 left');
    await row.locator('input[name=quantity]').fill('2');
    await row.locator('button', { hasText: 'Update' }).click();
    await statusSays('Quantity updated.');
    await expect(row.locator('[data-role=warning] p.stock.low-stock').textContent()).resolves.toBe('Only 3 left');
    await expect(badge()).resolves.toBe('2');
  });

  it('updates quantities and removes lines in place on the cart page', async () => {
    await openContext();
    await addFromProductPage('CART-KEY', 1);
    await addFromProductPage('CART-FONT', 2);
    await page.goto(`${store.url}/cart`);
    const keyRow = page.locator('tr[data-sku="CART-KEY"]');
    await keyRow.locator('input[name=quantity]').fill('3');
    await keyRow.locator('button', { hasText: 'Update' }).click();
    await statusSays('Quantity updated.');
    await expect(keyRow.locator('[data-role=line-total]').textContent()).resolves.toBe('€57.00');
    await expect(page.locator('#cart-total').textContent()).resolves.toBe('€62.00');
    await expect(badge()).resolves.toBe('5');
    expect(page.url()).toBe(`${store.url}/cart`);
    await screenshot(page, 'cart-page');

    await keyRow.locator('button', { hasText: 'Remove' }).click();
    await statusSays('Removed from your cart.');
    await expect(page.locator('tr[data-sku]').count()).resolves.toBe(1);
    await expect(page.locator('#cart-total').textContent()).resolves.toBe('€5.00');
    await page.locator('tr[data-sku="CART-FONT"] button', { hasText: 'Remove' }).click();
    await page.locator('.cart-empty').waitFor();
    await expect(page.locator('main').textContent()).resolves.toContain('Your cart is empty.');
    await expect(page.locator('.cart-link .badge').count()).resolves.toBe(0);
    // What the script showed is what the server holds.
    await page.reload();
    await expect(page.locator('main').textContent()).resolves.toContain('Your cart is empty.');
  });

  it('falls back to the ordinary form post when the API cannot be reached', async () => {
    await openContext();
    await page.route('**/api/cart/add', (route) => route.abort());
    await page.goto(`${store.url}/CART-FONT`);
    await Promise.all([page.waitForURL(`${store.url}/cart?notice=added`), page.click('.add-to-cart button[type=submit]')]);
    await statusSays('Added to your cart.');
    await expect(page.locator('tr[data-sku="CART-FONT"] input[name=quantity]').inputValue()).resolves.toBe('1');
    // The aborted API call is the point of this test, not a problem of the page.
    expectProblems(/\/api\/cart\/add|net::ERR_FAILED/);
  });

  it('works without JavaScript: add, update and remove through form posts', async () => {
    await openContext({ javaScriptEnabled: false });
    await page.goto(`${store.url}/CART-KEY`);
    await Promise.all([page.waitForURL(`${store.url}/cart?notice=added`), page.click('.add-to-cart button[type=submit]')]);
    await statusSays('Added to your cart.');
    await page.fill('tr[data-sku="CART-KEY"] input[name=quantity]', '4');
    await Promise.all([
      page.waitForURL(`${store.url}/cart?notice=updated`),
      page.click('tr[data-sku="CART-KEY"] button:has-text("Update")'),
    ]);
    await expect(page.locator('#cart-total').textContent()).resolves.toBe('€76.00');
    await Promise.all([
      page.waitForURL(`${store.url}/cart?notice=removed`),
      page.click('tr[data-sku="CART-KEY"] button:has-text("Remove")'),
    ]);
    await expect(page.locator('main').textContent()).resolves.toContain('Your cart is empty.');
  });
});
