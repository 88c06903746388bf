import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestIdp } from '../support/auth.js';
import { screenshot, watchPageProblems, type RunningStore } from '../support/browser.js';
import type { DevGateway } from '../support/gateway.js';
import { startBuyingShop, type BuyingShop } from '../support/shop.js';

describe('buying in a real browser', () => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let store: RunningStore;
  let browser: Browser;

  let shop: BuyingShop | undefined;

  beforeAll(async () => {
    shop = await startBuyingShop();
    ({ idp, gateway, store, browser } = shop);
  });
  afterAll(() => shop?.close());

  it('adds to cart as a visitor, logs in at checkout, pays on the gateway’s page, reveals the key and downloads the file', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = watchPageProblems(page);

    await page.goto(`${store.url}/vectorforge-pro-1y`);
    await expect(page.locator('main h1').textContent()).resolves.toBe('Vectorforge Pro (1 year)');
    await page.click('.add-to-cart button[type=submit]');
    // cart.js adds in the background and confirms in place; wait for it before leaving the page.
    await page.locator('.cart-message .notice').waitFor();
    await page.goto(`${store.url}/inkwell-brushes`);
    await page.click('.add-to-cart button[type=submit]');
    await page.locator('.cart-message .notice').waitFor();
    await page.goto(`${store.url}/cart`);
    await expect(page.locator('main').textContent()).resolves.toContain('Vectorforge Pro (1 year)');
    await expect(page.locator('main').textContent()).resolves.toContain('Inkwell Brush Pack');
    await screenshot(page, 'checkout-cart');

    // Checkout needs an account: the provider's sign-in page, then back to checkout with the cart kept.
    await page.click('a[href="/checkout"]');
    await page.waitForURL(`${idp.idp.issuer}/**`);
    await page.fill('#email', 'demo@example.com');
    await page.fill('#password', 'demo1234');
    await Promise.all([page.waitForURL(`${store.url}/checkout`), page.click('button[type=submit]')]);
    await expect(page.locator('main h1').textContent()).resolves.toBe('Checkout');
    await expect(page.locator('main').textContent()).resolves.toContain('€94.00');
    await screenshot(page, 'checkout-summary');

    await Promise.all([page.waitForURL(`${gateway.url}/pay/**`), page.click('.checkout-form button[type=submit]')]);
    await expect(page.locator('body').textContent()).resolves.toContain('Vectorforge Pro (1 year)');
    await screenshot(page, 'checkout-gateway');
    await Promise.all([page.waitForURL(`${store.url}/checkout/return**`), page.click('button[value=pay]')]);

    // The return page refreshes itself until the gateway's webhook has settled the order.
    await page.waitForSelector('[data-order-status=fulfilled]', { timeout: 15_000 });
    await expect(page.locator('main').textContent()).resolves.toContain('Your payment is confirmed.');
    await screenshot(page, 'checkout-return');
    await page.click('a.button.primary[href^="/orders/"]');
    await expect(page.locator('.status').first().textContent()).resolves.toBe('Paid');
    await expect(page.locator('main').textContent()).resolves.toContain('Vectorforge Pro (1 year)');
    await screenshot(page, 'checkout-order');

    // The key is shown only when asked for.
    await expect(page.locator('textarea.key-field').count()).resolves.toBe(0);
    await page.click('form.reveal button[type=submit]');
    const key = (await page.locator('textarea.key-field').inputValue()).trim();
    expect(key).toMatch(/^DEMO-/);
    await screenshot(page, 'order-key-revealed');

    // The file downloads through its temporary link.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('form[action$="/download"] button[type=submit]')]);
    expect(download.suggestedFilename()).toBe('Inkwell Brush Pack.zip');
    const saved = await download.path();
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(saved));
    expect(size).toBeGreaterThan(1000);

    // The cart is empty now.
    await page.goto(`${store.url}/cart`);
    await expect(page.locator('main').textContent()).resolves.not.toContain('Vectorforge Pro (1 year)');
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  });
});
