import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import { loginAs, SAME_ORIGIN_POST, type LoggedIn } from '../support/auth.js';
import { checkout, startCheckoutShop, type CheckoutShop } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { visibleText } from '../cart/cart-client.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';

// A unit of a line bought with a code is refunded at what it was paid (the line's gross after the
// code, unit by unit), not at its list price: the gateway, the buyer's order page and the mail agree.
describe.each(testDialects)('refunding a unit bought with a discount code on %s', (dialect) => {
  let shop: CheckoutShop;
  let discounts: DiscountsService;
  let owner: LoggedIn;

  beforeAll(async () => {
    shop = await startCheckoutShop(dialect, { SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'true' });
    discounts = createDiscountsService({ db: shop.t.db, catalog: shop.fx.catalog });
    owner = await loginAs(shop.t.app, 'owner');
  });
  afterAll(() => shop?.close());

  it('refunds one of three €10.00 units after a €1.00 code at €9.66, and says so to the buyer', async () => {
    const code = await makeDiscount(discounts, { kind: 'fixed', percent: '', amounts: 'EUR 1.00' });
    const buyer = await shop.buyerWith([{ price: 1000, quantity: 3 }], code.code);
    expect((await checkout(buyer, { billingName: 'Ada Lovelace', billingCountry: 'DE' })).res.status).toBe(303);
    const { order } = await shop.payAndSettle(buyer.user.sub);
    expect(order).toMatchObject({ status: 'fulfilled', discount_code: code.code, discount: 100, total: 2900 });
    const [item] = await shop.t.db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', order.id).execute();
    expect(item).toMatchObject({ unit_price: 1000, quantity: 3, discount: 100, gross: 2900 });

    const res = await shop.t.app.inject({
      method: 'POST',
      url: `/admin/orders/${order.id}/refund`,
      payload: new URLSearchParams({ item: String(item!.id), units: '1', reason: 'One too many', seen: '0' }).toString(),
      headers: { ...SAME_ORIGIN_POST, 'content-type': 'application/x-www-form-urlencoded', cookie: owner.cookie },
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    // 29.00 over three units: 9.66, 9.66 and the remainder 9.68 for the last.
    const refunds = shop.gateway
      .events()
      .filter((r) => r.event.type === 'refund.created')
      .map((r) => r.event.data as { object: { amount: number; payment_intent?: string } })
      .filter((d) => d.object.payment_intent === order.payment_intent);
    expect(refunds.map((d) => d.object.amount)).toEqual([966]);

    const page = visibleText((await buyer.browser.request(`/orders/${order.id}`)).body);
    expect(page).toMatch(/\(1 of 3 refunded: −€9\.66 ?\)/);
    expect(page).toMatch(/Refunded −€9\.66 Total after refunds €19\.34/);
    expect(page).toMatch(/Credit note CN-\S+ ?: −€9\.66/);
    const mail = await shop.t.db.kysely
      .selectFrom('mail_outbox')
      .selectAll()
      .where('recipient', '=', buyer.user.email)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(mail.text_body).toContain('We refunded €9.66 to the way you paid.');
  });
});
