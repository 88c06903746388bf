import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import { checkout, review, startCheckoutShop, type CheckoutShop } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';

// A cart's code through checkout: the same discounted lines and total everywhere; a code that takes off
// the whole total is refused (the store takes no order without a payment), saying the code is why.
describe.each(testDialects)('a discount code at checkout on %s', (dialect) => {
  let shop: CheckoutShop;
  let discounts: DiscountsService;

  beforeAll(async () => {
    shop = await startCheckoutShop(dialect, { SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'true' }, { webhooks: 'none' });
    discounts = createDiscountsService({ db: shop.t.db, catalog: shop.fx.catalog });
  });
  afterAll(() => shop?.close());

  it('says the code is why on the review page, refuses the order with a 400, writes nothing, and sells at full price once it is removed', async () => {
    const code = await makeDiscount(discounts, { percent: '100' });
    const buyer = await shop.buyerWith([{ price: 1500, quantity: 2 }], code.code);
    const billing = { billingName: 'Ada Lovelace', billingCountry: 'DE' };
    const page = await review(buyer, billing);
    // The review page says so in place of the order (as for an empty cart); a post of it is a 400.
    expect(page.status).toBe(200);
    expect(page.body).toContain(`The code ${code.code} takes off the whole total`);
    expect(page.body).not.toContain('name="reviewedTotal"');
    const posted = await buyer.browser.request('/checkout', { form: { idempotencyKey: 'k-covers-total-0123456789', ...billing } });
    expect(posted.status).toBe(400);
    expect(posted.body).toContain(`The code ${code.code} takes off the whole total`);
    const orders = await shop.t.db.kysely.selectFrom('orders').select('id').where('user_sub', '=', buyer.user.sub).execute();
    expect(orders).toHaveLength(0);
    expect(
      (await shop.t.db.kysely.selectFrom('discount_codes').select('uses').where('id', '=', code.id).executeTakeFirstOrThrow()).uses,
    ).toBe(0);

    await buyer.browser.request('/cart/discount', { form: { action: 'remove' } });
    const full = await review(buyer, billing);
    expect(full.status).toBe(200);
    expect(full.body).toContain('name="reviewedTotal" value="3000"');
  });

  it('shows the same discounted lines and total in the JSON cart, the review, the order and the gateway session', async () => {
    const code = await makeDiscount(discounts, { kind: 'fixed', percent: '', amounts: 'EUR 10.00' });
    const buyer = await shop.buyerWith([
      { price: 1999, quantity: 1 },
      { price: 333, quantity: 3 },
    ]);
    const applied = await buyer.browser.request('/api/cart/discount', { form: { code: code.code.toLowerCase() } });
    expect(applied.status).toBe(200);
    const cart = JSON.parse(applied.body) as {
      items: Array<{ sku: string }>;
      discount: { applied: boolean; perLine: number[]; total: number; totalAfter: number };
    };
    expect(cart.discount).toMatchObject({ applied: true, total: 1000, totalAfter: 1999 + 999 - 1000 });
    const cartBySku = Object.fromEntries(cart.items.map((l, i) => [l.sku, cart.discount.perLine[i]]));

    const { page, res } = await checkout(buyer, { billingName: 'Ada Lovelace', billingCountry: 'DE' });
    expect(page.status).toBe(200);
    // Prices include German VAT: what the cart said after the code is what the buyer pays.
    expect(page.body).toContain('name="reviewedTotal" value="1998"');
    expect(res.status).toBe(303);
    const order = await shop.t.db.kysely.selectFrom('orders').selectAll().where('user_sub', '=', buyer.user.sub).executeTakeFirstOrThrow();
    expect(order).toMatchObject({ discount_code: code.code, discount: 1000, total: 1998 });
    const items = await shop.t.db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', order.id).execute();
    expect(Object.fromEntries(items.map((i) => [i.sku, i.discount]))).toEqual(cartBySku);
    expect(items.reduce((n, i) => n + i.gross!, 0)).toBe(1998);
    expect(shop.gateway.session(order.payment_ref!).amount_total).toBe(1998);
  });
});
