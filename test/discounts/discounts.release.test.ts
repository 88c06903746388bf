import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import { loginAs } from '../support/auth.js';
import { checkout, startCheckoutShop, type CheckoutShop } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { makeDiscount } from './discount-fixtures.js';

/** The whole way: a code entered on /cart, taken by checkout's order, given back when the buyer cancels it. */
describe.each(testDialects)('a discount code through checkout and a cancelled order on %s', (dialect) => {
  let shop: CheckoutShop;
  let discounts: DiscountsService;

  beforeAll(async () => {
    shop = await startCheckoutShop(dialect, {}, { webhooks: 'none' });
    discounts = createDiscountsService({ db: shop.t.db, catalog: shop.fx.catalog });
  });
  afterAll(() => shop?.close());

  it('takes the last use with the order and gives it back when the order is cancelled', async () => {
    const code = await makeDiscount(discounts, { percent: '20', maxUses: '1' });
    const uses = async () =>
      (await shop.t.db.kysely.selectFrom('discount_codes').select('uses').where('id', '=', code.id).executeTakeFirstOrThrow()).uses;
    const buyer = await shop.buyerWith([{ price: 2500, quantity: 1 }], code.code);
    const p = buyer.products[0]!;
    const { page, res } = await checkout(buyer, { billingName: 'Ada Lovelace', billingCountry: 'DE' });
    expect(page.status).toBe(200);
    expect(res.status).toBe(303);
    const order = await shop.orderOf(buyer.user.sub);
    expect(order).toMatchObject({ status: 'pending', discount_code: code.code, discount: 500 });
    expect(await uses()).toBe(1);
    // the last use is taken: another buyer's cart says so at once
    const other = await loginAs(shop.t.app, 'new');
    await other.browser.request('/cart', { form: { action: 'add', sku: p.sku, quantity: '1' } });
    expect((await other.browser.request('/cart/discount', { form: { action: 'apply', code: code.code } })).location).toContain(
      'error=discount_exhausted',
    );

    const cancelled = await buyer.browser.request(`/orders/${order.id}/cancel`, { form: {} });
    expect(cancelled.status).toBeLessThan(400);
    expect((await shop.t.db.kysely.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status).toBe(
      'cancelled',
    );
    expect(await uses()).toBe(0);
    expect(await discounts.redemptionOf(order.id)).toMatchObject({ status: 'released' });
    expect((await other.browser.request('/cart/discount', { form: { action: 'apply', code: code.code } })).location).toContain(
      'discount_applied',
    );
  });
});
