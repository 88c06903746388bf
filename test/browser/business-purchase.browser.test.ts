import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectPage } from '../support/axe.js';
import { resultsDir, watchPageProblems, logIn as logInAt } from '../support/browser.js';
import { startBuyingShop, type BuyingShop } from '../support/shop.js';

const work = mkdtempSync(join(tmpdir(), 'business-purchase-'));

/**
 * A PDF as the buyer downloads it: each page rendered to test-results/screenshots/<name>-<n>.png
 * with poppler's pdftoppm (to be looked at), and its text in reading layout from pdftotext.
 */
function renderPdf(name: string, pdf: Buffer): { text: string; pages: number } {
  const file = join(work, `${name}.pdf`);
  writeFileSync(file, pdf);
  const out = join(resultsDir, 'screenshots');
  mkdirSync(out, { recursive: true });
  const ownPages = () => readdirSync(out).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'));
  for (const f of ownPages()) rmSync(join(out, f)); // a longer earlier run's pages would be counted
  execFileSync('pdftoppm', ['-png', '-r', '110', file, join(out, name)]);
  return { text: execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }), pages: ownPages().length };
}

/** Collapses runs of spaces so that assertions do not depend on pdftotext's column layout. */
const flat = (text: string) => text.replace(/[ \t]+/g, ' ');

/**
 * Issue 18 end to end in Chromium: an EU business buyer (FR, VAT ID) with a discount code buys from
 * a German seller under the reverse charge, one unit is refunded by the owner, and the invoice and
 * credit note (page and PDF) say what happened, with the same totals everywhere.
 */
