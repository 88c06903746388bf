import { formatMoney } from '../../src/platform/money.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService } from '../../src/discounts/discounts.service.js';
import { createTaxRepo } from '../../src/tax/tax.repo.js';
import type { TaxRateRow } from '../../src/tax/tax.rules.js';
import type { LoggedIn } from '../support/auth.js';
import { checkout, hiddenFields, startCheckoutShop, type CheckoutShop } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';
import { followStoreRates } from '../../dev/store-rates.js';
import { loginAs } from '../support/auth.js';

// TAX_PROVIDER=stripe: the gateway computes the tax (automatic_tax) from the rates table, and the order records what it charged.
describe.each(testDialects)('TAX_PROVIDER=stripe through the development gateway on %s', (dialect) => {
  let shop: CheckoutShop;
  let rates: TaxRateRow[] = [];

  beforeAll(async () => {
    const env = { SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'false', TAX_PROVIDER: 'stripe' };
    shop = await startCheckoutShop(dialect, env, { gateway: { taxRates: () => rates } });
    rates = await createTaxRepo(shop.t.db).all();
  });
  afterAll(() => shop?.close());

  async function order(buyer: LoggedIn, billing: Record<string, string>) {
    const { page, res } = await checkout(buyer, billing);
    expect(res.status).toBe(303);
    return { reviewed: Number(hiddenFields(page.body).reviewedTotal), placed: await shop.orderOf(buyer.user.sub) };
  }
  const buyerWith = (price: number, quantity: number, code?: string) => shop.buyerWith([{ price, quantity }], code);

  it('sends the lines before tax with automatic tax; the gateway charges what the order says, to the cent', async () => {
    const code = await makeDiscount(createDiscountsService({ db: shop.t.db, catalog: shop.fx.catalog }), { percent: '10' });
    const buyer = await buyerWith(999, 3, code.code);
    const { reviewed, placed } = await order(buyer, { billingName: 'Marie', billingCountry: 'FR' });
    expect(reviewed).toBe(3236);
    const sent = shop.gateway.session(placed.payment_ref!) as Record<string, unknown>;
    expect(sent.automatic_tax).toMatchObject({ enabled: true });
    expect(sent.amount_total).toBe(3236);
    const { order: paid, session } = await shop.payAndSettle(buyer.user.sub);
    expect(paid).toMatchObject({ status: 'fulfilled', tax: 539, total: 3236 });
    expect(session.total_details).toMatchObject({ amount_tax: 539 });
    expect(session.amount_total).toBe(paid.total);
    expect((await buyer.browser.request(`/order/${paid.id}/invoice`)).body).toContain(formatMoney(paid.total, 'EUR'));
  });

  it('records the tax the gateway computed when its rate differs from the store’s', async () => {
    const buyer = await buyerWith(1000, 2);
    const { placed } = await order(buyer, { billingName: 'Marie', billingCountry: 'FR' });
    expect(placed).toMatchObject({ tax: 400, total: 2400 });
    // The gateway's rates say 21 % for France by the time it computes the tax.
    const shopRates = rates;
    rates = shopRates.map((r) => (r.country === 'FR' ? { ...r, rateBp: 2100 } : r));
    try {
      const fresh = await buyerWith(1000, 2);
      await order(fresh, { billingName: 'Marie', billingCountry: 'FR' });
      const { order: paid, session } = await shop.payAndSettle(fresh.user.sub);
      expect(session.amount_total).toBe(2420);
      expect(paid).toMatchObject({ status: 'fulfilled', tax: 420, total: 2420 });
      // The lines carry the gateway's tax too, so the invoice (its totals are its lines') says what was paid.
      const items = await shop.t.db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', paid.id).execute();
      expect(items.map((i) => [i.net, i.tax, i.gross, i.tax_rate_bp])).toEqual([[2000, 420, 2420, 2100]]);
      const invoice = (await fresh.browser.request(`/order/${paid.id}/invoice`)).body;
      expect(invoice).toContain(formatMoney(2420, 'EUR'));
      expect(invoice).toContain(formatMoney(420, 'EUR'));
      expect(invoice).not.toContain(formatMoney(2400, 'EUR'));
    } finally {
      rates = shopRates;
    }
  });

  it('leaves the reverse charge to the store: no automatic tax, the net charged', async () => {
    const buyer = await buyerWith(1000, 1);
    const { placed } = await order(buyer, { billingName: 'Dupont SARL', billingCountry: 'FR', billingVatId: 'FR12345678901' });
    expect((shop.gateway.session(placed.payment_ref!) as Record<string, unknown>).automatic_tax).toMatchObject({ enabled: false });
    const { order: paid, session } = await shop.payAndSettle(buyer.user.sub);
    expect(paid).toMatchObject({ status: 'fulfilled', reverse_charge: 1, tax: 0, total: 1000 });
    expect(session.amount_total).toBe(1000);
  });
});

