import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestIdp } from '../support/auth.js';
import { screenshot, type RunningStore } from '../support/browser.js';
import type { DevGateway } from '../support/gateway.js';
import { startBuyingShop, type BuyingShop } from '../support/shop.js';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const widths = [1280, 390] as const;

/** Serious and critical violations fail, and two landmarks of one kind with one name (two unnamed searches). */
const mustFail = (v: AxeViolation) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'landmark-unique';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Every page a visitor, a buyer with a paid order and the owner can reach, at a desktop and a
 * phone width: the page never scrolls sideways at 390 (or 360) px and axe-core finds nothing serious or
 * critical at either width. All faults are collected so one run names every broken page.
 */
describe('every page on a phone and on a desktop', () => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let store: RunningStore;
  let browser: Browser;
  let faults: string[] = [];

  let shop: BuyingShop | undefined;

  beforeAll(async () => {
    shop = await startBuyingShop({ SELLER_COUNTRY: 'DE' });
    ({ idp, gateway, store, browser } = shop);
  });
  afterAll(() => shop?.close());

  beforeEach(() => {
    faults = [];
  });

  /** A fresh browser profile; the CSP is bypassed only so that axe-core can be injected. */
  function newContext(): Promise<BrowserContext> {
    return browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  }

  /** Loads `path` at each width, records overflow and axe faults, and saves a screenshot of each. */
  async function inspect(page: Page, name: string, path: string, status = 200) {
    for (const width of widths) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      const response = await page.goto(store.url + path);
      if (response?.status() !== status) faults.push(`${path}: status ${response?.status()}, expected ${status}`);
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      if (scrollWidth > innerWidth) faults.push(`${path} at ${width} px: the page is ${scrollWidth} px wide`);
      if (width === 390) {
        // The narrowest common phone too: same page, laid out again at 360 px.
        await page.setViewportSize({ width: 360, height: 780 });
        const narrow = await page.evaluate(() => document.documentElement.scrollWidth);
        if (narrow > 360) faults.push(`${path} at 360 px: the page is ${narrow} px wide`);
        await page.setViewportSize({ width, height: 844 });
      }
      await page.addScriptTag({ path: axePath });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
        // WCAG 2.2's minimum tap target (24 px) is off by default in axe: on here, for the phone.
        return (await axe.run({ rules: { 'target-size': { enabled: true } } })).violations;
      });
      for (const v of violations.filter(mustFail))
        faults.push(`${path} at ${width} px: ${v.impact} ${v.id} (${v.help}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      await screenshot(page, `screenshots/${name}-${width}`);
    }
  }

  /** Adds a product from its page and waits for cart.js to confirm. */
  async function addToCart(page: Page, sku: string) {
    await page.goto(`${store.url}/${sku}`);
    await page.click('.add-to-cart button[type=submit]');
    await page.locator('.cart-message .notice').waitFor();
  }

  it('a visitor’s pages: catalog, product, cart, donate, contact and not found', { timeout: 120_000 }, async () => {
    const visitor = await (await newContext()).newPage();
    await addToCart(visitor, 'vectorforge-pro-1y');
    await addToCart(visitor, 'inkwell-brushes');
    await inspect(visitor, 'home', '/');
    await inspect(visitor, 'category', '/category/design-tools');
    await inspect(visitor, 'search', '/search?q=pro');
    // A typo: the close match is listed under a "Did you mean" link to the corrected search.
    await inspect(visitor, 'search-typo', '/search?q=vectrforge');
    await expect(visitor.locator('.search-suggestion a').textContent()).resolves.toBe('vectorforge');
    await expect(visitor.locator('.product-grid a', { hasText: 'Vectorforge Pro' }).count()).resolves.toBeGreaterThan(0);
    await inspect(visitor, 'product', '/vectorforge-pro-1y');
    await expect(visitor.locator('.product-info .tax-note').textContent()).resolves.toBe('Price incl. VAT');
    await inspect(visitor, 'cart-visitor', '/cart');
    await inspect(visitor, 'donate', '/donate');
    await inspect(visitor, 'contact', '/contact');
    await inspect(visitor, 'not-found', '/no-such-page-here', 404);
    await visitor.goto(`${store.url}/contact`);
    await visitor.fill('input[name=name]', 'Vera Visitor');
    await visitor.fill('input[name=email]', 'visitor@example.com');
    await visitor.fill('input[name=subject]', 'Krita');
    await visitor.fill('textarea[name=message]', 'Does the brush pack work with Krita? I would like to know before buying it.');
    await visitor.click('main form button[type=submit]');
    await visitor.context().close();
    expect(faults, faults.join('\n')).toEqual([]);
  });

  it('a buyer’s pages with a paid order: cart, checkout, orders, order, invoice and profile', { timeout: 120_000 }, async () => {
    // A buyer pays for two products, then puts a third in the cart.
    const buyer = await (await newContext()).newPage();
    await addToCart(buyer, 'vectorforge-pro-1y');
    await addToCart(buyer, 'inkwell-brushes');
    await buyer.goto(`${store.url}/checkout`);
    await buyer.waitForURL(`${idp.idp.issuer}/**`);
    await buyer.fill('#email', 'demo@example.com');
    await buyer.fill('#password', 'demo1234');
    await Promise.all([buyer.waitForURL(`${store.url}/checkout`), buyer.click('button[type=submit]')]);
    await Promise.all([buyer.waitForURL(`${gateway.url}/pay/**`), buyer.click('.checkout-form button[type=submit]')]);
    await Promise.all([buyer.waitForURL(`${store.url}/checkout/return**`), buyer.click('button[value=pay]')]);
    await buyer.waitForSelector('[data-order-status=fulfilled]', { timeout: 15_000 });
    const returnPath = buyer.url().slice(store.url.length);
    const orderPath = (await buyer.locator('a[href^="/orders/"]').first().getAttribute('href')) ?? '';
    expect(orderPath).toMatch(/^\/orders\/\w/);
    await addToCart(buyer, 'palette-lab');
    await inspect(buyer, 'cart', '/cart');
    await expect(buyer.locator('.cart-link .badge').getAttribute('aria-label')).resolves.toBe('1 item');
    await expect(buyer.locator('#cart-total').locator('xpath=..').locator('th').textContent()).resolves.toBe('Total incl. VAT');
    await inspect(buyer, 'checkout', '/checkout');
    await inspect(buyer, 'checkout-return', returnPath);
    await inspect(buyer, 'orders', '/orders');
    await inspect(buyer, 'order', orderPath);
    await inspect(buyer, 'invoice', `/order/${orderPath.split('/').pop()}/invoice`);
    await inspect(buyer, 'profile', '/profile');
    await buyer.context().close();
    expect(faults, faults.join('\n')).toEqual([]);
  });

  it('the owner’s admin pages', { timeout: 120_000 }, async () => {
    const owner = await (await newContext()).newPage();
    await owner.goto(`${store.url}/login?returnTo=/admin`);
    await owner.fill('#email', 'owner@example.com');
    await owner.fill('#password', 'owner1234');
    await Promise.all([owner.waitForURL(`${store.url}/admin`), owner.click('button[type=submit]')]);
    await inspect(owner, 'admin', '/admin');
    await inspect(owner, 'admin-orders', '/admin/orders');
    await expect(owner.locator('main .result-count').textContent()).resolves.toMatch(/^1 order\b/);
    const adminOrder = (await owner.locator('main a[href^="/admin/orders/"]').first().getAttribute('href')) ?? '';
    expect(adminOrder).toMatch(/^\/admin\/orders\/\w/);
    await inspect(owner, 'admin-order', adminOrder);
    await inspect(owner, 'admin-products', '/admin/products');
    await inspect(owner, 'admin-product-new', '/admin/products/new');
    await inspect(owner, 'admin-product-edit', '/admin/products/VECTORFORGE-PRO-1Y/edit');
    // The form refused: every message beside its field, the values kept.
    await owner.fill('#product-price', 'twelve');
    await owner.fill('#product-name', '');
    await Promise.all([
      owner.waitForURL(`${store.url}/admin/products/VECTORFORGE-PRO-1Y`),
      owner.click('.admin-product-form button:not([name])'),
    ]);
    await expect(owner.locator('#product-price-error').textContent()).resolves.toContain('Price must be an amount');
    await expect(owner.locator('#product-name-error').textContent()).resolves.toContain('Name must be');
    await screenshot(owner, 'screenshots/admin-product-errors-390');
    // A change for the audit log to show: the product copied as a draft.
    await Promise.all([owner.waitForURL(/-COPY\/edit\?saved=1$/), owner.click('text=Duplicate as draft')]);
    await expect(owner.locator('#product-status').inputValue()).resolves.toBe('draft');
    await inspect(owner, 'admin-audit', '/admin/audit');
    await inspect(owner, 'admin-messages', '/admin/messages');
    await owner.context().close();

    expect(faults, faults.join('\n')).toEqual([]);
  });
});
