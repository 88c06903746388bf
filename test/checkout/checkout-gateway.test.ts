/**
 * POST /checkout opens the gateway's payment session before it writes the order (the order is
 * written with it): a gateway that cannot be reached leaves nothing behind, and a session whose
 * order could not be written (sold out meanwhile) is closed at the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { gatewayEnv, startTestGateway, type DevGateway } from '../support/gateway.js';

describe.each(testDialects)('checkout and the gateway on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let t: TestApp;
  let fx: CatalogFixtures;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway) });
    fx = catalogFixtures(t.db);
  });
  afterAll(async () => {
    await t.close();
    await gateway.close();
    await idp.close();
  });

  const ordersOf = (buyer: LoggedIn) =>
    t.db.kysely.selectFrom('orders').select(['id', 'status', 'payment_ref']).where('user_sub', '=', buyer.user.sub).execute();
  const cartOf = (buyer: LoggedIn) =>
    t.db.kysely.selectFrom('user_cart').select('product_id').where('user_id', '=', buyer.user.sub).execute();

  async function submitCheckout(buyer: LoggedIn, sku: string) {
    expect((await buyer.browser.request('/cart', { form: { sku, quantity: '1' } })).status).toBe(303);
    const page = await buyer.browser.request('/checkout');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]!;
    return buyer.browser.request('/checkout', { form: { idempotencyKey: key } });
  }

  it('writes no order when the gateway cannot be reached, and keeps the cart', async () => {
    const buyer = await loginAs(t.app, 'new');
    const product = await makeProduct(fx.catalog, { price: 1500 });
    gateway.simulateOutage(20);
    let res;
    try {
      res = await submitCheckout(buyer, product.sku);
    } finally {
      gateway.simulateOutage(0);
    }
    // 502: the gateway answered with errors (a gateway that does not answer at all is 503).
    expect(res.status).toBe(502);
    expect(res.body).toContain('Payment is not available right now. Nothing was charged; please try again in a moment.');
    expect(await ordersOf(buyer)).toEqual([]);
    expect(await cartOf(buyer)).toEqual([{ product_id: product.id }]);

    const again = await submitCheckout(buyer, product.sku);
    expect(again.status).toBe(303);
    const [order] = await ordersOf(buyer);
    expect(order).toMatchObject({ status: 'pending', payment_ref: expect.stringMatching(/^cs_/) as string });
    expect(again.location).toContain(`/pay/${order!.payment_ref}`);
  });

  it('closes the session it opened when the last key went to another buyer first', async () => {
    const product = await makeKeyLimProduct(fx, 1, { price: 800 });
    const [first, second] = await Promise.all([loginAs(t.app, 'new'), loginAs(t.app, 'new')]);
    expect((await second.browser.request('/cart', { form: { sku: product.sku, quantity: '1' } })).status).toBe(303);
    expect((await submitCheckout(first, product.sku)).status).toBe(303);
    const expiredBefore = gateway.events().filter((e) => e.event.type === 'checkout.session.expired').length;

    const page = await second.browser.request('/checkout');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)?.[1] ?? 'k';
    const res = await second.browser.request('/checkout', { form: { idempotencyKey: key } });
    expect(res.status).toBe(409);
    expect(res.body).toContain('is sold out');
    expect(await ordersOf(second)).toEqual([]);
    const expired = gateway.events().filter((e) => e.event.type === 'checkout.session.expired');
    expect(expired).toHaveLength(expiredBefore + 1);
    const closed = expired.at(-1)!.event as unknown as { data: { object: { customer_email: string; status: string } } };
    expect(closed.data.object).toMatchObject({ customer_email: second.user.email, status: 'expired' });
  });
});
