import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, startStore, watchPageProblems, type RunningStore } from '../support/browser.js';

interface DemoProduct {
  sku: string;
  name: string;
  status?: string;
  featured?: boolean;
  createdDaysAgo?: number;
  categories: string[];
}
const demo = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../demo/catalog.json'), 'utf8')) as {
  categories: { slug: string; name: string }[];
  products: DemoProduct[];
};
const active = demo.products.filter((p) => (p.status ?? 'active') === 'active');
const hidden = demo.products.filter((p) => (p.status ?? 'active') !== 'active');
const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

describe('catalog in a real browser', () => {
  let store: RunningStore;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    [store, browser] = await Promise.all([startStore(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await store?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: desktop });
    page = await context.newPage();
    problems = watchPageProblems(page);
  });
  afterEach(async () => {
    await context.close();
  });

  /** Opens a path and checks the response status. */
  async function open(path: string, status = 200) {
    const response = await page.goto(store.url + path);
    expect(response?.status(), path).toBe(status);
  }

  const cardNames = (scope = page.locator('main')) => scope.locator('.product-card .product-name').allTextContents();

  it('home shows the shop, its categories, featured products and new arrivals', async () => {
    await open('/');
    await expect(page.title()).resolves.toBe('Pixel & Key');
    expect(await page.locator('main h1').textContent()).toBe('Pixel & Key');
    expect(await page.locator('nav.categories a').allTextContents()).toEqual(demo.categories.map((c) => c.name));

    const featured = await cardNames(page.locator('section.featured'));
    expect(featured.sort()).toEqual(
      active
        .filter((p) => p.featured)
        .map((p) => p.name)
        .sort(),
    );
    const newest = [...active].sort((a, b) => (a.createdDaysAgo ?? 0) - (b.createdDaysAgo ?? 0)).slice(0, 8);
    expect(await cardNames(page.locator('section.new-arrivals'))).toEqual(newest.map((p) => p.name));

    const text = await page.locator('body').innerText();
    for (const p of hidden) expect(text).not.toContain(p.name);
    await expectImagesLoaded();
    await screenshot(page, 'home-desktop');
    expect(problems).toEqual([]);
  });

  it('a category lists its products over two pages', async () => {
    await open('/');
    await page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: 'Apps & software' }).click();
    await page.waitForURL(`${store.url}/category/software`);
    const inCategory = active.filter((p) => p.categories.includes('software'));
    expect(inCategory.length).toBeGreaterThan(24);
    expect(await page.locator('main h1').textContent()).toBe('Apps & software');
    expect(await page.locator('.result-count').textContent()).toBe(`${inCategory.length} products, page 1 of 2`);
    expect(await page.locator('.product-card').count()).toBe(24);
    expect(await page.locator('nav.categories a[aria-current="page"]').textContent()).toBe('Apps & software');
    await screenshot(page, 'category-desktop');

    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Next' }).click();
    await page.waitForURL(`${store.url}/category/software?page=2`);
    expect(await page.locator('.product-card').count()).toBe(inCategory.length - 24);
    expect(await page.locator('.pagination a[aria-current="page"]').textContent()).toBe('2');
    await expect(page.title()).resolves.toContain('page 2');
    await screenshot(page, 'category-page-2-desktop');
    expect(problems).toEqual([]);
  });

  it('a product page shows its gallery, price, stock and a working Add to cart form', async () => {
    await open('/');
    await page.locator('section.featured').getByRole('link', { name: 'Starfall Tactics' }).click();
    await page.waitForURL(`${store.url}/STARFALL-TACTICS`);
    expect(await page.locator('h1').textContent()).toBe('Starfall Tactics');
    expect(await page.locator('.product-info .price').textContent()).toBe('€24.99');
    expect(await page.locator('.product-info .stock').textContent()).toBe('In stock');
    const add = page.getByRole('button', { name: 'Add to cart' });
    expect(await add.isVisible()).toBe(true);
    expect(await add.isEnabled()).toBe(true);
    expect(await page.locator('.specs th').allTextContents()).toContain('Activation');
    await expectImagesLoaded();

    // app.js: thumbnails switch the main image, the stepper stays within 1..max.
    const main = page.locator('.gallery li:first-child img');
    const firstSrc = await main.getAttribute('src');
    await page.getByRole('button', { name: /^Show image 2 of 3/ }).click();
    expect(await main.getAttribute('src')).not.toBe(firstSrc);
    expect(await main.getAttribute('alt')).toBe('Star map with campaign choices');
    expect(await page.getByRole('button', { name: /^Show image 2 of 3/ }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Show image 1 of 3: Starfall Tactics squad on a hex battlefield' }).click();

    const quantity = page.getByLabel('Quantity', { exact: true });
    expect(await page.getByRole('button', { name: 'Decrease quantity' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Increase quantity' }).click();
    await page.getByRole('button', { name: 'Increase quantity' }).click();
    expect(await quantity.inputValue()).toBe('3');
    await page.getByRole('button', { name: 'Decrease quantity' }).click();
    expect(await quantity.inputValue()).toBe('2');
    // The live region is cleared and then filled 50 ms later, so screen readers repeat a message.
    await expect.poll(() => page.locator('[role="status"][aria-live="polite"]').textContent()).toBe('Quantity 2');
    await screenshot(page, 'product-desktop');
    expect(problems).toEqual([]);
  });

  it('stock shows as "Only 3 left" and "Sold out", and a sold-out product cannot be added', async () => {
    await open('/FRAMEWISE-ANIMATOR');
    expect(await page.locator('.product-info .stock').textContent()).toBe('Only 3 left');
    expect(await page.getByLabel('Quantity', { exact: true }).getAttribute('max')).toBe('3');
    await page.getByRole('button', { name: 'Increase quantity' }).click();
    await page.getByRole('button', { name: 'Increase quantity' }).click();
    expect(await page.getByRole('button', { name: 'Increase quantity' }).isDisabled()).toBe(true);
    expect(await page.getByLabel('Quantity', { exact: true }).inputValue()).toBe('3');

    await open('/SNAPFRAME-RECORDER');
    expect(await page.locator('.product-info .stock').textContent()).toBe('Sold out');
    expect(await page.getByRole('button', { name: 'Sold out' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Add to cart' }).count()).toBe(0);
    expect(await page.locator('.stepper').count()).toBe(0);
    await screenshot(page, 'product-sold-out-desktop');
    expect(problems).toEqual([]);
  });

  it('search from the header finds products, and says so when nothing matches', async () => {
    await open('/');
    await page.getByRole('searchbox', { name: 'Search products' }).fill('font');
    await page.getByRole('searchbox', { name: 'Search products' }).press('Enter');
    await page.waitForURL(/\/search\?q=font$/);
    expect(await page.locator('main h1').textContent()).toBe('Results for “font”');
    const names = await cardNames();
    expect(names).toContain('Halden Sans Family');
    expect(await page.locator('.result-count').textContent()).toBe(`${names.length} products found`);
    expect(await page.getByRole('searchbox', { name: 'Search products' }).inputValue()).toBe('font');
    await screenshot(page, 'search-desktop');

    await open('/search?q=zebra+accordion');
    expect(await page.locator('.empty-state').textContent()).toContain('No products match “zebra accordion”');
    expect(await page.locator('.product-card').count()).toBe(0);
    await screenshot(page, 'search-none-desktop');
    expect(problems).toEqual([]);
  });

  it('the about page and the other content pages render from Markdown', async () => {
    await open('/');
    await page.getByRole('contentinfo').getByRole('link', { name: 'About' }).click();
    await page.waitForURL(`${store.url}/about`);
    expect(await page.locator('main h1').textContent()).toBe('About Pixel & Key');
    await screenshot(page, 'about-desktop');
    await open('/privacy-policy');
    expect(await page.locator('main h1').textContent()).toBe('Privacy policy');
    await open('/terms-and-conditions');
    expect(await page.locator('main h1').textContent()).toBe('Terms and conditions');
    expect(problems).toEqual([]);
  });

  it('an unknown address, a draft and an archived product show the 404 page', async () => {
    for (const path of ['/this-page-does-not-exist', ...hidden.map((p) => `/${p.sku}`)]) {
      await open(path, 404);
      expect(await page.locator('main h1').textContent()).toBe('Page not found');
      expect(await page.getByRole('link', { name: 'Back to the shop' }).isVisible()).toBe(true);
    }
    await screenshot(page, 'not-found-desktop');
    // The document's own 404 is the only thing the console may report.
    expect(problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
  });

  it('works without JavaScript: every gallery image and a plain quantity field', async () => {
    const noJs = await browser.newContext({ viewport: desktop, javaScriptEnabled: false });
    try {
      const plain = await noJs.newPage();
      await plain.goto(`${store.url}/LUMEN-SKETCH`);
      expect(await plain.locator('.gallery li img').count()).toBe(3);
      expect(await plain.locator('.gallery li:nth-child(3) img').isVisible()).toBe(true);
      expect(await plain.locator('.stepper').count()).toBe(0);
      expect(await plain.getByLabel('Quantity', { exact: true }).isEditable()).toBe(true);
      expect(await plain.getByRole('button', { name: 'Add to cart' }).isVisible()).toBe(true);
    } finally {
      await noJs.close();
    }
  });

  it('fits a phone screen: home and a product page without sideways scrolling', async () => {
    await page.setViewportSize(phone);
    for (const [path, name] of [
      ['/', 'home-phone'],
      ['/LUMEN-SKETCH', 'product-phone'],
    ] as const) {
      await open(path);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, path).toBeLessThanOrEqual(phone.width);
      await expectImagesLoaded();
      await screenshot(page, name);
    }
    expect(await page.getByRole('button', { name: 'Add to cart' }).isVisible()).toBe(true);
    expect(problems).toEqual([]);
  });

  /** Every image on the page decoded (lazy ones are scrolled into view first). */
  async function expectImagesLoaded() {
    const broken = await page.evaluate(async () => {
      const images = Array.from(document.images);
      for (const img of images) img.loading = 'eager';
      await Promise.all(images.map((img) => img.decode().catch(() => undefined)));
      return images.filter((img) => !img.complete || img.naturalWidth === 0).map((img) => img.src);
    });
    expect(broken).toEqual([]);
  }
});
