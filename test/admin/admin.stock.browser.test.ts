import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../support/auth.js';
import { inspectPage } from '../support/axe.js';
import { launchBrowser, startStore, watchPageProblems, type RunningStore } from '../support/browser.js';
import { makeProduct } from '../support/factories.js';

/** The key pool and files pages in Chromium, without script help: a paste with bad lines is refused line by line; axe finds nothing serious. */
describe('key pool and files pages in a real browser', () => {
  let idp: TestIdp;
  let store: RunningStore;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [idp, browser] = await Promise.all([startTestIdp(), launchBrowser()]);
    store = await startStore({
      env: idp.env,
      catalog: async ({ catalog, keyPool, productFiles }) => {
        const pool = await makeProduct(catalog, { type: 'key_lim', name: 'Pixel Pack Pro', sku: 'PIXEL-PACK-PRO' });
        await keyPool.importKeys(pool.id, ['PIXEL-PACK-0001', 'PIXEL-PACK-0002', 'PIXEL-PACK-0003']);
        const book = await makeProduct(catalog, { type: 'file', name: 'Shader Cookbook', sku: 'SHADER-BOOK' });
        await productFiles!.attachFile(book.id, {
          filename: 'Shader Cookbook (2nd edition).pdf',
          contentType: 'application/pdf',
          buffer: Buffer.alloc(1_234_567, 7),
        });
      },
    });
    idp.idp.setStoreUrl(store.url);
    // The CSP is bypassed only so that axe-core can be injected.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await store?.close();
    await idp?.close();
  });

  const inspect = (name: string) => inspectPage(page, name);

  it('refuses a paste with a bad line, naming it, then imports a good one; shows a product’s files', { timeout: 120_000 }, async () => {
    const problems = watchPageProblems(page);
    await page.goto(`${store.url}/login?returnTo=/admin/products`);
    await page.fill('#email', 'owner@example.com');
    await page.fill('#password', 'owner1234');
    await Promise.all([page.waitForURL(`${store.url}/admin/products`), page.click('button[type=submit]')]);
    await Promise.all([
      page.waitForURL(/\/admin\/products\/PIXEL-PACK-PRO\/keys$/),
      page.click('a[aria-label="Key pool of PIXEL-PACK-PRO"]'),
    ]);
    await expect(page.locator('[data-count="available"] dd').textContent()).resolves.toBe('3');

    await page.fill('#import-keys', 'NEW-KEY-0001\nNEW-KEY-0002\nPIXEL-PACK-0002\nNEW-KEY-0001');
    await Promise.all([page.waitForLoadState('load'), page.click('.admin-key-import button[type=submit]')]);
    await expect(page.locator('#import-error > p').textContent()).resolves.toBe('No keys were imported: 2 problems in the pasted text.');
    await expect(page.locator('.import-problems li').allTextContents()).resolves.toEqual([
      'line 3: key PIXE…02 is already in a pool.',
      'line 4: the same key as line 1.',
    ]);
    await expect(page.locator('#import-keys').inputValue()).resolves.toContain('NEW-KEY-0002');
    await expect(page.locator('[data-count="available"] dd').textContent()).resolves.toBe('3');
    // The refusal is answered 400 on purpose (Chromium logs that as a console error): only that one.
    expect(problems.splice(0)).toEqual(['console error: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    const refused = await inspect('admin-keys-refused');

    await page.fill('#import-keys', 'NEW-KEY-0001\nNEW-KEY-0002');
    await page.fill('#low-stock-threshold', '4');
    await Promise.all([page.waitForURL(/\?saved=1$/), page.click('.admin-inline-form button[type=submit]')]);
    await page.fill('#import-keys', 'NEW-KEY-0001\nNEW-KEY-0002');
    await Promise.all([page.waitForURL(/\?imported=2$/), page.click('.admin-key-import button[type=submit]')]);
    await expect(page.locator('[data-count="available"] dd').textContent()).resolves.toBe('5');
    await expect(page.locator('.notice.success').textContent()).resolves.toBe('Imported 2 keys.');
    const imported = await inspect('admin-keys');

    await page.goto(`${store.url}/admin/products/SHADER-BOOK/files`);
    await expect(page.locator('.product-file-name').textContent()).resolves.toBe('Shader Cookbook (2nd edition).pdf');
    await expect(page.locator('code.sha256').textContent()).resolves.toMatch(/^[0-9a-f]{64}$/);
    const files = await inspect('admin-files');
    expect([...refused, ...imported, ...files]).toEqual([]);
    expect(problems).toEqual([]);
  });
});