// The same with tax-inclusive prices: the lines go at their price with the tax inside (tax_behavior
// inclusive), so the buyer pays the price shown and only the split between net and tax follows the gateway.
describe.each(testDialects)('TAX_PROVIDER=stripe with prices including tax on %s', (dialect) => {
  let shop: CheckoutShop;
  let rates: TaxRateRow[] = [];

  beforeAll(async () => {
    const env = { SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'true', TAX_PROVIDER: 'stripe' };
    shop = await startCheckoutShop(dialect, env, { gateway: { taxRates: () => rates } });
    rates = await createTaxRepo(shop.t.db).all();
  });
  afterAll(() => shop?.close());

  async function buyAt(country: string) {
    const buyer = await shop.buyerWith([{ price: 1190, quantity: 2 }]);
    const { page, res } = await checkout(buyer, { billingName: 'Marie', billingCountry: country });
    expect(res.status).toBe(303);
    expect(hiddenFields(page.body).reviewedTotal).toBe('2380');
    const placed = await shop.orderOf(buyer.user.sub);
    expect((shop.gateway.session(placed.payment_ref!) as Record<string, unknown>).automatic_tax).toMatchObject({ enabled: true });
    const { order, session } = await shop.payAndSettle(buyer.user.sub);
    const items = await shop.t.db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', order.id).execute();
    return { buyer, order, session, lines: items.map((i) => [i.net, i.tax, i.gross, i.tax_rate_bp]) };
  }

  it('charges the price shown, the French VAT inside it as the store computed it', async () => {
    const { buyer, order, session, lines } = await buyAt('FR');
    // 2380 contains round(2380 × 20 / 120) = 397
    expect(session).toMatchObject({ amount_subtotal: 2380, amount_total: 2380, total_details: { amount_tax: 397 } });
    expect(order).toMatchObject({ status: 'fulfilled', tax: 397, total: 2380 });
    expect(lines).toEqual([[1983, 397, 2380, 2000]]);
    const invoice = (await buyer.browser.request(`/order/${order.id}/invoice`)).body;
    expect(invoice).toContain(formatMoney(397, 'EUR'));
    expect(invoice).toContain(formatMoney(2380, 'EUR'));
  });

  it('keeps the total and records the gateway’s tax inside it when its rate differs', async () => {
    const shopRates = rates;
    rates = shopRates.map((r) => (r.country === 'FR' ? { ...r, rateBp: 2100 } : r));
    try {
      const { order, session, lines } = await buyAt('FR');
      // 2380 contains round(2380 × 21 / 121) = 413
      expect(session).toMatchObject({ amount_total: 2380, total_details: { amount_tax: 413 } });
      expect(order).toMatchObject({ status: 'fulfilled', tax: 413, total: 2380 });
      expect(lines).toEqual([[1967, 413, 2380, 2100]]);
    } finally {
      rates = shopRates;
    }
  });
});

// `npm start` feeds the development gateway the store's table as it is now (dev/store-rates.ts): a
// rate the owner adds in /admin/tax is the one the gateway's automatic tax charges.
describe.each(testDialects)('the development gateway following the store’s rates table on %s', (dialect) => {
  let shop: CheckoutShop;
  let follow: ReturnType<typeof followStoreRates> | undefined;

  beforeAll(async () => {
    const env = { SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'false', TAX_PROVIDER: 'stripe' };
    shop = await startCheckoutShop(dialect, env, { gateway: { taxRates: () => follow!.taxRates() } });
    follow = followStoreRates(shop.t.db, 60_000);
    await follow.refresh();
  });
  afterAll(async () => {
    follow?.stop();
    await shop?.close();
  });

  it('charges a Swiss buyer the rate the owner added for Switzerland', async () => {
    const owner = await loginAs(shop.t.app, 'owner');
    const added = await owner.browser.request('/admin/tax', {
      form: { country: 'CH', category: '', percent: '8.1', from: '2024-01-01', note: 'Swiss VAT' },
    });
    expect(added.status).toBe(303);
    await follow!.refresh();
    const buyer = await shop.buyerWith([{ price: 1000, quantity: 2 }]);
    const { page, res } = await checkout(buyer, { billingName: 'Heidi', billingCountry: 'CH' });
    expect(res.status).toBe(303);
    expect(hiddenFields(page.body).reviewedTotal).toBe('2162');
    const { order, session } = await shop.payAndSettle(buyer.user.sub);
    expect(session).toMatchObject({ amount_total: 2162, automatic_tax: { enabled: true }, total_details: { amount_tax: 162 } });
    expect(order).toMatchObject({ status: 'fulfilled', tax: 162, total: 2162 });
  });
});