describe('a business purchase with a discount code and a partial refund', () => {
  let shop: BuyingShop;

  beforeAll(async () => {
    shop = await startBuyingShop({
      SELLER_COUNTRY: 'DE',
      SELLER_NAME: 'Pixel & Key GmbH',
      SELLER_ADDRESS: 'Hauptstraße 1\n10115 Berlin\nGermany',
      SELLER_TAX_ID: 'DE123456789',
    });
  });
  afterAll(async () => {
    await shop?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const logIn = (page: Page, email: string, password: string, returnTo: string) => logInAt(page, shop.store.url, email, password, returnTo);

  it('prices, pays, refunds one unit and documents it all', { timeout: 180_000 }, async () => {
    const { store, browser, gateway } = shop;
    const faults: string[] = [];
    const text = (page: Page, selector: string) =>
      page
        .locator(selector)
        .first()
        .innerText()
        .then((t) => t.trim());

    // The owner creates a 10 % code through /admin/discounts.
    const owner = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
    const ownerProblems = watchPageProblems(owner);
    await logIn(owner, 'owner@example.com', 'owner1234', '/admin/discounts');
    await owner.fill('#discount-code', 'B2B10');
    await owner.check('input[name=kind][value=percent]');
    await owner.fill('#discount-percent', '10');
    await Promise.all([
      owner.waitForURL(`${store.url}/admin/discounts?done=created`),
      owner.click('.admin-discount-form button[type=submit]'),
    ]);
    await expect(text(owner, 'tr[data-code=B2B10] [data-role=state]')).resolves.toBe('Active');

    // The buyer: two Palette Lab keys and the Inkwell brushes, then the code in the cart (plain form).
    const buyer = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
    const buyerProblems = watchPageProblems(buyer);
    await logIn(buyer, 'demo@example.com', 'demo1234', '/palette-lab');
    await buyer.fill('#quantity', '2');
    await buyer.click('.add-to-cart button[type=submit]');
    await buyer.locator('.cart-message .notice').waitFor();
    await buyer.goto(`${store.url}/inkwell-brushes`);
    await buyer.click('.add-to-cart button[type=submit]');
    await buyer.locator('.cart-message .notice').waitFor();
    await buyer.goto(`${store.url}/cart`);
    await buyer.fill('#discount-code', 'b2b10');
    await Promise.all([
      buyer.waitForURL(`${store.url}/cart?notice=discount_applied`),
      buyer.click('.cart-discount-form button[type=submit]'),
    ]);
    // 2 × €19.00 + €15.00 = €53.00, 10 % off: €47.70 (prices include tax; the buyer's country is not known yet).
    await expect(text(buyer, '#cart-subtotal')).resolves.toBe('€53.00');
    await expect(text(buyer, '#cart-discount')).resolves.toBe('−€5.30');
    await expect(text(buyer, '#cart-total')).resolves.toBe('€47.70');
    const lineDiscounts = await buyer.locator('[data-role=line-discount]').allTextContents();
    expect(lineDiscounts.map((t) => t.trim())).toEqual(['−€3.80 · now €34.20', '−€1.50 · now €13.50']);
    faults.push(...(await inspectPage(buyer, 'business-cart')));

    // Checkout: billing details of a French company with its VAT ID, re-priced with "Update total".
    await buyer.goto(`${store.url}/checkout`);
    await buyer.fill('#checkout-billingName', 'Camille Martin');
    await buyer.fill('#checkout-billingCompany', 'Atelier Lumière SARL');
    await buyer.fill('#checkout-billingAddress', '12 rue de la Paix\n75002 Paris');
    await buyer.selectOption('#checkout-billingCountry', 'FR');
    await buyer.fill('#checkout-billingVatId', 'FR40303265045');
    await Promise.all([buyer.waitForURL(/\/checkout\?/), buyer.click('.checkout-form button[formmethod=get]')]);
    const review = (await text(buyer, 'main')).replace(/\s+/g, ' ');
    expect(review).toContain('Reverse charge: no VAT is charged');
    expect(review).toContain('Discount (code B2B10) −€5.30');
    // 47.70 − 39.75: the French VAT the prices included, not charged.
    expect(review).toContain('VAT included in the prices, deducted (reverse charge) −€7.95');
    expect(review).not.toMatch(/tax \d+ %|Included tax|Tax \d/);
    // Under the reverse charge the included French VAT (20 %) comes off: 34.20 / 1.2 + 13.50 / 1.2.
    const total = '€39.75';
    await expect(text(buyer, '.checkout-form button.primary')).resolves.toBe(`Pay ${total}`);
    await expect(text(buyer, 'tfoot tr.total td, tfoot .total .num')).resolves.toBe(total);
    faults.push(...(await inspectPage(buyer, 'business-checkout-review')));

    // The gateway's page asks for the same amount; paying settles the order.
    await Promise.all([buyer.waitForURL(`${gateway.url}/pay/**`), buyer.click('.checkout-form button.primary')]);
    await expect(text(buyer, '[data-testid=total]')).resolves.toBe(total);
    await Promise.all([buyer.waitForURL(`${store.url}/checkout/return**`), buyer.click('button[value=pay]')]);
    await buyer.waitForSelector('[data-order-status=fulfilled]', { timeout: 15_000 });
    const orderPath = (await buyer.locator('a[href^="/orders/"]').first().getAttribute('href'))!;
    const orderId = orderPath.split('/').pop()!;
    await buyer.goto(store.url + orderPath);
    await expect(text(buyer, 'main')).resolves.toContain(total);

    // The owner refunds one of the two keys from the order's admin page.
    await owner.goto(`${store.url}/admin/orders/${orderId}`);
    const item = await owner.locator('#refund-item option', { hasText: 'PALETTE-LAB' }).getAttribute('value');
    await owner.selectOption('#refund-item', item!);
    await owner.fill('#refund-units', '1');
    await owner.fill('#refund-reason', 'One seat too many');
    await Promise.all([owner.waitForURL(/\?done=refunded$/), owner.click('#action-refund button[type=submit]')]);
    await expect(text(owner, '.status')).resolves.toBe('Partially refunded');

    // The buyer's order page: the refunded amount (one key at its discounted net price), the net total, the credit note.
    const refunded = '€14.25'; // (19.00 − 1.90) / 1.2
    const after = '€25.50';
    await buyer.goto(store.url + orderPath);
    const orderText = (await text(buyer, 'main')).replace(/\s+/g, ' ');
    expect(orderText).toContain('Part of this order was refunded');
    expect(orderText).toContain(`Refunded −${refunded}`);
    expect(orderText).toContain(`Total after refunds ${after}`);
    // Price × quantity − discount (€47.70) reconciles with the total through the VAT the prices included.
    expect(orderText).toContain(
      'Prices after discounts (VAT included) €47.70 VAT included in the prices, deducted (reverse charge) −€7.95',
    );
    const noteLink = buyer.locator('.order-credit-notes a').first();
    const notePath = (await noteLink.getAttribute('href'))!;
    const noteNumber = (await noteLink.textContent())!.replace('Credit note ', '').trim();
    expect(noteNumber).toMatch(/^CN-\d{4}-\d+$/);
    faults.push(...(await inspectPage(buyer, 'business-order-refunded')));

    // The invoice and the credit note as pages…
    await buyer.goto(`${store.url}/order/${orderId}/invoice`);
    const invoicePage = (await text(buyer, 'main')).replace(/\s+/g, ' ');
    for (const s of [
      'Atelier Lumière SARL',
      'FR40303265045',
      'DE123456789',
      'B2B10',
      'Reverse charge',
      total,
      'Prices after discounts (VAT included) €47.70 VAT included in the prices, deducted (reverse charge) −€7.95 Net €39.75',
    ])
      expect(invoicePage).toContain(s);
    faults.push(...(await inspectPage(buyer, 'business-invoice')));
    await buyer.goto(store.url + notePath);
    await expect(text(buyer, 'main h1')).resolves.toBe(`Credit note ${noteNumber}`);
    await expect(text(buyer, 'main')).resolves.toContain(refunded);
    faults.push(...(await inspectPage(buyer, 'business-credit-note')));

    // …and as the PDFs the buyer downloads (with the session cookie of the buyer's browser).
    const get = async (path: string) => {
      const response = await buyer.context().request.get(store.url + path);
      expect(response.status(), path).toBe(200);
      expect(response.headers()['content-type']).toBe('application/pdf');
      return response.body();
    };
    const invoice = renderPdf('business-invoice-pdf', await get(`/order/${orderId}/invoice.pdf`));
    expect(invoice.pages).toBeGreaterThanOrEqual(1);
    const inv = flat(invoice.text);
    for (const s of [
      'Pixel & Key GmbH',
      'VAT ID: DE123456789',
      'Atelier Lumière SARL',
      'France',
      'VAT ID: FR40303265045',
      'Discount code: B2B10',
      'Date of supply: 20',
      'Prices after discounts (VAT included) €47.70',
      'VAT included in the prices, deducted (reverse charge) -€7.95',
      'Palette Lab (PALETTE-LAB), 1 refunded 2 €19.00 -€3.80 €28.50 0% €0.00 €28.50',
      'Inkwell Brush Pack (INKWELL-BRUSHES) 1 €15.00 -€1.50 €11.25 0% €0.00 €11.25',
      'Total paid €39.75',
      'Refunded -€14.25',
      'Total after refunds €25.50',
      'Reverse charge: VAT to be accounted for by the recipient',
      `Credit note ${noteNumber}: €14.25`,
    ])
      expect(inv, s).toContain(s);
    expect(inv).not.toContain('"'); // a glyph the PDF font lacks
    const note = renderPdf('business-credit-note-pdf', await get(`${notePath}.pdf`));
    const cn = flat(note.text);
    for (const s of [noteNumber, 'Pixel & Key GmbH', 'DE123456789', 'Atelier Lumière SARL', 'FR40303265045', '14.25', 'Palette Lab'])
      expect(cn, s).toContain(s);

    expect(faults, faults.join('\n')).toEqual([]);
    expect(ownerProblems, ownerProblems.join('\n')).toEqual([]);
    expect(buyerProblems, buyerProblems.join('\n')).toEqual([]);
  });
});
