import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../support/auth.js';
import { launchBrowser, screenshot, startStore, watchPageProblems, type RunningStore } from '../support/browser.js';
import { makeProduct } from '../support/factories.js';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** The owner's image page in Chromium: upload, see the thumbnail, reorder; the shop shows it under its CSP. */
describe('admin images in a real browser', () => {
  let idp: TestIdp;
  let store: RunningStore;
  let browser: Browser;
  let sku = '';

  beforeAll(async () => {
    [idp, browser] = await Promise.all([startTestIdp(), launchBrowser()]);
    store = await startStore({
      env: { ...idp.env, STORAGE_DIR: mkdtempSync(join(tmpdir(), 'store-images-browser-')) },
      catalog: async ({ catalog }) => {
        ({ sku } = await makeProduct(catalog, { name: 'Aurora Wallpapers' }));
      },
    });
    idp.idp.setStoreUrl(store.url);
  });
  afterAll(async () => {
    await browser?.close();
    await store?.close();
    await idp?.close();
  });

  async function logInAsOwner(page: Page) {
    await page.goto(`${store.url}/login?returnTo=/admin/products/${sku}/edit`);
    await page.fill('#email', 'owner@example.com');
    await page.fill('#password', 'owner1234');
    await Promise.all([page.waitForURL(`${store.url}/admin/products/${sku}/edit`), page.click('button[type=submit]')]);
  }

  /** Every image shown on the page has arrived and decoded (naturalWidth > 0); hidden ones never load. */
  const imagesLoaded = (page: Page) =>
    page.evaluate(() =>
      [...document.images].filter((img) => img.getClientRects().length > 0).every((img) => img.complete && img.naturalWidth > 0),
    );

  async function axeFaults(page: Page, label: string): Promise<string[]> {
    await page.addScriptTag({ path: axePath });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
      return (await axe.run({ rules: { 'target-size': { enabled: true } } })).violations;
    });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${label}: ${v.impact} ${v.id} (${v.help}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  it('uploads two images, shows their thumbnails, moves one up; axe-clean at 1280 and 390 px', { timeout: 90_000 }, async () => {
    // The CSP is bypassed only so that axe-core can be injected; the shop's own check below keeps it.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const problems = watchPageProblems(page);
    await logInAsOwner(page);
    await Promise.all([page.waitForURL(`${store.url}/admin/products/${sku}/images`), page.click('a[href$="/images"]')]);
    await expect(page.locator('main h1').textContent()).resolves.toBe(`Images of ${sku}`);

    for (const [colour, alt] of [
      ['#3451c9', 'Blue aurora over a frozen lake'],
      ['#1f8a5b', 'Green aurora above pine trees'],
    ] as const) {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000"><rect width="100%" height="100%" fill="${colour}"/><circle cx="800" cy="500" r="300" fill="#f5f5f5"/></svg>`;
      const jpeg = await sharp(Buffer.from(svg)).jpeg().toBuffer();
      await page.setInputFiles('#image-file', { name: 'aurora.jpg', mimeType: 'image/jpeg', buffer: jpeg });
      await page.fill('#image-alt', alt);
      await Promise.all([page.waitForURL(/\/images\?done=added$/), page.click('.admin-image-upload button[type=submit]')]);
      await expect(page.locator('[role=status]').first().textContent()).resolves.toBe('Image added.');
    }
    await expect(page.locator('.admin-image').count()).resolves.toBe(2);
    await expect.poll(() => imagesLoaded(page)).toBe(true);

    await Promise.all([page.waitForURL(/\?done=moved$/), page.getByRole('button', { name: 'Move up (image 2)' }).click()]);
    await expect(page.locator('.admin-image input[name=alt]').first().inputValue()).resolves.toBe('Green aurora above pine trees');

    // A refused upload keeps the page and says why beside the field.
    await page.setInputFiles('#image-file', { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not an image') });
    await page.fill('#image-alt', 'Notes');
    await page.click('.admin-image-upload button[type=submit]');
    await expect(page.locator('#image-file-error').textContent()).resolves.toBe('This file is not a JPEG, PNG, WebP or AVIF image.');

    const faults: string[] = [];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.goto(`${store.url}/admin/products/${sku}/images`);
      await expect.poll(() => imagesLoaded(page)).toBe(true);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      if (wide > width) faults.push(`images page at ${width} px is ${wide} px wide`);
      faults.push(...(await axeFaults(page, `images page at ${width} px`)));
      await screenshot(page, `screenshots/admin-images-${width}`);
      await page.goto(`${store.url}${await page.locator('.admin-image a[href$="/delete"]').first().getAttribute('href')}`);
      faults.push(...(await axeFaults(page, `delete page at ${width} px`)));
      await screenshot(page, `screenshots/admin-image-delete-${width}`);
    }
    expect(faults).toEqual([]);
    // The refused upload's 415 is the one error the browser reports.
    expect(problems).toEqual([
      'console error: Failed to load resource: the server responded with a status of 415 (Unsupported Media Type)',
    ]);
    await context.close();
  });

  it('the shop shows the uploads on the product page and its card under its own CSP', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems = watchPageProblems(page);
    await page.goto(`${store.url}/${sku}`);
    const main = page.locator('.gallery li:first-child img');
    await expect(main.getAttribute('alt')).resolves.toBe('Green aurora above pine trees');
    await expect.poll(() => main.evaluate((img: HTMLImageElement) => img.currentSrc)).toMatch(/\/media\/images\/[0-9a-f]{24}\/1200\.avif$/);
    await expect.poll(() => imagesLoaded(page)).toBe(true);
    // app.js: the thumbnails switch the picture's AVIF source too.
    await page.getByRole('button', { name: /^Show image 2 of 2/ }).click();
    await expect.poll(() => main.evaluate((img: HTMLImageElement) => img.alt)).toBe('Blue aurora over a frozen lake');
    const srcset = await page.locator('.gallery li:first-child source').getAttribute('srcset');
    const second = await page.locator('.gallery li:nth-child(2) source').getAttribute('srcset');
    expect(srcset).toBe(second);
    await screenshot(page, 'screenshots/product-uploaded-images-1280');

    await page.goto(`${store.url}/`);
    await expect.poll(() => imagesLoaded(page)).toBe(true);
    await expect(page.locator(`.product-card img[alt="Green aurora above pine trees"]`).count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'screenshots/home-uploaded-image-1280');
    expect(problems).toEqual([]);
    await context.close();
  });
});
