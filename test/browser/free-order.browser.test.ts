import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestIdp } from '../support/auth.js';
import { inspectPage } from '../support/axe.js';
import { watchPageProblems, type RunningStore } from '../support/browser.js';
import type { DevGateway } from '../support/gateway.js';
import { startBuyingShop, type BuyingShop } from '../support/shop.js';
import { runStore } from '../cli/cli-harness.js';

// A 100 % code in a real browser: the review offers the order free, one click fulfils it without
// the gateway's page, and the key is on the order page.
describe('a free order in a real browser', () => {
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

  it('applies a 100 % code, gets the order free without visiting the gateway, and reveals the key', async () => {
    const made = await runStore(['discounts', 'create', 'GIVEAWAY', '--percent', '100'], { db: store.db });
    expect(made.stdout).toBe('Created GIVEAWAY (active).\n');
    // axe-core is injected as a script tag, which the store's CSP would refuse.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const problems = watchPageProblems(page);
    const visited: string[] = [];
    page.on('request', (r) => visited.push(r.url()));

    await page.goto(`${store.url}/vectorforge-pro-1y`);
    await page.click('.add-to-cart button[type=submit]');
    await page.locator('.cart-message .notice').waitFor();
    await page.goto(`${store.url}/cart`);
    await page.fill('#discount-code', 'giveaway');
    await Promise.all([
      page.waitForURL(`${store.url}/cart?notice=discount_applied`),
      page.click('.cart-discount-form button[type=submit]'),
    ]);

    await page.click('a[href="/checkout"]');
    await page.waitForURL(`${idp.idp.issuer}/**`);
    await page.fill('#email', 'demo@example.com');
    await page.fill('#password', 'demo1234');
    await Promise.all([page.waitForURL(`${store.url}/checkout`), page.click('button[type=submit]')]);
    const review = (await page.locator('main').textContent()) ?? '';
    expect(review.replace(/\s+/g, ' ')).toContain('Your code GIVEAWAY takes off the whole total: nothing to pay.');
    await expect(page.locator('.checkout-form button.primary').textContent()).resolves.toBe('Get it free');
    const faults = await inspectPage(page, 'free-order-review');

    await Promise.all([page.waitForURL(`${store.url}/checkout/return**`), page.click('.checkout-form button.primary')]);
    await page.waitForSelector('[data-order-status=fulfilled]');
    await expect(page.locator('main').textContent()).resolves.toContain('Your order is complete; nothing was charged.');
    faults.push(...(await inspectPage(page, 'free-order-return')));
    expect(visited.filter((u) => u.startsWith(gateway.url))).toEqual([]);

    await page.click('a.button.primary[href^="/orders/"]');
    await page.click('form.reveal button[type=submit]');
    expect((await page.locator('textarea.key-field').inputValue()).trim()).toMatch(/^DEMO-/);
    expect(faults).toEqual([]);
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  });
});
