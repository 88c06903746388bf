/** What checkout and the webhook refuse (forged events, repeats, others' orders, changed totals, sold-out keys), changing nothing. */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiErrorBody, TestApp } from '../support/app.js';
import { loginAs } from '../support/auth.js';
import { makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { driveSession, TEST_WEBHOOK_SECRET, type DevGateway } from '../support/gateway.js';
import { startCheckoutShop, type CheckoutShop } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { checkoutFlow } from './checkout-flow.helpers.js';

describe.each(testDialects)('checkout refusals on %s', (dialect) => {
  let shop: CheckoutShop;
  let gateway: DevGateway;
  let t: TestApp;
  let fx: CatalogFixtures;

  beforeAll(async () => {
    shop = await startCheckoutShop(dialect);
    ({ gateway, t, fx } = shop);
  });
  afterAll(() => shop?.close());
  const { addToCart, formFields, checkout, sessionIdOf, waitForStatus } = checkoutFlow(() => shop);

  it('refuses forged, unsigned, stale and malformed webhooks with 400 and changes nothing', async () => {
    const before = await t.db.kysely.selectFrom('payment_events').select('id').execute();
    const body = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      type: 'checkout.session.completed',
      created: 1,
      data: { object: {} },
    });
    const cases = [
      { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_wrong' }) },
      {},
      {
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({
          payload: body,
          secret: TEST_WEBHOOK_SECRET,
          timestamp: Math.floor(Date.now() / 1000) - 3600,
        }),
      },
    ];
    for (const headers of cases) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/payment-callback',
        headers: { 'content-type': 'application/json', ...headers },
        payload: body,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json<ApiErrorBody>().error.code).toBe('webhook_signature_invalid');
    }
    const garbage = 'not json at all';
    const signed = Stripe.webhooks.generateTestHeaderString({ payload: garbage, secret: TEST_WEBHOOK_SECRET });
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/payment-callback',
      headers: { 'content-type': 'application/json', 'stripe-signature': signed },
      payload: garbage,
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json<ApiErrorBody>().error.code).toBe('webhook_malformed');
    expect(await t.db.kysely.selectFrom('payment_events').select('id').execute()).toEqual(before);
  });

  it('turns a double-submitted checkout into one order', async () => {
    const product = await makeProduct(fx.catalog);
    const buyer = await loginAs(t.app, 'new');
    await addToCart(buyer, product.sku);
    const page = await buyer.browser.request('/checkout');
    const form = { idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]! };
    const [a, b] = await Promise.all([buyer.browser.request('/checkout', { form }), buyer.browser.request('/checkout', { form })]);
    expect([a.status, b.status]).toEqual([303, 303]);
    const orders = await t.db.kysely.selectFrom('orders').select('id').where('user_sub', '=', buyer.user.sub).execute();
    expect(orders).toHaveLength(1);
    const again = await buyer.browser.request('/checkout', { form });
    expect(again.status).toBe(303);
    expect(await t.db.kysely.selectFrom('orders').select('id').where('user_sub', '=', buyer.user.sub).execute()).toHaveLength(1);
  });

  it('shows nobody else’s order, return page or invoice', async () => {
    const product = await makeProduct(fx.catalog);
    const owner = await loginAs(t.app, 'new');
    await addToCart(owner, product.sku);
    const sessionId = sessionIdOf((await checkout(owner)).location!);
    const { id } = await t.db.kysely.selectFrom('orders').select('id').where('payment_ref', '=', sessionId).executeTakeFirstOrThrow();
    await driveSession(gateway, sessionId, 'pay');
    await waitForStatus(id, 'fulfilled');
    const other = await loginAs(t.app, 'new');
    for (const url of [
      `/orders/${id}`,
      `/checkout/return?order=${id}`,
      `/order/${id}/invoice`,
      `/order/${id}/invoice?format=pdf`,
      '/orders/ord_000000000000000000000000',
      '/orders/not-an-order',
    ]) {
      const res = await other.browser.request(url);
      expect(res.status, url).toBe(404);
      expect(res.body).not.toContain(owner.user.email);
    }
    const anonymous = await t.app.inject(`/orders/${id}`);
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toContain('/login');
  });

  it('refuses a checkout whose total changed since the buyer reviewed it, stores nothing, and shows the new total to confirm', async () => {
    const pool = await makeKeyLimProduct(fx, 2, { price: 1000, name: 'Repriced' });
    const buyer = await loginAs(t.app, 'new');
    await addToCart(buyer, pool.sku);
    const review = await buyer.browser.request('/checkout');
    expect(review.body).toContain('Pay €10.00');
    await fx.catalog.updateProduct(pool.sku, { price: 1200 });

    const refused = await buyer.browser.request('/checkout', { form: formFields(review.body) });
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('The total changed to €12.00 since you reviewed your order (it was €10.00). Nothing was charged');
    expect(refused.body).toContain('Pay €12.00');
    const placed = await t.db.kysely
      .selectFrom('orders')
      .innerJoin('order_items', 'order_items.order_id', 'orders.id')
      .select('orders.id')
      .where('order_items.product_id', '=', pool.id)
      .execute();
    expect(placed).toEqual([]);
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(2);

    // The page it answered with is the new review: confirming it goes to payment at the new price.
    const confirmed = await buyer.browser.request('/checkout', { form: formFields(refused.body) });
    expect(confirmed.status).toBe(303);
    const orders = await t.db.kysely
      .selectFrom('orders')
      .innerJoin('order_items', 'order_items.order_id', 'orders.id')
      .select(['orders.total', 'order_items.unit_price'])
      .where('order_items.product_id', '=', pool.id)
      .execute();
    expect(orders).toEqual([{ total: 1200, unit_price: 1200 }]);

    // A total that was never on any page is refused the same way, as is a bad one.
    await addToCart(buyer, pool.sku);
    const again = await buyer.browser.request('/checkout');
    const forged = await buyer.browser.request('/checkout', {
      form: { ...formFields(again.body), reviewedTotal: '1' },
    });
    expect(forged.status).toBe(409);
    expect(forged.body).toContain('(it was €0.01)');
    const post = (fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/checkout',
        headers: { cookie: buyer.browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
      });
    expect((await post({ ...formFields(again.body), reviewedTotal: '-5' })).statusCode).toBe(400);
    const { reviewedCurrency: _, ...withoutCurrency } = formFields(again.body);
    const half = await post(withoutCurrency);
    expect(half.statusCode).toBe(400);
    expect(half.headers['content-type']).toContain('text/html');
    const stillNone = await t.db.kysely
      .selectFrom('orders')
      .innerJoin('order_items', 'order_items.order_id', 'orders.id')
      .select('orders.id')
      .where('order_items.product_id', '=', pool.id)
      .execute();
    expect(stillNone).toHaveLength(1);
  });

  it('sells the last keys to exactly as many buyers as there are keys', async () => {
    const pool = await makeKeyLimProduct(fx, 3, { name: 'Last Three' });
    const buyers = await Promise.all(Array.from({ length: 8 }, () => loginAs(t.app, 'new')));
    for (const b of buyers) await addToCart(b, pool.sku);
    const pages = await Promise.all(buyers.map((b) => b.browser.request('/checkout')));
    const results = await Promise.all(
      buyers.map((b, i) =>
        b.browser.request('/checkout', {
          form: { idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(pages[i]!.body)![1]! },
        }),
      ),
    );
    const won = results.filter((r) => r.status === 303);
    const lost = results.filter((r) => r.status !== 303);
    expect(won).toHaveLength(3);
    expect(lost).toHaveLength(5);
    for (const r of lost) {
      expect(r.status).toBe(409);
      expect(r.body).toContain('“Last Three” is sold out.');
    }
    for (const r of won) await driveSession(gateway, sessionIdOf(r.location!), 'pay');
    const orders = await t.db.kysely
      .selectFrom('orders')
      .innerJoin('order_items', 'order_items.order_id', 'orders.id')
      .select(['orders.id', 'orders.status'])
      .where('order_items.product_id', '=', pool.id)
      .execute();
    for (const o of orders) await waitForStatus(o.id, 'fulfilled');
    const delivered = await t.db.kysely
      .selectFrom('delivered_keys')
      .select('license_key_id')
      .where('license_key_id', 'is not', null)
      .innerJoin('license_keys', 'license_keys.id', 'delivered_keys.license_key_id')
      .where('license_keys.product_id', '=', pool.id)
      .execute();
    expect(delivered).toHaveLength(3);
    expect(new Set(delivered.map((d) => d.license_key_id)).size).toBe(3);
  });
});
