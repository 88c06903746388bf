import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactService } from '../../src/contact/contact.service.js';
import { createMailService } from '../../src/platform/mail/mail.service.js';
import { startTestIdp, type TestIdp } from '../support/auth.js';
import { launchBrowser, screenshot, startStore, watchPageProblems, type RunningStore } from '../support/browser.js';
import { makeProduct } from '../support/factories.js';
import { placeOrder } from './admin-fixtures.js';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Categories, customers, donations and messages in Chromium, at 1280 and 390 px: no sideways scroll, axe clean, forms without script. */
describe('owner categories, customers, donations and messages in a real browser', () => {
  let idp: TestIdp;
  let store: RunningStore;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const faults: string[] = [];

  beforeAll(async () => {
    [idp, browser] = await Promise.all([startTestIdp(), launchBrowser()]);
    store = await startStore({
      env: idp.env,
      catalog: async ({ catalog, db }) => {
        await catalog.createCategory({ slug: 'design-tools', name: 'Design tools', description: '' });
        await catalog.createCategory({ slug: 'audio', name: 'Audio', description: '' });
        const product = await makeProduct(catalog, { name: 'Pixel Pack Pro', categories: ['design-tools'] });
        for (let i = 0; i < 3; i++)
          await placeOrder(db, {
            product,
            email: 'ada.lovelace@example.com',
            events: ['payment_settled'],
            createdAt: Date.now() - i * 86_400_000,
          });
        await placeOrder(db, { product, email: 'grace@example.com', events: ['payment_failed'] });
        const now = Date.now();
        await db.kysely
          .insertInto('donations')
          .values([
            {
              id: 'don_0000000000000000000000a1',
              user_sub: null,
              email: 'giver@example.com',
              amount: 1000,
              currency: 'EUR',
              message: '',
              status: 'paid',
              payment_ref: 'cs_1',
              payment_intent: 'pi_1',
              attention_reason: null,
              created_at: now,
              paid_at: now,
            },
            {
              id: 'don_0000000000000000000000a2',
              user_sub: null,
              email: null,
              amount: 2000,
              currency: 'EUR',
              message: '',
              status: 'needs_attention',
              payment_ref: 'cs_2',
              payment_intent: 'pi_2',
              attention_reason: 'Paid 1000 EUR for a donation of 2000 EUR: refund it.',
              created_at: now - 1000,
              paid_at: now,
            },
          ])
          .execute();
        const mail = createMailService({ db, smtpUrl: 'smtp://127.0.0.1:9', from: 'shop@example.com' });
        await createContactService({ db, mail, shopEmail: 'owner@example.com', shopName: 'Shop' }).sendMessage(
          {
            name: 'Ada',
            email: 'ada@example.com',
            subject: 'Do keys expire?',
            message: 'Do keys expire?\nAnd can I move one to a new laptop?',
          },
          { ip: '127.0.0.1', userSub: null },
        );
      },
    });
    idp.idp.setStoreUrl(store.url);
    // The CSP is bypassed only so that axe-core can be injected.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await context.newPage();
    problems = watchPageProblems(page);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await store?.close();
    await idp?.close();
  });

  /** The current page at 1280 and 390 px (and 360): no sideways scroll, nothing serious for axe, a screenshot of each. */
  async function inspect(name: string) {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      for (const w of width === 390 ? [390, 360] : [width]) {
        await page.setViewportSize({ width: w, height: 844 });
        const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
        if (scroll > w) faults.push(`${name} at ${w} px: the page is ${scroll} px wide`);
      }
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.addScriptTag({ path: axePath });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
        return (await axe.run({ rules: { 'target-size': { enabled: true } } })).violations;
      });
      for (const v of violations.filter((x) => x.impact === 'serious' || x.impact === 'critical'))
        faults.push(`${name} at ${width} px: ${v.impact} ${v.id} (${v.help}) on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      await screenshot(page, `screenshots/${name}-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  it('walks the owner through categories, customers, donations and a reply, without script', { timeout: 120_000 }, async () => {
    await page.goto(`${store.url}/login?returnTo=/admin`);
    await page.fill('#email', 'owner@example.com');
    await page.fill('#password', 'owner1234');
    await Promise.all([page.waitForURL(`${store.url}/admin`), page.click('button[type=submit]')]);

    // Categories: create one, move it up, change its slug; the old address lands on the new one.
    await Promise.all([page.waitForURL(`${store.url}/admin/categories`), page.click('nav.admin-nav a[href="/admin/categories"]')]);
    await page.fill('#category-name', 'Fonts');
    await page.fill('#category-slug', 'fonts');
    await Promise.all([page.waitForURL(/done=created/), page.click('form.admin-category-form button[type=submit]')]);
    await expect(page.locator('table.admin-categories tbody tr').last().textContent()).resolves.toContain('Fonts');
    await Promise.all([page.waitForURL(/done=moved/), page.click('button[aria-label="Move Fonts up"]')]);
    await expect(page.locator('table.admin-categories tbody tr').nth(1).textContent()).resolves.toContain('Fonts');
    await inspect('admin-categories');
    await page.fill('#category-slug', 'Bad Slug');
    await page.fill('#category-name', 'Broken');
    await page.click('form.admin-category-form button[type=submit]');
    await expect(page.locator('#category-slug-error').textContent()).resolves.toContain('lower-case letters');
    // The refused form answers 400 on purpose; Chromium logs that status as a console error.
    problems.splice(
      0,
      problems.indexOf('console error: Failed to load resource: the server responded with a status of 400 (Bad Request)') + 1,
    );
    await inspect('admin-categories-error');
    await Promise.all([page.waitForURL(/\/admin\/categories\/\d+$/), page.click('table.admin-categories a:text("Fonts")')]);
    await page.fill('#category-slug', 'type-fonts');
    await Promise.all([page.waitForURL(/done=slug/), page.click('form[action$="/slug"] button[type=submit]')]);
    await expect(page.locator('.former-slugs').textContent()).resolves.toContain('/category/fonts');
    await inspect('admin-category');
    await page.goto(`${store.url}/category/fonts`);
    expect(new URL(page.url()).pathname).toBe('/category/type-fonts');

    // Customers: the list, then one buyer's orders.
    await page.goto(`${store.url}/admin/customers`);
    await expect(page.locator('tr[data-email="ada.lovelace@example.com"]').textContent()).resolves.toContain('€57.00');
    await inspect('admin-customers');
    await Promise.all([page.waitForURL(/\/admin\/customers\/ada\.lovelace/), page.click('a:text("ada.lovelace@example.com")')]);
    await expect(page.locator('table.admin-customer-orders tbody tr').count()).resolves.toBe(3);
    await inspect('admin-customer');

    // Donations: the wrong-amount one stands out with its reason and a refund form.
    await page.goto(`${store.url}/admin/donations`);
    await expect(page.locator('tr.attention .attention-reason').textContent()).resolves.toContain('refund it');
    await inspect('admin-donations');

    // Messages: open the conversation, reply, see it kept and the message answered.
    await page.goto(`${store.url}/admin/messages`);
    await inspect('admin-messages-list');
    await Promise.all([page.waitForURL(/\/admin\/messages\/\d+$/), page.click('a.button:text("Reply")')]);
    await page.fill('#reply-body', 'Keys never expire, and you can move one any time.');
    await Promise.all([page.waitForURL(/done=sent/), page.click('button:text("Send reply")')]);
    await expect(page.locator('article.reply .message-body').textContent()).resolves.toBe(
      'Keys never expire, and you can move one any time.',
    );
    await expect(page.locator('.message-status-answered').first().isVisible()).resolves.toBe(true);
    await inspect('admin-message');

    expect(faults, faults.join('\n')).toEqual([]);
    expect(problems).toEqual([]);
  });
});
