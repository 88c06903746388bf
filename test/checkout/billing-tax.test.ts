import { formatMoney } from '../../src/platform/money.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LoggedIn } from '../support/auth.js';
import { memoryDiscounts } from '../support/checkout-domains.js';
import { createTaxService } from '../../src/tax/tax.service.js';
import type { CheckoutTax } from '../../src/checkout/checkout.types.js';
import {
  confirm as confirmWith,
  hiddenFields,
  review as reviewWith,
  startCheckoutShop,
  type CheckoutShop,
} from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { makeProduct } from '../support/factories.js';

interface BillingInput {
  billingName?: string;
  billingCountry?: string;
  billingCompany?: string;
  billingAddress?: string;
  billingVatId?: string;
}

describe.each(testDialects)('checkout billing, tax and codes on %s', (dialect) => {
  let shop: CheckoutShop;
  const taxOptions = { pricesIncludeTax: true };
  const codes = memoryDiscounts(() => shop.t.db);
  // The tax domain itself (a seller in Germany); only the price mode follows what each test sets.
  const tax: CheckoutTax = {
    get pricesIncludeTax() {
      return taxOptions.pricesIncludeTax;
    },
    assess: (billing, categories, at) =>
      createTaxService({
        db: shop.t.db,
        config: { tax: { sellerCountry: 'DE', pricesIncludeTax: taxOptions.pricesIncludeTax, provider: 'none' } },
      }).assess(billing, categories, at),
  };

  beforeAll(async () => {
    shop = await startCheckoutShop(
      dialect,
      {},
      {
        app: { checkoutDomains: { tax, discounts: codes.discounts } },
      },
    );
  });
  afterAll(() => shop?.close());
  beforeEach(() => {
    taxOptions.pricesIncludeTax = true;
  });

  const orderOf = (sub: string) => shop.orderOf(sub);
  const itemsOf = (orderId: string) => shop.t.db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', orderId).execute();
  const countOrders = (sub: string) => shop.countOrders(sub);
  /** A new buyer with `lines` in the cart. */
  const buyerWith = (lines: Array<{ price: number; quantity: number }>) => shop.buyerWith(lines);

  /** The review page for these billing details (the "Update total" submit). */
  const review = (buyer: LoggedIn, billing: BillingInput) =>
    reviewWith(buyer, { billingName: '', billingCountry: '', ...billing } as Record<string, string>);

  /** Confirms the reviewed page with these billing details, as the form posts them. */
  const confirm = (buyer: LoggedIn, reviewed: string, billing: BillingInput) =>
    confirmWith(buyer, reviewed, billing as Record<string, string>);

  /** Pays the order's session on the gateway and waits for the webhook to settle it. */
  async function pay(sub: string) {
    const paid = await shop.payAndSettle(sub);
    expect(paid.order.status).toBe('fulfilled');
    return paid;
  }

  it('charges a consumer in Germany the included 19 %, per line, and the gateway exactly the order total', async () => {
    const buyer = await buyerWith([
      { price: 1190, quantity: 2 },
      { price: 999, quantity: 1 },
    ]);
    const page = await review(buyer, { billingName: 'Erika Mustermann', billingCountry: 'DE' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('Included tax 19 %');
    const res = await confirm(buyer, page.body, { billingName: 'Erika Mustermann', billingCountry: 'DE', billingAddress: 'Hauptstr. 1' });
    expect(res.status).toBe(303);
    const order = await orderOf(buyer.user.sub);
    // 2380 includes 380; 999 includes round(999 × 19 / 119) = 160
    expect(order).toMatchObject({
      billing_name: 'Erika Mustermann',
      billing_country: 'DE',
      billing_address: 'Hauptstr. 1',
      reverse_charge: 0,
      prices_include_tax: 1,
      subtotal: 3379,
      tax: 540,
      total: 3379,
    });
    const items = await itemsOf(order.id);
    expect(items.map((i) => [i.tax_rate_bp, i.net, i.tax, i.gross])).toEqual([
      [1900, 2000, 380, 2380],
      [1900, 839, 160, 999],
    ]);
    const { session } = await pay(buyer.user.sub);
    expect(session.amount_total).toBe(order.total);
    // The invoice states the same total (paid amount = order total = invoice total).
    const invoice = await buyer.browser.request(`/order/${order.id}/invoice`);
    expect(invoice.status).toBe(200);
    expect(invoice.body).toContain(formatMoney(order.total, 'EUR'));
  });

  it('adds 20 % for a consumer in France on exclusive prices, with a code whose discount does not divide by the quantity', async () => {
    taxOptions.pricesIncludeTax = false;
    const buyer = await buyerWith([{ price: 999, quantity: 3 }]);
    codes.add(`TEN-${dialect}`, 10);
    await codes.applyToCart(buyer.user.sub, `TEN-${dialect}`);
    const page = await review(buyer, { billingName: 'Marie Curie', billingCountry: 'FR' });
    expect(page.body).toContain(`Discount (code TEN-${dialect})`);
    expect(hiddenFields(page.body).reviewedTotal).toBe('3236'); // (2997 − 300) + 539
    expect((await confirm(buyer, page.body, { billingName: 'Marie Curie', billingCountry: 'FR' })).status).toBe(303);
    const order = await orderOf(buyer.user.sub);
    expect(order).toMatchObject({
      discount_code: `TEN-${dialect}`,
      discount: 300,
      subtotal: 2997,
      tax: 539,
      total: 3236,
      prices_include_tax: 0,
    });
    expect((await itemsOf(order.id)).map((i) => [i.discount, i.net, i.tax, i.gross])).toEqual([[300, 2697, 539, 3236]]);
    const lines = shop.gateway.session(order.payment_ref!);
    expect(lines.amount_total).toBe(3236);
    const { session } = await pay(buyer.user.sub);
    expect(session.amount_total).toBe(3236);
  });

  it('charges a French business with a VAT ID no VAT under the reverse charge, and prefills all its details next time', async () => {
    const buyer = await buyerWith([{ price: 1200, quantity: 1 }]);
    const billing = {
      billingName: 'Jean Dupont',
      billingCompany: 'Dupont SARL',
      billingAddress: '3 quai de Bercy\n75012 Paris',
      billingCountry: 'FR',
      billingVatId: 'FR 12 345678901',
    };
    const page = await review(buyer, billing);
    expect(page.body).toContain('Reverse charge');
    expect((await confirm(buyer, page.body, billing)).status).toBe(303);
    const order = await orderOf(buyer.user.sub);
    // 1200 included 200 of French VAT: the business pays the net
    expect(order).toMatchObject({
      reverse_charge: 1,
      billing_vat_id: 'FR12345678901',
      billing_company: 'Dupont SARL',
      tax: 0,
      total: 1000,
    });
    const { session } = await pay(buyer.user.sub);
    expect(session.amount_total).toBe(1000);
    // The invoice says why there is no VAT, and names the buyer's VAT ID.
    const invoice = (await buyer.browser.request(`/order/${order.id}/invoice`)).body;
    expect(invoice).toContain('Reverse charge: VAT to be accounted for by the recipient');
    expect(invoice).toContain('VAT ID: FR12345678901');
    expect(invoice).toMatch(/<th[^>]*>Tax<\/th><td class="num">€0\.00</);
    // The next checkout's form starts from this order's billing details, company, address and VAT ID too.
    const p = await makeProduct(shop.fx.catalog, { price: 500 });
    await buyer.browser.request('/cart', { form: { action: 'add', sku: p.sku, quantity: '1' } });
    const again = await buyer.browser.request('/checkout');
    expect(again.body).toContain('value="Jean Dupont"');
    expect(again.body).toContain('value="Dupont SARL"');
    expect(again.body).toMatch(/<textarea[^>]*billingAddress[^>]*>3 quai de Bercy\n75012 Paris<\/textarea>/);
    expect(again.body).toMatch(/<option value="FR" selected/);
    expect(again.body).toContain('value="FR12345678901"');
    expect(again.body).toContain('Reverse charge');
  });

  it('charges a buyer in the United States no tax, and prefills the next checkout with their details', async () => {
    taxOptions.pricesIncludeTax = false;
    const buyer = await buyerWith([{ price: 2500, quantity: 1 }]);
    const page = await review(buyer, { billingName: 'Ada Lovelace', billingCountry: 'US' });
    expect((await confirm(buyer, page.body, { billingName: 'Ada Lovelace', billingCountry: 'US' })).status).toBe(303);
    expect(await orderOf(buyer.user.sub)).toMatchObject({ billing_country: 'US', tax: 0, total: 2500 });
    const { session } = await pay(buyer.user.sub);
    expect(session.amount_total).toBe(2500);
    const p = await makeProduct(shop.fx.catalog, { price: 500 });
    await buyer.browser.request('/cart', { form: { action: 'add', sku: p.sku, quantity: '1' } });
    const again = await buyer.browser.request('/checkout');
    expect(again.body).toContain('value="Ada Lovelace"');
    expect(again.body).toMatch(/<option value="US" selected/);
  });

  it.each([
    ['a missing name', { billingName: ' ', billingCountry: 'DE', billingCompany: 'Kept GmbH' }, 'Please enter the name'],
    ['an unknown country', { billingName: 'A', billingCountry: 'XX', billingCompany: 'Kept GmbH' }, 'choose your country'],
    ['a malformed VAT ID', { billingName: 'A', billingCountry: 'DE', billingCompany: 'Kept GmbH', billingVatId: 'hello!' }, 'two-letter'],
    [
      'a VAT ID of another country',
      { billingName: 'A', billingCountry: 'FR', billingCompany: 'Kept GmbH', billingVatId: 'DE123456789' },
      'A VAT ID from France starts with FR \\(your billing country\\)',
    ],
  ])(
    'refuses %s with a 400, the message beside the field and the typed values kept; nothing is written',
    async (_what, billing, message) => {
      const buyer = await buyerWith([{ price: 1000, quantity: 1 }]);
      const page = await review(buyer, { billingName: 'A', billingCountry: 'DE' });
      const res = await confirm(buyer, page.body, billing);
      expect(res.status).toBe(400);
      expect(res.body).toMatch(new RegExp(`class="field-error"[^>]*>[^<]*${message}`));
      expect(res.body).toContain('value="Kept GmbH"');
      expect(await countOrders(buyer.user.sub)).toBe(0);
      // The same details on "Update total" are refused the same way (the name only matters for the order).
      if (billing.billingName.trim()) expect((await review(buyer, billing)).status).toBe(400);
    },
  );

  it('refuses a confirmation after a country change with price_changed and shows the new total, the new country kept', async () => {
    taxOptions.pricesIncludeTax = false;
    const buyer = await buyerWith([{ price: 1000, quantity: 1 }]);
    const page = await review(buyer, { billingName: 'A', billingCountry: 'DE' });
    expect(hiddenFields(page.body).reviewedTotal).toBe('1190');
    const res = await confirm(buyer, page.body, { billingName: 'A', billingCountry: 'FR' });
    expect(res.status).toBe(409);
    expect(res.body).toContain('The total changed to');
    expect(res.body).toMatch(/<option value="FR" selected/);
    expect(hiddenFields(res.body).reviewedTotal).toBe('1200');
    expect(await countOrders(buyer.user.sub)).toBe(0);
    expect((await confirm(buyer, res.body, { billingName: 'A', billingCountry: 'FR' })).status).toBe(303);
    expect(await orderOf(buyer.user.sub)).toMatchObject({ billing_country: 'FR', total: 1200, tax: 200 });
  });

  it('refuses a code that ended between review and confirmation, writes nothing, then sells without it', async () => {
    const buyer = await buyerWith([{ price: 2000, quantity: 1 }]);
    const code = codes.add(`END-${dialect}`, 50);
    await codes.applyToCart(buyer.user.sub, `END-${dialect}`);
    const page = await review(buyer, { billingName: 'A', billingCountry: 'DE' });
    expect(hiddenFields(page.body)).toMatchObject({ reviewedTotal: '1000', reviewedCode: `END-${dialect}` });
    code.valid = false;
    const res = await confirm(buyer, page.body, { billingName: 'A', billingCountry: 'DE' });
    expect(res.status).toBe(409);
    expect(res.body).toContain(`The code END-${dialect} no longer applies`);
    expect(await countOrders(buyer.user.sub)).toBe(0);
    expect(hiddenFields(res.body).reviewedTotal).toBe('2000');
    expect(hiddenFields(res.body).reviewedCode ?? '').toBe('');
    expect((await confirm(buyer, res.body, { billingName: 'A', billingCountry: 'DE' })).status).toBe(303);
    expect(await orderOf(buyer.user.sub)).toMatchObject({ discount_code: null, discount: 0, total: 2000 });
  });

  it('writes nothing and closes the payment session when the code is used up while the order is written', async () => {
    const buyer = await buyerWith([{ price: 2000, quantity: 1 }]);
    const code = codes.add(`LAST-${dialect}`, 25, 1);
    await codes.applyToCart(buyer.user.sub, `LAST-${dialect}`);
    const page = await review(buyer, { billingName: 'A', billingCountry: 'DE' });
    code.usesLeft = 0;
    const res = await confirm(buyer, page.body, { billingName: 'A', billingCountry: 'DE' });
    expect(res.status).toBe(409);
    expect(res.body).toContain('used up');
    expect(await countOrders(buyer.user.sub)).toBe(0);
    expect(code.redeemed).toEqual([]);
    const expired = shop.gateway.events().filter((e) => e.event.type === 'checkout.session.expired');
    expect(expired.length).toBeGreaterThan(0);
  });
});
