import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, startForeignSite, startStore, type ForeignSite, type RunningStore } from '../support/browser.js';

describe('posts another site makes in a real browser', () => {
  let store: RunningStore;
  let site: ForeignSite;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [store, browser] = await Promise.all([
      startStore({
        catalog: async ({ catalog }) => {
          await catalog.createProduct({
            sku: 'XO-KEY',
            name: 'Cross key',
            summary: 'For the cross-origin tests.',
            description: '',
            price: 900,
            currency: 'EUR',
            type: 'key',
            status: 'active',
          });
        },
      }),
      launchBrowser(),
    ]);
    // What a page elsewhere can make a visitor's browser send: a form it submits, a fetch it makes.
    site = await startForeignSite({
      '/form': `<!doctype html><form id="f" method="post" action="${store.url}/cart"><input name="action" value="add"><input name="sku" value="XO-KEY"><input name="quantity" value="5"></form><script>document.getElementById('f').submit()</script>`,
      // Same-site pages get the visitor's SameSite=Lax cookie sent along: only the store's check stands in the way.
      '/fetch': `<!doctype html><script>fetch('${store.url}/api/cart/add', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'sku=XO-KEY&quantity=5' })</script>`,
    });
  });
  afterAll(async () => {
    await site?.close();
    await browser?.close();
    await store?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
  });

  const storePost = (path: string) => page.waitForResponse((r) => r.url() === `${store.url}${path}` && r.request().method() === 'POST');
  const cartCount = async () =>
    Number(
      (await page
        .locator('.cart-link .badge')
        .textContent({ timeout: 2_000 })
        .catch(() => '0')) ?? 0,
    );

  it('refuses a form that another site, or another origin of the same site, submits, and keeps the cart as it was', async () => {
    // The visitor's own Add to cart (cart.js, a same-origin fetch without any token) works.
    await page.goto(`${store.url}/XO-KEY`);
    const added = storePost('/api/cart/add');
    await page.click('form.add-to-cart button[type=submit]');
    expect((await added).status()).toBe(200);
    await page.locator('.cart-link .badge', { hasText: '1' }).waitFor({ timeout: 5_000 });

    for (const origin of [site.crossSite, site.sameSite]) {
      const posted = storePost('/cart');
      await page.goto(`${origin}/form`);
      const res = await posted;
      expect(res.status(), origin).toBe(403);
      expect((await res.request().allHeaders())['sec-fetch-site'], origin).toBe(origin === site.crossSite ? 'cross-site' : 'same-site');
      await expect(page.locator('main').textContent()).resolves.toContain('This request came from another site, so it was refused.');
    }
    await page.goto(`${store.url}/cart`);
    expect(await cartCount()).toBe(1);
  });

  it('refuses a fetch another site or a sibling origin makes, though the browser sends the cart cookie along', async () => {
    await page.goto(`${store.url}/XO-KEY`);
    await page.click('form.add-to-cart button[type=submit]');
    await page.locator('.cart-link .badge', { hasText: '1' }).waitFor({ timeout: 5_000 });
    for (const origin of [site.crossSite, site.sameSite]) {
      // Chromium withholds the answer from the other page (Cross-Origin-Resource-Policy), so the request only fails there.
      const settled = page.waitForEvent('requestfailed', (r) => r.url() === `${store.url}/api/cart/add`);
      await page.goto(`${origin}/fetch`);
      await settled;
    }
    await page.goto(`${store.url}/cart`);
    expect(await cartCount()).toBe(1);
  });

  it('takes the store’s own form post without JavaScript, and sets no cookie before it', async () => {
    await context.close();
    context = await browser.newContext({ javaScriptEnabled: false });
    page = await context.newPage();
    await page.goto(`${store.url}/XO-KEY`);
    expect(await context.cookies(store.url)).toEqual([]);
    const posted = storePost('/cart');
    await page.click('form.add-to-cart button[type=submit]');
    const res = await posted;
    expect(res.status()).toBe(303);
    expect((await res.request().allHeaders())['sec-fetch-site']).toBe('same-origin');
    await page.waitForURL(`${store.url}/cart?notice=added`);
    expect(await cartCount()).toBe(1);
  });
});
