import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import { checkout, confirm, review, startCheckoutShop, type CheckoutShop } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';
import { visibleText } from '../cart/cart-client.js';

// A cart's code through checkout: the same discounted lines and total everywhere; a code that takes off
// the whole total makes the order free (offered as such on the review page);
// one that stopped applying is named on the review page, which then shows and charges the full price.
describe.each(testDialects)('a discount code at checkout on %s', (dialect) => {
  let shop: CheckoutShop;
  let discounts: DiscountsService;

  beforeAll(async () => {
    shop = await startCheckoutShop(dialect, { SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'true' }, { webhooks: 'none' });
    discounts = createDiscountsService({ db: shop.t.db, catalog: shop.fx.catalog });
  });
  afterAll(() => shop?.close());

  it('offers the order free on the review page for a code that takes off the whole total, and the full price once it is removed', async () => {
    const code = await makeDiscount(discounts, { percent: '100' });
    const buyer = await shop.buyerWith([{ price: 1500, quantity: 2 }], code.code);
    const billing = { billingName: 'Ada Lovelace', billingCountry: 'DE' };
    // The free order itself (placed without the gateway) is test/checkout/free-order.test.ts.
    const page = await review(buyer, billing);
    expect(page.status).toBe(200);
    expect(visibleText(page.body)).toContain(`Your code ${code.code} takes off the whole total: nothing to pay.`);
    expect(page.body).toContain('name="reviewedTotal" value="0"');
    expect(page.body).toContain('Get it free');

    await buyer.browser.request('/cart/discount', { form: { action: 'remove' } });
    const full = await review(buyer, billing);
    expect(full.status).toBe(200);
    expect(full.body).toContain('name="reviewedTotal" value="3000"');
    expect(full.body).toContain('Pay €30.00');
  });

  it('says on the review page that a code in the cart stopped applying, and sells at the full price it shows', async () => {
    const code = await makeDiscount(discounts, { percent: '10', maxUses: '1' });
    const buyer = await shop.buyerWith([{ price: 2000, quantity: 1 }], code.code);
    // The last use goes to someone else's order meanwhile.
    await shop.t.db.kysely.updateTable('discount_codes').set({ uses: 1 }).where('id', '=', code.id).execute();
    const billing = { billingName: 'Ada Lovelace', billingCountry: 'DE' };
    const page = await review(buyer, billing);
    expect(page.status).toBe(200);
    expect(visibleText(page.body)).toContain(
      `The code ${code.code} is not applied: That discount code has been used up: all its uses are taken.`,
    );
    expect(visibleText(page.body)).not.toContain('Discount (code');
    expect(page.body).toContain('name="reviewedTotal" value="2000"');
    expect((await confirm(buyer, page.body, billing)).status).toBe(303);
    expect(await shop.orderOf(buyer.user.sub)).toMatchObject({ discount_code: null, discount: 0, total: 2000 });
    expect(
      (await shop.t.db.kysely.selectFrom('discount_codes').select('uses').where('id', '=', code.id).executeTakeFirstOrThrow()).uses,
    ).toBe(1);
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
    // The review shows each line's share of the code as the cart priced it (€10.00 by largest remainder), and what it costs.
    expect(cart.discount.perLine).toEqual([667, 333]);
    const reviewText = visibleText(page.body);
    expect(reviewText).toMatch(/\(discount −€6\.67\) \(net €11\.19, tax 19 % €2\.13\) 1 €19\.99 €13\.32/);
    expect(reviewText).toMatch(/\(discount −€3\.33\) \(net €5\.60, tax 19 % €1\.06\) 3 €3\.33 €6\.66/);
    expect(reviewText).toMatch(/Subtotal €29\.98 Discount \(code [A-Z0-9-]+\) −€10\.00 .* Total to pay €19\.98/);
    expect(res.status).toBe(303);
    const order = await shop.t.db.kysely.selectFrom('orders').selectAll().where('user_sub', '=', buyer.user.sub).executeTakeFirstOrThrow();
    expect(order).toMatchObject({ discount_code: code.code, discount: 1000, total: 1998 });
    const items = await shop.t.db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', order.id).execute();
    expect(Object.fromEntries(items.map((i) => [i.sku, i.discount]))).toEqual(cartBySku);
    expect(items.reduce((n, i) => n + i.gross!, 0)).toBe(1998);
    expect(shop.gateway.session(order.payment_ref!).amount_total).toBe(1998);
    // The gateway's session has the same lines at what each costs after its discount.
    const [first, second] = buyer.products.map((p) => items.find((i) => i.sku === p.sku)!.name);
    const session = (await (await fetch(`${shop.gateway.url}/__dev/sessions/${order.payment_ref}`)).json()) as {
      line_items: Array<{ name: string; unit_amount: number; quantity: number }>;
    };
    expect(session.line_items.map((l) => [l.name, l.unit_amount * l.quantity])).toEqual([
      [first, 1999 - 667],
      [second, 999 - 333],
    ]);
    // The buyer's order page: each line's discount and what it cost, and the same total.
    const orderPage = visibleText((await buyer.browser.request(`/orders/${order.id}`)).body);
    expect(orderPage).toMatch(new RegExp(`${first} [A-Z0-9-]+ \\(discount −€6\\.67\\) 1 €19\\.99 €13\\.32`));
    expect(orderPage).toMatch(new RegExp(`${second} [A-Z0-9-]+ \\(discount −€3\\.33\\) 3 €3\\.33 €6\\.66`));
    expect(orderPage).toMatch(/Total €19\.98/);
  });
});
