/** The purchase from cart to paid order, with its races: on both databases, through the real gateway. */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartJson } from '../../src/cart/cart.present.js';
import type { TestApp } from '../support/app.js';
import { loginAs } from '../support/auth.js';
import { makeFileProduct, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { driveSession, forwardWebhooksTo, TEST_WEBHOOK_SECRET, type DevGateway } from '../support/gateway.js';
import { startCheckoutShop, type CheckoutShop, type WebhookReceiver } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { checkoutFlow } from './checkout-flow.helpers.js';

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
  const { addToCart, checkout, postSignedCompletion, sessionIdOf, orderOf, waitForStatus } = checkoutFlow(() => shop);

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
});
