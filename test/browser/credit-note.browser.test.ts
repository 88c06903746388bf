import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../dev/idp/idp.users.js';
import { createCreditNotesService } from '../../src/orders/credit-notes.service.js';
import { createOrdersService } from '../../src/orders/orders.service.js';
import { createRefundService } from '../../src/payments/refund.service.js';
import type { TestIdp } from '../support/auth.js';
import { screenshot, type RunningStore } from '../support/browser.js';
import { makeTaxedOrder } from '../support/factories.js';
import { startBuyingShop, type BuyingShop } from '../support/shop.js';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** A business order's invoice, its credit note and its order page in Chromium: nothing serious for axe, no sideways scroll at 390 px. */
describe('invoice and credit note pages in a real browser', () => {
  let shop: BuyingShop | undefined;
  let store: RunningStore;
  let browser: Browser;
  let idp: TestIdp;

  beforeAll(async () => {
    shop = await startBuyingShop({
      SELLER_NAME: 'Pixel & Key GmbH',
      SELLER_ADDRESS: 'Hauptstraße 1; 10115 Berlin; Germany',
      SELLER_TAX_ID: 'DE123456789',
    });
    ({ store, browser, idp } = shop);
  });
  afterAll(() => shop?.close());

  async function inspect(page: Page, name: string, path: string): Promise<string[]> {
    const faults: string[] = [];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const response = await page.goto(store.url + path);
      if (response?.status() !== 200) faults.push(`${path}: status ${response?.status()}`);
      if (await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth))
        faults.push(`${path} at ${width} px scrolls sideways`);
      await page.addScriptTag({ path: axePath });
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(o: object): Promise<{ violations: { id: string; impact: string | null }[] }> } })
          .axe;
        return (await axe.run({ rules: { 'target-size': { enabled: true } } })).violations;
      });
      for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
        faults.push(`${path} at ${width} px: ${v.id}`);
      await screenshot(page, `screenshots/${name}-${width}`);
    }
    return faults;
  }

  it('shows the business invoice, the credit note and the order page with refunds', { timeout: 120_000 }, async () => {
    const db = store.db;
    const orders = createOrdersService({ db });
    const creditNotes = createCreditNotesService({ db });
    const products = await db.kysely.selectFrom('products').select(['id', 'sku', 'name']).orderBy('id').limit(2).execute();
    const demo = DEMO_USERS[0]!;
    const id = await makeTaxedOrder(db, orders, {
      userSub: demo.id,
      email: demo.email,
      lines: [
        { product: products[0]!, unitPrice: 7900, quantity: 3, discount: 790, rateBp: 1900 },
        { product: products[1]!, unitPrice: 1500, quantity: 1, rateBp: 700 },
      ],
      discountCode: 'SPRING10',
      // A business in the seller's own country pays VAT (no reverse charge): two rates, one summary row each.
      billing: { name: 'Ada Buyer', company: 'Buyer GmbH', address: 'Musterstraße 2\n80331 München', country: 'DE', vatId: 'DE987654321' },
    });
    const refunds = createRefundService({
      db,
      gateway: { refund: async ({ amount }) => ({ id: 're_browser', status: 'succeeded', amount: amount ?? 0, currency: 'EUR' }) },
      orders,
      fulfilment: { revokeUnits: async () => {} },
      mail: { enqueue: async () => {} },
      config: store.config,
      creditNotes,
    });
    const { creditNote } = await refunds.refundOrder({ orderId: id, item: { sku: products[0]!.sku, units: 1 }, reason: 'bought twice' });

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
    await page.goto(`${store.url}/orders/${id}`);
    await page.waitForURL(`${idp.idp.issuer}/**`);
    await page.fill('#email', demo.email);
    await page.fill('#password', demo.password);
    await Promise.all([page.waitForURL(`${store.url}/orders/${id}`), page.click('button[type=submit]')]);
    const faults = [
      ...(await inspect(page, 'order-refunded', `/orders/${id}`)),
      ...(await inspect(page, 'invoice-business', `/order/${id}/invoice`)),
      ...(await inspect(page, 'credit-note', creditNote.path)),
    ];
    await expect(page.locator('main h1').textContent()).resolves.toBe(`Credit note ${creditNote.number}`);
    const main = async (path: string) => {
      await page.goto(store.url + path);
      return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    };
    const note = await main(creditNote.path);
    // 3 × €79.00 − €7.90 = €229.10 for three units; the unit refunded: €76.37 less its share of the rest.
    expect(note).toMatch(/Total refunded −€76\.3\d/);
    expect(note).not.toContain('-€'); // the same minus sign as the invoice and the order page
    // A code makes the total differ from the list prices; the tax is still part of it, not added to it.
    expect(await main(`/orders/${id}`)).toMatch(/Tax \(included\) €\d+\.\d\d Total €244\.10/);
    const invoice = await main(`/order/${id}/invoice`);
    expect(invoice).toMatch(/Date: (\d{4}-\d\d-\d\d) Date of supply: \1/);
    expect(invoice).toMatch(/Tax summary Rate Net Tax Gross 7% €14\.02 €0\.98 €15\.00 19% €192\.52 €36\.58 €229\.10/i);
    expect(faults, faults.join('\n')).toEqual([]);
  });
});
