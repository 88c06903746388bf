import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectPage } from '../support/axe.js';
import { resultsDir, watchPageProblems } from '../support/browser.js';
import { startBuyingShop, type BuyingShop } from '../support/shop.js';
import { placeOrder } from './admin-fixtures.js';

/** The order page's action forms in Chromium: a buyer pays, the owner refunds one unit from the admin, the buyer sees it. */
describe('admin order actions in a real browser', () => {
  let shop: BuyingShop;

  beforeAll(async () => {
    shop = await startBuyingShop({ SELLER_COUNTRY: 'DE' });
  });
  afterAll(() => shop?.close());

  it('refunds one unit from the order page; the page, the buyer’s order and the refund mail show it', { timeout: 120_000 }, async () => {
    const { store, browser, gateway, idp } = shop;
    const buyer = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    for (const sku of ['vectorforge-pro-1y', 'inkwell-brushes']) {
      await buyer.goto(`${store.url}/${sku}`);
      await buyer.click('.add-to-cart button[type=submit]');
      await buyer.locator('.cart-message .notice').waitFor();
    }
    await buyer.goto(`${store.url}/checkout`);
    await buyer.waitForURL(`${idp.idp.issuer}/**`);
    await buyer.fill('#email', 'demo@example.com');
    await buyer.fill('#password', 'demo1234');
    await Promise.all([buyer.waitForURL(`${store.url}/checkout`), buyer.click('button[type=submit]')]);
    await Promise.all([buyer.waitForURL(`${gateway.url}/pay/**`), buyer.click('.checkout-form button[type=submit]')]);
    await Promise.all([buyer.waitForURL(`${store.url}/checkout/return**`), buyer.click('button[value=pay]')]);
    await buyer.waitForSelector('[data-order-status=fulfilled]', { timeout: 15_000 });
    const orderPath = (await buyer.locator('a[href^="/orders/"]').first().getAttribute('href')) ?? '';
    const orderId = orderPath.split('/').pop()!;
    expect(orderId).toMatch(/^ord_/);

    // The owner, with the CSP bypassed only so that axe-core can be injected.
    const owner = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
    const problems = watchPageProblems(owner);
    await owner.goto(`${store.url}/login?returnTo=/admin/orders/${orderId}`);
    await owner.fill('#email', 'owner@example.com');
    await owner.fill('#password', 'owner1234');
    await Promise.all([owner.waitForURL(`${store.url}/admin/orders/${orderId}`), owner.click('button[type=submit]')]);
    const faults = await inspectPage(owner, 'admin-order-actions');

    // Refused first: no reason. The message sits beside the field, the choice is kept.
    const item = await owner.locator('#refund-item option', { hasText: 'VECTORFORGE-PRO-1Y' }).getAttribute('value');
    await owner.selectOption('#refund-item', item!);
    await Promise.all([owner.waitForURL(`${store.url}/admin/orders/${orderId}/refund`), owner.click('#action-refund button[type=submit]')]);
    await expect(owner.locator('#refund-reason-error').textContent()).resolves.toContain('Write the reason for the refund');
    await expect(owner.locator('#refund-item').inputValue()).resolves.toBe(item);
    faults.push(...(await inspectPage(owner, 'admin-order-refund-refused')));
    // The actions alone on a phone, large enough to read in the screenshot.
    await owner.setViewportSize({ width: 390, height: 844 });
    await owner.locator('.admin-actions').screenshot({ path: `${resultsDir}/screenshots/admin-order-actions-panels-390.png` });
    await owner.setViewportSize({ width: 1280, height: 900 });

    await owner.fill('#refund-units', '1');
    await owner.fill('#refund-reason', 'Bought the wrong edition');
    await Promise.all([owner.waitForURL(/\?done=refunded$/), owner.click('#action-refund button[type=submit]')]);
    await expect(owner.locator('main .notice.success').textContent()).resolves.toContain('Refunded.');
    await expect(owner.locator('.status').first().textContent()).resolves.toBe('Partially refunded');
    await expect(owner.locator('.refunded-so-far').textContent()).resolves.toMatch(/^€[\d.,]+ \(1 unit\)$/);
    await expect(owner.locator('table.order-events').textContent()).resolves.toContain('(Bought the wrong edition)');
    faults.push(...(await inspectPage(owner, 'admin-order-refunded')));

    // An order in attention: the resolve form beside the reason.
    const product = await store.db.kysely
      .selectFrom('products')
      .select(['id', 'sku'])
      .where('sku', '=', 'INKWELL-BRUSHES')
      .executeTakeFirstOrThrow();
    const flagged = await placeOrder(store.db, {
      product,
      email: 'late@example.com',
      events: ['payment_mismatch'],
      attentionReason: 'Paid 100 EUR for an order of 1900 EUR: refund or settle by hand.',
    });
    await owner.goto(`${store.url}/admin/orders/${flagged}`);
    await expect(owner.locator('#action-resolve h3').textContent()).resolves.toBe('Resolve');
    faults.push(...(await inspectPage(owner, 'admin-order-attention')));
    expect(faults, faults.join('\n')).toEqual([]);
    // The one refused post answers 400, as it should; nothing else failed.
    expect(problems).toEqual(['console error: Failed to load resource: the server responded with a status of 400 (Bad Request)']);

    // The buyer sees the refunded unit on the order page.
    await buyer.goto(`${store.url}${orderPath}`);
    await expect(buyer.locator('main').textContent()).resolves.toContain(
      'Part of this order was refunded; the refunded items can no longer be used.',
    );
    const mail = await store.db.kysely
      .selectFrom('mail_outbox')
      .select(['subject', 'text_body'])
      .where('recipient', '=', 'demo@example.com')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(mail.subject).toMatch(/refunded$/);
    expect(mail.text_body).toContain('VECTORFORGE-PRO-1Y, 1 of 1 refunded');
  });
});
