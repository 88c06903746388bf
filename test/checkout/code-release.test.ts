import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import { checkout, startCheckoutShop, type CheckoutShop } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';

// A code's last use, taken by a checkout, comes back when its order ends unpaid by each real way:
// the gateway's expiry webhook, a failed asynchronous payment, and the store's own sweeper.
describe.each(testDialects)('a discount code given back by an order that ends unpaid on %s', (dialect) => {
  let shop: CheckoutShop;
  let discounts: DiscountsService;
  let now = Date.now();

  beforeAll(async () => {
    shop = await startCheckoutShop(dialect, { SELLER_COUNTRY: 'DE', RESERVATION_MINUTES: '30' }, { clock: () => now });
    discounts = createDiscountsService({ db: shop.t.db, catalog: shop.fx.catalog });
  });
  afterAll(() => shop?.close());

  const codeRow = (id: number) => shop.t.db.kysely.selectFrom('discount_codes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  /** A buyer who takes the code's only use with a pending order; the order and the code. */
  async function pendingOrderWithLastUse() {
    const code = await makeDiscount(discounts, { percent: '20', maxUses: '1' });
    const buyer = await shop.buyerWith([{ price: 2500, quantity: 1 }], code.code);
    const { page, res } = await checkout(buyer, { billingName: 'Ada Lovelace', billingCountry: 'DE' });
    expect(page.status).toBe(200);
    expect(res.status).toBe(303);
    const order = await shop.orderOf(buyer.user.sub);
    expect(order).toMatchObject({ status: 'pending', discount_code: code.code, discount: 500 });
    expect((await codeRow(code.id)).uses).toBe(1);
    return { order, code, sub: buyer.user.sub };
  }

  async function expectGivenBack(codeId: number, orderId: string, sub: string, status: string) {
    for (let i = 0; i < 200 && (await shop.orderOf(sub)).status === 'pending'; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await shop.orderOf(sub)).status).toBe(status);
    expect((await codeRow(codeId)).uses).toBe(0);
    expect(await discounts.redemptionOf(orderId)).toMatchObject({ status: 'released' });
  }

  it('when the gateway reports the payment session expired', async () => {
    const { order, code, sub } = await pendingOrderWithLastUse();
    shop.gateway.expire(order.payment_ref!);
    await expectGivenBack(code.id, order.id, sub, 'expired');
  });

  it('when an asynchronous payment fails after the session closed', async () => {
    const { order, code, sub } = await pendingOrderWithLastUse();
    shop.gateway.pay(order.payment_ref!, { async: true });
    shop.gateway.fail(order.payment_ref!);
    await expectGivenBack(code.id, order.id, sub, 'failed');
  });

  it('when the order sweeper expires the order after its reservation', async () => {
    const { order, code, sub } = await pendingOrderWithLastUse();
    now += 31 * 60_000;
    try {
      expect(await shop.t.app.jobs.expireStaleOrders()).toBeGreaterThanOrEqual(1);
    } finally {
      now = Date.now();
    }
    await expectGivenBack(code.id, order.id, sub, 'expired');
  });
});
