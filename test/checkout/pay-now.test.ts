import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { CROSS_SITE, loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct, type CatalogFixtures } from '../support/factories.js';
import { driveSession, gatewayEnv, startTestGateway, type DevGateway } from '../support/gateway.js';
import { createDiscountsService } from '../../src/discounts/discounts.service.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';

describe.each(testDialects)('paying or cancelling an unpaid order on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let t: TestApp;
  let fx: CatalogFixtures;
  let now = Date.now();

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway), RESERVATION_MINUTES: '30' }, () => now);
    fx = catalogFixtures(t.db, () => now);
  });
  afterAll(async () => {
    await t.close();
    await gateway.close();
    await idp.close();
  });

  const sessionIdOf = (url: string) => new URL(url).pathname.split('/').pop()!;
  const orderOf = (id: string) => t.db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const available = async (productId: number) => (await fx.keyPool.countAvailable([productId])).get(productId);

  /** A buyer's checkout of `quantity` pool keys (0: of the cart as it is), left at the gateway's payment page. */
  async function placeOrder(buyer: LoggedIn, sku: string, quantity = 1) {
    if (quantity > 0) await buyer.browser.request('/cart', { form: { action: 'add', sku, quantity: String(quantity) } });
    const page = await buyer.browser.request('/checkout');
    const posted = await buyer.browser.request('/checkout', {
      form: { idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]! },
    });
    const sessionId = sessionIdOf(posted.location!);
    const order = await t.db.kysely.selectFrom('orders').selectAll().where('payment_ref', '=', sessionId).executeTakeFirstOrThrow();
    return { order, sessionId };
  }

  /** One key of `sku` in the buyer's cart with `code`, checked out. */
  async function checkoutWithCode(buyer: LoggedIn, sku: string, code: string) {
    await buyer.browser.request('/cart', { form: { action: 'add', sku, quantity: '1' } });
    expect((await buyer.browser.request('/cart/discount', { form: { code } })).location).toBe(
      'http://localhost:3000/cart?notice=discount_applied',
    );
    return (await placeOrder(buyer, sku, 0)).order;
  }

  async function settled(orderId: string, status: string) {
    for (let i = 0; i < 100; i++) {
      if ((await orderOf(orderId)).status === status) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`order ${orderId} never became ${status} (is ${(await orderOf(orderId)).status})`);
  }

  it('offers Pay now and Cancel after a declined card, and Pay now returns to the open payment page', async () => {
    const pool = await makeKeyLimProduct(fx, 2);
    const buyer = await loginAs(t.app, 'new');
    const { order, sessionId } = await placeOrder(buyer, pool.sku);
    await driveSession(gateway, sessionId, 'decline');

    const page = await buyer.browser.request(`/orders/${order.id}`);
    expect(page.body).toContain('This order is not paid yet.');
    expect(page.body).toContain(`action="/orders/${order.id}/pay"`);
    expect(page.body).toContain('Pay now €19.00');
    expect(page.body).toContain(`action="/orders/${order.id}/cancel"`);

    const pay = await buyer.browser.request(`/orders/${order.id}/pay`, { form: {} });
    expect(pay.status).toBe(303);
    expect(pay.location).toBe(`${gateway.url}/pay/${sessionId}`);
    // No webhooks in this test: the return page confirms the payment with the gateway.
    const { redirectUrl } = await driveSession(gateway, sessionId, 'pay');
    expect((await buyer.browser.request(redirectUrl!)).body).toContain('Thank you, your order is ready');
    await settled(order.id, 'fulfilled');
    const paid = await buyer.browser.request(`/orders/${order.id}`);
    expect(paid.body).not.toContain(`/orders/${order.id}/pay`);
    // A paid order's Pay now (an old tab) only leads back to the order.
    expect((await buyer.browser.request(`/orders/${order.id}/pay`, { form: {} })).location).toBe(
      `http://localhost:3000/orders/${order.id}`,
    );
  });

  it('pays an expired order again: keys reserved anew, a new payment page for the same order, then fulfilled', async () => {
    const pool = await makeKeyLimProduct(fx, 2);
    const buyer = await loginAs(t.app, 'new');
    const { order, sessionId } = await placeOrder(buyer, pool.sku, 2);
    now += 31 * 60_000;
    expect(await t.app.jobs.expireStaleOrders()).toBe(1);
    now = Date.now();
    expect((await orderOf(order.id)).status).toBe('expired');
    expect(await available(pool.id)).toBe(2);

    const page = await buyer.browser.request(`/orders/${order.id}`);
    expect(page.body).toContain('<span class="status status-expired">Expired</span>');
    expect(page.body).toContain(`action="/orders/${order.id}/pay"`);
    expect(page.body).not.toContain(`action="/orders/${order.id}/cancel"`);
    const list = await buyer.browser.request('/orders');
    expect(list.body).toContain('Expired');
    expect(list.body).not.toContain('Awaiting payment');

    const pay = await buyer.browser.request(`/orders/${order.id}/pay`, { form: {} });
    expect(pay.status).toBe(303);
    expect(pay.location).toMatch(new RegExp(`^${gateway.url}/pay/cs_`));
    const newSession = sessionIdOf(pay.location!);
    expect(newSession).not.toBe(sessionId);
    const reopened = await orderOf(order.id);
    expect(reopened).toMatchObject({ status: 'pending', payment_ref: newSession });
    expect(Number(reopened.reserved_until)).toBeGreaterThan(now);
    expect(await available(pool.id)).toBe(0);
    const events = await t.db.kysely.selectFrom('order_events').select(['event', 'to_status']).where('order_id', '=', order.id).execute();
    expect(events.map((e) => `${e.event}:${e.to_status}`)).toContain('payment_retried:pending');

    const { redirectUrl } = await driveSession(gateway, newSession, 'pay');
    expect(redirectUrl).toContain(`/checkout/return?order=${order.id}&session_id=${newSession}`);
    await buyer.browser.request(redirectUrl!);
    await settled(order.id, 'fulfilled');
    const delivered = await buyer.browser.request(`/orders/${order.id}`);
    expect(delivered.body.match(/Get license key/g)).toHaveLength(2);
  });

  it('pays an expired order with a code again: its use is taken back and the new page asks the discounted total', async () => {
    const discounts = createDiscountsService({ db: t.db, clock: () => now });
    const pool = await makeKeyLimProduct(fx, 3);
    const code = await makeDiscount(discounts, { percent: '50', maxUses: '1' });
    const usesOf = async () => (await discounts.list()).find((c) => c.code === code.code)!.uses;
    const buyer = await loginAs(t.app, 'new');
    const order = await checkoutWithCode(buyer, pool.sku, code.code);
    expect([order.discount_code, order.discount, order.total]).toEqual([code.code, 950, 950]);
    now += 31 * 60_000;
    await t.app.jobs.expireStaleOrders();
    now = Date.now();
    expect(await usesOf()).toBe(0);

    const pay = await buyer.browser.request(`/orders/${order.id}/pay`, { form: {} });
    expect(pay.status).toBe(303);
    expect(await usesOf()).toBe(1);
    expect((await discounts.redemptionOf(order.id))?.status).toBe('held');
    // The gateway is asked the order's discounted total: a different amount would leave it needing attention.
    const { redirectUrl } = await driveSession(gateway, sessionIdOf(pay.location!), 'pay');
    await buyer.browser.request(redirectUrl!);
    await settled(order.id, 'fulfilled');
    // Paid: the code left the cart with the product (a one-use code would only say "already used" there).
    expect(await discounts.cartCode(buyer.user.sub)).toBeNull();
  });

  it('refuses to pay an expired order again once its code was used up meanwhile, and changes nothing', async () => {
    const discounts = createDiscountsService({ db: t.db, clock: () => now });
    const pool = await makeKeyLimProduct(fx, 3);
    const code = await makeDiscount(discounts, { percent: '50', maxUses: '1' });
    const buyer = await loginAs(t.app, 'new');
    const order = await checkoutWithCode(buyer, pool.sku, code.code);
    now += 31 * 60_000;
    await t.app.jobs.expireStaleOrders();
    now = Date.now();
    await checkoutWithCode(await loginAs(t.app, 'new'), pool.sku, code.code);

    const pay = await buyer.browser.request(`/orders/${order.id}/pay`, { form: {} });
    expect(pay.status).toBe(409);
    expect(pay.body).toContain('has been used up since it lapsed');
    expect((await orderOf(order.id)).status).toBe('expired');
    expect((await discounts.redemptionOf(order.id))?.status).toBe('released');
    expect(await available(pool.id)).toBe(2);
  });

  it('refuses to pay an expired order again when its keys sold out meanwhile, and changes nothing', async () => {
    const pool = await makeKeyLimProduct(fx, 1);
    const buyer = await loginAs(t.app, 'new');
    const { order } = await placeOrder(buyer, pool.sku);
    now += 31 * 60_000;
    await t.app.jobs.expireStaleOrders();
    now = Date.now();
    const other = await loginAs(t.app, 'new');
    await placeOrder(other, pool.sku);
    expect(await available(pool.id)).toBe(0);

    const pay = await buyer.browser.request(`/orders/${order.id}/pay`, { form: {} });
    expect(pay.status).toBe(409);
    expect(pay.body).toContain('is sold out');
    expect((await orderOf(order.id)).status).toBe('expired');
  });

  it('cancels a pending order: keys released, payment page closed, shown as cancelled with nothing to pay', async () => {
    const pool = await makeKeyLimProduct(fx, 1);
    const buyer = await loginAs(t.app, 'new');
    const { order, sessionId } = await placeOrder(buyer, pool.sku);
    expect(await available(pool.id)).toBe(0);

    const stranger = await loginAs(t.app, 'new');
    expect((await stranger.browser.request(`/orders/${order.id}/cancel`, { form: {} })).status).toBe(404);
    expect((await stranger.browser.request(`/orders/${order.id}/pay`, { form: {} })).status).toBe(404);
    expect((await buyer.browser.request(`/orders/${order.id}/cancel`, { form: {}, headers: CROSS_SITE })).status).toBe(403);
    expect((await orderOf(order.id)).status).toBe('pending');

    const cancel = await buyer.browser.request(`/orders/${order.id}/cancel`, { form: {} });
    expect(cancel.status).toBe(303);
    expect(cancel.location).toBe(`http://localhost:3000/orders/${order.id}`);
    expect((await orderOf(order.id)).status).toBe('cancelled');
    expect(await available(pool.id)).toBe(1);
    await expect(driveSession(gateway, sessionId, 'pay')).rejects.toThrow(/gateway refused pay/);

    const page = await buyer.browser.request(`/orders/${order.id}`);
    expect(page.body).toContain('<span class="status status-cancelled">Cancelled</span>');
    expect(page.body).not.toContain(`/orders/${order.id}/pay`);
    const again = await buyer.browser.request(`/orders/${order.id}/cancel`, { form: {} });
    expect(again.status).toBe(409);
    expect(again.body).toContain('Only an order awaiting payment can be cancelled');
    const pay = await buyer.browser.request(`/orders/${order.id}/pay`, { form: {} });
    expect(pay.status).toBe(409);
    expect(pay.body).toContain('This order was cancelled and cannot be paid');
  });

  it('neither pays again nor cancels an order whose payment is still processing', async () => {
    const pool = await makeKeyLimProduct(fx, 1);
    const buyer = await loginAs(t.app, 'new');
    const { order, sessionId } = await placeOrder(buyer, pool.sku);
    const res = await fetch(`${gateway.url}/__dev/sessions/${sessionId}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ async: true }),
    });
    expect(res.ok).toBe(true);
    for (const action of ['pay', 'cancel']) {
      const answer = await buyer.browser.request(`/orders/${order.id}/${action}`, { form: {} });
      expect(answer.status, action).toBe(409);
      expect(answer.body).toContain('Your payment is still being processed');
    }
    expect((await orderOf(order.id)).status).toBe('pending');
    expect(await available(pool.id)).toBe(0);
  });
});
