import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import type { ApiErrorBody } from '../support/app.js';
import { checkout, startCheckoutShop, type CheckoutShop } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { CartClient, visibleText } from '../cart/cart-client.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';

// A code's limit per buyer as the buyer meets it: after an order with the code, their cart and the
// JSON API say they have used it (others still can); cancelling that order gives it back to them.
describe.each(testDialects)('a discount code’s limit per buyer on %s', (dialect) => {
  let shop: CheckoutShop;
  let discounts: DiscountsService;

  beforeAll(async () => {
    shop = await startCheckoutShop(dialect, { SELLER_COUNTRY: 'DE' }, { webhooks: 'none' });
    discounts = createDiscountsService({ db: shop.t.db, catalog: shop.fx.catalog });
  });
  afterAll(() => shop?.close());

  it('refuses a second use on the cart page and in the API, saying why, until the first order is cancelled', async () => {
    const code = await makeDiscount(discounts, { percent: '20', maxUsesPerBuyer: '1' });
    const buyer = await shop.buyerWith([{ price: 2500, quantity: 1 }], code.code);
    const { res } = await checkout(buyer, { billingName: 'Ada Lovelace', billingCountry: 'DE' });
    expect(res.status).toBe(303);
    const order = await shop.orderOf(buyer.user.sub);
    expect(order).toMatchObject({ status: 'pending', discount_code: code.code, discount: 500 });

    // The unpaid order keeps the products and the code in the cart: the cart now says the code is used.
    const kept = await buyer.browser.request('/cart');
    expect(visibleText(kept.body)).toMatch(new RegExp(`Discount code ${code.code} ?: You have already used that discount code\\.`));
    expect(kept.body).toMatch(/id="cart-total">€25.00</);
    expect(kept.body).not.toContain('id="cart-discount"');

    // Typed again (after taking it off): the form's redirect and the API both say so.
    await buyer.browser.request('/cart/discount', { form: { action: 'remove' } });
    const typed = await buyer.browser.request('/cart/discount', { form: { action: 'apply', code: code.code.toLowerCase() } });
    expect(typed.location).toBe(`http://localhost:3000/cart?error=discount_used_by_you&code=${code.code.toLowerCase()}`);
    const page = await buyer.browser.request(typed.location!);
    expect(page.status).toBe(200);
    expect(visibleText(page.body)).toContain('You have already used that discount code.');
    expect(page.body).toMatch(/id="cart-total">€25.00</);
    const api = await new CartClient(shop.t.app, buyer.browser).api('/api/cart/discount', { code: code.code });
    expect(api.statusCode).toBe(409);
    expect(api.json<ApiErrorBody>().error).toMatchObject({
      code: 'discount_used_by_you',
      message: 'You have already used that discount code.',
    });

    // Another buyer still can (buyerWith throws unless the code is applied).
    const other = await shop.buyerWith([{ price: 1000, quantity: 1 }], code.code);
    expect((await other.browser.request('/cart')).body).toMatch(/id="cart-discount">−€2.00</);

    // Cancelling the unpaid order gives the buyer their use back.
    expect((await buyer.browser.request(`/orders/${order.id}/cancel`, { form: {} })).status).toBeLessThan(400);
    expect((await shop.orderOf(buyer.user.sub)).status).toBe('cancelled');
    const again = await buyer.browser.request('/cart/discount', { form: { action: 'apply', code: code.code } });
    expect(again.location).toBe('http://localhost:3000/cart?notice=discount_applied');
    expect((await buyer.browser.request(again.location!)).body).toMatch(/id="cart-discount">−€5.00</);
  });
});
