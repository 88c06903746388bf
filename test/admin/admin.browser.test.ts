import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createContactService } from '../../src/contact/contact.service.js';
import { createMailService } from '../../src/platform/mail/mail.service.js';
import { startTestIdp, type TestIdp } from '../support/auth.js';
import { launchBrowser, screenshot, startStore, watchPageProblems, type RunningStore } from '../support/browser.js';
import { makeProduct } from '../support/factories.js';
import { placeOrder } from './admin-fixtures.js';

/** The owner's pages in Chromium: reachable from the header, usable without script, no CSP violation. */
describe('admin pages in a real browser', () => {
  let idp: TestIdp;
  let store: RunningStore;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let flagged = '';

  beforeAll(async () => {
    [idp, browser] = await Promise.all([startTestIdp(), launchBrowser()]);
    store = await startStore({
      env: idp.env,
      catalog: async ({ catalog, keyPool, db }) => {
        const pool = await makeProduct(catalog, { type: 'key_lim', name: 'Pixel Pack Pro' });
        await keyPool.importKeys(pool.id, ['PIXEL-PACK-0001', 'PIXEL-PACK-0002']);
        await makeProduct(catalog, { name: 'Signed Suite', status: 'draft' });
        flagged = await placeOrder(db, {
          product: pool,
          email: 'Late.Payer@example.com',
          events: ['payment_mismatch'],
          attentionReason: 'Paid 100 EUR for an order of 1900 EUR: refund or settle by hand.',
        });
        for (let i = 0; i < 3; i++) await placeOrder(db, { product: pool, email: 'late.payer@example.com', events: ['payment_settled'] });
        const mail = createMailService({ db, smtpUrl: 'smtp://127.0.0.1:9', from: 'shop@example.com' });
        await createContactService({ db, mail, shopEmail: 'owner@example.com', shopName: 'Shop' }).sendMessage(
          {
            name: 'Ada',
            email: 'ada@example.com',
            subject: 'Two questions',
            message: 'First: do keys expire?\nSecond: can I move a key to a new laptop?',
          },
          { ip: '127.0.0.1', userSub: null },
        );
      },
    });
    idp.idp.setStoreUrl(store.url);
  });
  afterAll(async () => {
    await browser?.close();
    await store?.close();
    await idp?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    problems = watchPageProblems(page);
  });
  afterEach(async () => {
    await context.close();
  });

  it('takes the owner from the header link through dashboard, search, an order, products and messages', async () => {
    await page.goto(`${store.url}/login?returnTo=/`);
    await page.fill('#email', 'owner@example.com');
    await page.fill('#password', 'owner1234');
    await Promise.all([page.waitForURL(`${store.url}/`), page.click('button[type=submit]')]);
    await Promise.all([page.waitForURL(`${store.url}/admin`), page.click('nav.account a[href="/admin"]')]);
    await expect(page.locator('main h1').textContent()).resolves.toBe('Dashboard');
    await expect(page.locator('table.attention').textContent()).resolves.toContain('Paid 100 EUR for an order of 1900 EUR');
    await expect(page.locator('table.low-stock').textContent()).resolves.toContain('Pixel Pack Pro');
    await screenshot(page, 'admin-dashboard');

    await Promise.all([page.waitForURL(`${store.url}/admin/orders`), page.click('nav.admin-nav a[href="/admin/orders"]')]);
    await page.fill('#admin-q', 'LATE.PAYER@EXAMPLE.COM');
    await page.selectOption('#admin-status', 'fulfilled');
    await Promise.all([page.waitForURL(/\/admin\/orders\?q=/), page.click('form.admin-filters button[type=submit]')]);
    await expect(page.locator('.result-count').textContent()).resolves.toBe('3 orders match.');
    await expect(page.locator('table.admin-orders tbody tr').count()).resolves.toBe(3);
    await screenshot(page, 'admin-orders');

    await page.fill('#admin-q', flagged.slice(0, 12));
    await page.selectOption('#admin-status', '');
    await Promise.all([page.waitForURL(/\/admin\/orders\?q=/), page.click('form.admin-filters button[type=submit]')]);
    await Promise.all([page.waitForURL(`${store.url}/admin/orders/${flagged}`), page.click(`a[href="/admin/orders/${flagged}"]`)]);
    await expect(page.locator('.attention-reason').textContent()).resolves.toContain('refund or settle by hand');
    await screenshot(page, 'admin-order');

    await page.goto(`${store.url}/admin/products`);
    await expect(page.locator('tr.low-stock').textContent()).resolves.toContain('Pixel Pack Pro');
    await screenshot(page, 'admin-products');

    await page.goto(`${store.url}/admin/messages`);
    const body = page.locator('.message-body');
    await expect(body.evaluate((el) => getComputedStyle(el).whiteSpace)).resolves.toBe('pre-wrap');
    // The message's own line break shows: two lines of text, not one.
    const lineHeight = await body.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    expect(await body.evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThanOrEqual(lineHeight * 2 - 1);
    await screenshot(page, 'admin-messages');
    expect(problems).toEqual([]);
  });
});
