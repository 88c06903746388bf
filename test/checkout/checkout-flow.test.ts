import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartJson } from '../../src/cart/cart.present.js';
import type { ApiErrorBody, TestApp } from '../support/app.js';
import { loginAs, type LoggedIn } from '../support/auth.js';
import { startCheckoutShop, type CheckoutShop, type WebhookReceiver } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { makeFileProduct, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { driveSession, forwardWebhooksTo, TEST_WEBHOOK_SECRET, type DevGateway } from '../support/gateway.js';

describe.each(testDialects)('checkout and payment on %s', (dialect) => {
  let shop: CheckoutShop;
  let gateway: DevGateway;
  let receiver: WebhookReceiver;
  let t: TestApp;
  let fx: CatalogFixtures;

  beforeAll(async () => {
    shop = await startCheckoutShop(dialect);
    ({ gateway, t, fx } = shop);
    receiver = shop.receiver!;
  });
  afterAll(() => shop?.close());

  async function addToCart(buyer: LoggedIn, sku: string, quantity = 1) {
    const res = await buyer.browser.request('/cart', {
      form: { action: 'add', sku, quantity: String(quantity) },
    });
    expect(res.status).toBe(303);
  }

  /** The checkout form's hidden fields, as a browser submits them. */
  const formFields = (body: string) =>
    Object.fromEntries(
      [...body.matchAll(/<input type="hidden" name="(idempotencyKey|reviewedTotal|reviewedCurrency)" value="([^"]*)"/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );

  /** Opens /checkout and submits it as the browser would; returns the answer to the POST. */
  async function checkout(buyer: LoggedIn, extra: Record<string, string> = {}) {
    const page = await buyer.browser.request('/checkout');
    expect(page.status).toBe(200);
    return buyer.browser.request('/checkout', {
      form: { idempotencyKey: 'missing-key-000000', ...formFields(page.body), ...extra },
    });
  }

  /** A `checkout.session.completed` event signed with the gateway's secret, posted to the webhook. */
  function postSignedCompletion({
    eventId,
    sessionId,
    orderId,
    amount,
  }: {
    eventId: string;
    sessionId: string;
    orderId: string;
    amount: number;
  }) {
    const body = JSON.stringify({
      id: eventId,
      object: 'event',
      type: 'checkout.session.completed',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: sessionId,
          object: 'checkout.session',
          client_reference_id: orderId,
          metadata: { reference: orderId, kind: 'order' },
          status: 'complete',
          payment_status: 'paid',
          amount_total: amount,
          currency: 'eur',
          payment_intent: `pi_${eventId}`,
        },
      },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: TEST_WEBHOOK_SECRET });
    return t.app.inject({
      method: 'POST',
      url: '/api/payment-callback',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      payload: body,
    });
  }

  const sessionIdOf = (url: string) => new URL(url).pathname.split('/').pop()!;
  const orderOf = async (id: string) => await t.db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  async function waitForStatus(orderId: string, status: string) {
    for (let i = 0; i < 200; i++) {
      if ((await orderOf(orderId)).status === status) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`order ${orderId} never became ${status} (is ${(await orderOf(orderId)).status})`);
  }

  it('sells keys, signed keys and files: checkout, pay on the gateway, webhook, paid order', async () => {
    const pool = await makeKeyLimProduct(fx, 3, { price: 1500 });
    const signed = await makeProduct(fx.catalog, { price: 900 });
    const file = await makeFileProduct(fx.catalog, { price: 500 });
    const buyer = await loginAs(t.app, 'new');
    await addToCart(buyer, pool.sku, 2);
    await addToCart(buyer, signed.sku);
    await addToCart(buyer, file.sku);

    const summary = await buyer.browser.request('/checkout');
    expect(summary.body).toContain('Pay €44.00');

    const posted = await checkout(buyer, { total: '1' }); // a tampered total is ignored: prices come from the database
    expect(posted.status).toBe(303);
    expect(posted.location).toMatch(new RegExp(`^${gateway.url}/pay/cs_`));
    const sessionId = sessionIdOf(posted.location!);
    const [order] = await t.db.kysely.selectFrom('orders').selectAll().where('payment_ref', '=', sessionId).execute();
    expect(order).toMatchObject({ status: 'pending', total: 4400, currency: 'EUR', user_sub: buyer.user.sub });
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(1);

    const { redirectUrl } = await driveSession(gateway, sessionId, 'pay', { via: 'page' });
    expect(redirectUrl).toContain(`/checkout/return?order=${order!.id}&session_id=${sessionId}`);
    await waitForStatus(order!.id, 'fulfilled');

    const back = await buyer.browser.request(redirectUrl!);
    expect(back.status).toBe(200);
    // After payment: the items and what is ready, where the receipt went, the order by its short number.
    expect(back.body).toContain('Thank you, your order is ready');
    expect(back.body).toContain(`Order #${order!.order_number}: Your payment is confirmed.`);
    expect(back.body).toMatch(/<strong>[^<]+<\/strong> × 2: 2 license keys ready to reveal\./);
    expect(back.body).toContain('Download ready.');
    expect(back.body).toContain(`We sent the receipt to <strong>${buyer.user.email}</strong>.`);
    expect(back.body).toContain(`href="/orders/${order!.id}"`);
    expect(back.body).toContain(`href="/order/${order!.id}/invoice"`);
    expect(back.body).not.toMatch(new RegExp(`>[^<]*${order!.id}[^<]*<`));

    const paid = await orderOf(order!.id);
    expect(paid.invoice_number).toBeGreaterThan(0);
    expect(paid.payment_intent).toMatch(/^pi_/);
    const items = await t.db.kysely.selectFrom('order_items').select(['id', 'type']).where('order_id', '=', order!.id).execute();
    const keys = await t.db.kysely
      .selectFrom('delivered_keys')
      .select('order_item_id')
      .where(
        'order_item_id',
        'in',
        items.map((i) => i.id),
      )
      .execute();
    expect(keys).toHaveLength(3);
    const grants = await t.db.kysely
      .selectFrom('download_grants')
      .select('id')
      .where(
        'order_item_id',
        'in',
        items.map((i) => i.id),
      )
      .execute();
    expect(grants).toHaveLength(1);

    const cart = await buyer.browser.request('/api/cart');
    expect((JSON.parse(cart.body) as CartJson).count).toBe(0);
    const mail = await t.db.kysely.selectFrom('mail_outbox').selectAll().where('recipient', '=', buyer.user.email).execute();
    expect(mail.map((m) => m.subject)).toEqual([`[Pixel & Key] Order #${order!.order_number} — payment received`]);
    expect(mail[0]!.text_body).toContain(`/orders/${order!.id}`);

    const list = await buyer.browser.request('/orders');
    expect(list.body).toContain(order!.id);
    expect(list.body).toContain('€44.00');
    const detail = await buyer.browser.request(`/orders/${order!.id}`);
    expect(detail.body).toContain('<span class="status status-fulfilled">Paid</span>');
    const invoice = await buyer.browser.request(`/order/${order!.id}/invoice`);
    expect(invoice.status).toBe(200);
    expect(invoice.body).toContain(`Invoice ${paid.invoice_series}${String(paid.invoice_number).padStart(6, '0')}`);
    expect(invoice.body).toContain('€44.00');

    // The same webhook delivered again changes nothing.
    const first = receiver.received.find(
      (r) => r.body.toString().includes('checkout.session.completed') && r.body.toString().includes(sessionId),
    )!;
    const replay = await t.app.inject({
      method: 'POST',
      url: '/api/payment-callback',
      headers: { 'content-type': 'application/json', 'stripe-signature': String(first.headers['stripe-signature']) },
      payload: first.body,
    });
    expect(replay.json()).toEqual({ received: true, outcome: 'duplicate' });
    expect(
      await t.db.kysely
        .selectFrom('delivered_keys')
        .select('id')
        .where(
          'order_item_id',
          'in',
          items.map((i) => i.id),
        )
        .execute(),
    ).toHaveLength(3);

    // Out of order: the session's expiry reported after its payment changes nothing.
    const body = JSON.stringify({
      id: `evt_expired_${order!.id}`,
      object: 'event',
      type: 'checkout.session.expired',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: sessionId,
          object: 'checkout.session',
          client_reference_id: order!.id,
          metadata: { reference: order!.id, kind: 'order' },
          status: 'expired',
          payment_status: 'unpaid',
          amount_total: 4400,
          currency: 'eur',
        },
      },
    });
    const late = await t.app.inject({
      method: 'POST',
      url: '/api/payment-callback',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: TEST_WEBHOOK_SECRET }),
      },
      payload: body,
    });
    expect(late.json()).toEqual({ received: true, outcome: 'not_applied:refused' });
    expect((await orderOf(order!.id)).status).toBe('fulfilled');
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(1);
  });

  it('fulfils once when the return page and the webhook settle the same payment at the same time', async () => {
    const pool = await makeKeyLimProduct(fx, 4);
    const buyer = await loginAs(t.app, 'new');
    await addToCart(buyer, pool.sku, 2);
    const sessionId = sessionIdOf((await checkout(buyer)).location!);
    const { id: orderId } = await t.db.kysely
      .selectFrom('orders')
      .select('id')
      .where('payment_ref', '=', sessionId)
      .executeTakeFirstOrThrow();
    // The webhook is held back until the return page is on its way, then both race.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    receiver.respondWith(async (hook) => {
      await held;
      return forwardWebhooksTo(t.app)(hook);
    });
    const answered = receiver.received.length;
    const { redirectUrl } = await driveSession(gateway, sessionId, 'pay');
    const returnPage = buyer.browser.request(redirectUrl!);
    release();
    const [page] = await Promise.all([returnPage, receiver.waitFor(answered + 1)]);
    receiver.respondWith(forwardWebhooksTo(t.app));
    expect(page.body).toContain('Your payment is confirmed.');
    await waitForStatus(orderId, 'fulfilled');
    const items = await t.db.kysely.selectFrom('order_items').select('id').where('order_id', '=', orderId).execute();
    expect(
      await t.db.kysely
        .selectFrom('delivered_keys')
        .select('id')
        .where(
          'order_item_id',
          'in',
          items.map((i) => i.id),
        )
        .execute(),
    ).toHaveLength(2);
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(2);
    const events = await t.db.kysely.selectFrom('order_events').select('event').where('order_id', '=', orderId).orderBy('id').execute();
    expect(events.filter((e) => e.event === 'payment_settled')).toHaveLength(1);
    expect(
      (await t.db.kysely.selectFrom('orders').select('invoice_number').where('id', '=', orderId).executeTakeFirstOrThrow()).invoice_number,
    ).toBeGreaterThan(0);
  });

  it('keeps the order open after a decline and releases the keys on cancel', async () => {
    const pool = await makeKeyLimProduct(fx, 2);
    const buyer = await loginAs(t.app, 'new');
    await addToCart(buyer, pool.sku, 2);
    const posted = await checkout(buyer);
    const sessionId = sessionIdOf(posted.location!);
    const { id: orderId } = await t.db.kysely
      .selectFrom('orders')
      .select('id')
      .where('payment_ref', '=', sessionId)
      .executeTakeFirstOrThrow();
    const answered = receiver.received.length;
    await driveSession(gateway, sessionId, 'decline');
    const [failure] = (await receiver.waitFor(answered + 1)).slice(answered);
    expect(failure!.body.toString()).toContain('checkout.session.async_payment_failed');
    expect(failure!.status).toBe(200);
    expect((await orderOf(orderId)).status).toBe('pending');
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(0);

    const { redirectUrl } = await driveSession(gateway, sessionId, 'cancel', { via: 'page' });
    const back = await buyer.browser.request(redirectUrl!);
    expect(back.body).toContain('<h1>Payment cancelled</h1>');
    expect((await orderOf(orderId)).status).toBe('cancelled');
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(2);
    expect((JSON.parse((await buyer.browser.request('/api/cart')).body) as CartJson).count).toBe(2);
  });

  it('expires an unpaid order through the gateway’s expiry, and a late payment is not lost', async () => {
    const pool = await makeKeyLimProduct(fx, 1);
    const buyer = await loginAs(t.app, 'new');
    await addToCart(buyer, pool.sku);
    const sessionId = sessionIdOf((await checkout(buyer)).location!);
    const { id: orderId } = await t.db.kysely
      .selectFrom('orders')
      .select('id')
      .where('payment_ref', '=', sessionId)
      .executeTakeFirstOrThrow();
    await driveSession(gateway, sessionId, 'expire');
    await waitForStatus(orderId, 'expired');
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(1);

    // A payment for the expired order, signed by the gateway, arrives late: it is fulfilled since the key is still there.
    const res = await postSignedCompletion({ eventId: `evt_late_${orderId}`, sessionId, orderId, amount: 1900 });
    expect(res.json()).toEqual({ received: true, outcome: 'fulfilled' });
    expect((await orderOf(orderId)).status).toBe('fulfilled');
    const events = await t.db.kysely.selectFrom('order_events').select('event').where('order_id', '=', orderId).orderBy('id').execute();
    expect(events.map((e) => e.event)).toEqual(['created', 'reservation_expired', 'payment_settled', 'fulfilled_late']);
  });

  it('flags a payment whose amount differs and delivers nothing', async () => {
    const product = await makeProduct(fx.catalog, { price: 2500 });
    const buyer = await loginAs(t.app, 'new');
    await addToCart(buyer, product.sku);
    const sessionId = sessionIdOf((await checkout(buyer)).location!);
    const { id: orderId } = await t.db.kysely
      .selectFrom('orders')
      .select('id')
      .where('payment_ref', '=', sessionId)
      .executeTakeFirstOrThrow();
    const res = await postSignedCompletion({ eventId: `evt_cheap_${orderId}`, sessionId, orderId, amount: 100 });
    expect(res.json<{ outcome: string }>().outcome).toBe('amount_mismatch');
    const order = await orderOf(orderId);
    expect(order.status).toBe('needs_attention');
    expect(order.attention_reason).toContain('Paid 100 EUR for an order of 2500 EUR');
    expect(
      await t.db.kysely
        .selectFrom('delivered_keys')
        .select('delivered_keys.id')
        .innerJoin('order_items', 'order_items.id', 'delivered_keys.order_item_id')
        .where('order_items.order_id', '=', orderId)
        .execute(),
    ).toEqual([]);
  });

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
