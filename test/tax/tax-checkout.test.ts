import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService } from '../../src/discounts/discounts.service.js';
import { createTaxService } from '../../src/tax/tax.service.js';
import { dayOf } from '../../src/tax/tax.rules.js';
import { loginAs, type LoggedIn } from '../support/auth.js';
import { checkout, hiddenFields, review, startCheckoutShop, type CheckoutShop } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { testConfig } from '../support/env.js';
import { makeProduct } from '../support/factories.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';

const DAY = 86_400_000;

/** A page's text without its tags, spaces collapsed: what a reader sees. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;|\s+/g, ' ')
    .trim();
/** "€1,234.56" or "−€0.30" in cents. */
const cents = (money: string) => Number(money.replace(/[^\d−-]/g, '').replace('−', '-'));

/** An invoice table's body cells by their column label, one record per row, and its foot's values by label. */
function invoiceTable(html: string): { rows: Array<Record<string, string>>; foot: Record<string, string> } {
  const rows = [...(/<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => ({
    first: /^<td>([^<]*)</.exec(r[1]!)?.[1] ?? '',
    ...Object.fromEntries([...r[1]!.matchAll(/data-label="([^"]+)">([^<]*)</g)].map((c) => [c[1]!, c[2]!])),
  }));
  const foot = Object.fromEntries(
    [...(/<tfoot>([\s\S]*?)<\/tfoot>/.exec(html)?.[1] ?? '').matchAll(/<th[^>]*>([^<]*)<\/th><td[^>]*>([^<]*)</g)].map((c) => [
      c[1]!,
      c[2]!,
    ]),
  );
  return { rows, foot };
}

// A German seller on exclusive prices with the store's own tax service, rates the owner added
// (reduced categories for France, Switzerland outside the EU) and a clock the test moves.
describe.each(testDialects)('checkout by the rates table on %s', (dialect) => {
  let shop: CheckoutShop;
  let now = Date.now();
  const owner = () => createTaxService({ db: shop.t.db, config: testConfig({ SELLER_COUNTRY: 'DE' }), clock: () => now });

  beforeAll(async () => {
    shop = await startCheckoutShop(dialect, { SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'false' }, { clock: () => now });
    // Added before the first checkout reads (and keeps) the table.
    await owner().addRate({ country: 'FR', category: 'ebook', percent: '5.5', from: '2014-01-01' });
    await owner().addRate({ country: 'FR', category: 'reduced', percent: '10', from: '2014-01-01' });
    await owner().addRate({ country: 'CH', percent: '8.1', from: '2024-01-01', note: 'Swiss VAT' });
  });
  afterAll(() => shop?.close());

  /** A new buyer with these products (price, quantity, tax category) in the cart. */
  async function buyerWith(lines: Array<[price: number, quantity: number, taxCategory: string]>): Promise<LoggedIn> {
    const buyer = await loginAs(shop.t.app, 'new');
    for (const [price, quantity, taxCategory] of lines) {
      const p = await makeProduct(shop.fx.catalog, { price, taxCategory });
      const added = await buyer.browser.request('/cart', { form: { action: 'add', sku: p.sku, quantity: String(quantity) } });
      expect(added.status).toBe(303);
    }
    return buyer;
  }

  it('prices many lines at three rates with a code: the invoice’s totals are the sums of its lines, and the gateway charged them', async () => {
    const lines: Array<[number, number, string]> = [
      [1, 1, 'standard'],
      [333, 3, 'ebook'],
      [999, 2, 'reduced'],
      [1234, 1, 'standard'],
      [2599, 4, 'ebook'],
      [4999, 1, 'reduced'],
      [17, 5, 'standard'],
      [8888, 2, 'ebook'],
      [12_345, 1, 'reduced'],
      [77, 3, 'standard'],
      [1005, 1, 'ebook'],
      [65, 4, 'reduced'],
    ];
    const buyer = await buyerWith(lines);
    const code = await makeDiscount(createDiscountsService({ db: shop.t.db, catalog: shop.fx.catalog }), { percent: '15' });
    expect((await buyer.browser.request('/cart/discount', { form: { action: 'apply', code: code.code } })).status).toBe(303);
    const { page, res } = await checkout(buyer, { billingName: 'Marie Curie', billingCountry: 'FR' });
    expect(res.status).toBe(303);
    const reviewed = text(page.body);
    for (const rate of ['5.5 %', '10 %', '20 %']) expect(reviewed).toMatch(new RegExp(`Tax ${rate.replace('.', '\\.')} on €`));
    // The gateway's payment page, where the buyer is sent: each line's amount, as the invoice will say.
    const payPage = await (await fetch(res.location!)).text();
    const paidLines = [...payPage.matchAll(/<td class="num">([^<]*)<\/td>\s*<\/tr>/g)].map((m) => cents(m[1]!));

    const { order, session } = await shop.payAndSettle(buyer.user.sub);
    expect(order.status).toBe('fulfilled');
    expect(session.amount_total).toBe(order.total);
    const items = await shop.t.db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', order.id).execute();
    const count = (bp: number) => items.filter((i) => i.tax_rate_bp === bp).length;
    expect([count(550), count(1000), count(2000)]).toEqual([4, 4, 4]);

    const invoice = await buyer.browser.request(`/order/${order.id}/invoice`);
    expect(invoice.status).toBe(200);
    const [main, summary] = invoice.body.split('<caption>Tax summary</caption>');
    const { rows, foot } = invoiceTable(main!);
    expect(rows).toHaveLength(lines.length);
    expect(paidLines.sort((a, b) => a - b)).toEqual(rows.map((r) => cents(r.Gross!)).sort((a, b) => a - b));
    const sum = (col: string, of = rows) => of.reduce((n, r) => n + cents(r[col]!), 0);
    for (const r of rows) expect(cents(r.Net!) + cents(r.Tax!), JSON.stringify(r)).toBe(cents(r.Gross!));
    expect(cents(foot.Net!)).toBe(sum('Net'));
    expect(cents(foot.Tax!)).toBe(sum('Tax'));
    expect(cents(foot['Total paid']!)).toBe(sum('Gross'));
    expect(cents(foot['Total paid']!)).toBe(session.amount_total);
    expect(cents(foot.Tax!)).toBe(order.tax);
    // The summary per rate adds up the same lines.
    const byRate = invoiceTable(summary!).rows;
    expect(byRate.map((r) => r.first).sort()).toEqual(['10%', '20%', '5.5%']);
    for (const rate of ['5.5%', '10%', '20%']) {
      const [line] = byRate.filter((r) => r.first === rate);
      const of = rows.filter((r) => r.Rate === rate);
      expect([cents(line!.Net!), cents(line!.Tax!), cents(line!.Gross!)], rate).toEqual([sum('Net', of), sum('Tax', of), sum('Gross', of)]);
    }
  });

  it('charges a Swiss buyer the rate the owner set for Switzerland, and a country without a row none', async () => {
    const swiss = await buyerWith([[1000, 3, 'standard']]);
    const { res } = await checkout(swiss, { billingName: 'Heidi', billingCountry: 'CH', billingVatId: 'CHE-123.456.789 MWST' });
    expect(res.status).toBe(303);
    expect(await shop.orderOf(swiss.user.sub)).toMatchObject({ billing_country: 'CH', reverse_charge: 0, tax: 243, total: 3243 });
    const { order, session } = await shop.payAndSettle(swiss.user.sub);
    expect(session.amount_total).toBe(3243);
    const invoice = text((await swiss.browser.request(`/order/${order.id}/invoice`)).body);
    expect(invoice).toMatch(/€30\.00 8\.1% €2\.43 €32\.43/);
    // A Swiss number is taken as given (no EU format), without its spaces and dots.
    expect(invoice).toContain('VAT ID: CHE123456789MWST');
    expect(invoice).not.toContain('Reverse charge');

    const japanese = await buyerWith([[1000, 1, 'standard']]);
    const page = await review(japanese, { billingName: 'Aiko', billingCountry: 'JP' });
    expect(page.status).toBe(200);
    expect(hiddenFields(page.body).reviewedTotal).toBe('1000');
    expect(text(page.body)).not.toMatch(/Tax \d/);
  });

  it('takes a Greek VAT ID by its EL prefix (reverse charge), and refuses one with GR beside the field', async () => {
    const greek = await buyerWith([[1000, 1, 'standard']]);
    const billing = { billingName: 'Nikos', billingCompany: 'Nikos AE', billingCountry: 'GR', billingVatId: 'EL 123 456 789' };
    const refused = await checkout(greek, { ...billing, billingVatId: 'GR123456789' });
    expect(refused.page.status).toBe(400);
    expect(text(refused.page.body)).toContain(
      'A VAT ID from Greece starts with EL (your billing country): expected EL followed by 9 digits',
    );
    expect(await shop.countOrders(greek.user.sub)).toBe(0);
    const { page, res } = await checkout(greek, billing);
    expect(text(page.body)).toContain('Reverse charge: no VAT is charged');
    expect(res.status).toBe(303);
    expect(await shop.orderOf(greek.user.sub)).toMatchObject({ billing_vat_id: 'EL123456789', reverse_charge: 1, tax: 0, total: 1000 });
  });

  it('switches to a new rate at 00:00 UTC of its first day, and not before', async () => {
    // The clock only goes back (the identity provider's tokens follow the real one): a rise from today
    // and another from tomorrow, seen a minute before today began, at its start and now.
    const today = dayOf(Date.now());
    const midnight = Date.parse(`${today}T00:00:00Z`);
    // Entered by the owner in /admin/tax: the store's own table, which checkout sees at once.
    const admin = await loginAs(shop.t.app, 'owner');
    const rises: Array<[percent: string, from: string]> = [
      ['23', today],
      ['25', dayOf(Date.now() + DAY)],
    ];
    for (const [percent, from] of rises) {
      const added = await admin.browser.request('/admin/tax', { form: { country: 'IT', category: '', percent, from, note: '' } });
      expect(added.status).toBe(303);
    }
    const buyer = await buyerWith([[1000, 1, 'standard']]);
    const totalAt = async (at: number) => {
      now = at;
      const page = await review(buyer, { billingName: 'Dante', billingCountry: 'IT' });
      expect(page.status).toBe(200);
      return hiddenFields(page.body).reviewedTotal;
    };
    try {
      expect(await totalAt(midnight - 60_000)).toBe('1220');
      expect(await totalAt(midnight)).toBe('1230');
      expect(await totalAt(Date.now())).toBe('1230');
    } finally {
      now = Date.now();
    }
    const { res } = await checkout(buyer, { billingName: 'Dante', billingCountry: 'IT' });
    expect(res.status).toBe(303);
    expect(await shop.orderOf(buyer.user.sub)).toMatchObject({ tax: 230, total: 1230 });
  });
});

// A seller outside the EU: the table alone, no reverse charge for an EU business.
describe.each(testDialects)('checkout for a seller outside the EU on %s', (dialect) => {
  let shop: CheckoutShop;
  beforeAll(async () => {
    shop = await startCheckoutShop(dialect, { SELLER_COUNTRY: 'CH', PRICES_INCLUDE_TAX: 'false' });
    const config = testConfig({ SELLER_COUNTRY: 'CH' });
    await createTaxService({ db: shop.t.db, config }).addRate({ country: 'CH', percent: '8.1', from: '2024-01-01' });
    // The owner does not charge Germany: a row of 0 %.
    await createTaxService({ db: shop.t.db, config }).addRate({ country: 'DE', percent: '0', from: '2024-01-01' });
  });
  afterAll(() => shop?.close());

  it.each([
    [{ billingCountry: 'CH' }, '1081', 'Tax 8.1 %'],
    [{ billingCountry: 'FR', billingCompany: 'Dupont SARL', billingVatId: 'FR12345678901' }, '1200', 'Tax 20 %'],
    [{ billingCountry: 'DE', billingVatId: 'DE123456789' }, '1000', null],
    [{ billingCountry: 'US' }, '1000', null],
  ])('charges %j the table’s rate (total %s)', async (billing, total, taxRow) => {
    const buyer = await shop.buyerWith([{ price: 1000, quantity: 1 }]);
    const { page, res } = await checkout(buyer, { billingName: 'Buyer', ...billing });
    expect(hiddenFields(page.body).reviewedTotal).toBe(total);
    const shown = text(page.body);
    expect(shown).not.toContain('Reverse charge');
    if (taxRow) expect(shown).toContain(taxRow);
    else expect(shown).not.toMatch(/Tax \d/);
    expect(res.status).toBe(303);
    expect(await shop.orderOf(buyer.user.sub)).toMatchObject({ reverse_charge: 0, total: Number(total) });
  });
});
