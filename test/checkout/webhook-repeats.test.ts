/**
 * A payment event is recorded last, in one statement with its outcome (payment-events.service.ts):
 * copies of one event delivered at once must still fulfil the order once and record the event once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.js';
import { loginAs } from '../support/auth.js';
import { startCheckoutShop, type CheckoutShop, type WebhookReceiver } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { makeKeyLimProduct, type CatalogFixtures } from '../support/factories.js';
import { driveSession, type DevGateway } from '../support/gateway.js';

describe.each(testDialects)('repeated payment events on %s', (dialect) => {
  let shop: CheckoutShop;
  let gateway: DevGateway;
  let receiver: WebhookReceiver;
  let t: TestApp;
  let fx: CatalogFixtures;

  beforeAll(async () => {
    // Webhooks are only caught here: the test delivers them to the store itself.
    shop = await startCheckoutShop(dialect, {}, { webhooks: 'catch' });
    ({ gateway, t, fx } = shop);
    receiver = shop.receiver!;
  });
  afterAll(() => shop?.close());

  it('fulfils once and records the event once when four copies of it arrive at the same moment', async () => {
    const buyer = await loginAs(t.app, 'new');
    const product = await makeKeyLimProduct(fx, 4, { price: 700 });
    expect((await buyer.browser.request('/cart', { form: { sku: product.sku, quantity: '2' } })).status).toBe(303);
    const page = await buyer.browser.request('/checkout');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]!;
    const placed = await buyer.browser.request('/checkout', { form: { idempotencyKey: key } });
    const sessionId = /\/pay\/(cs_[A-Za-z0-9_]+)/.exec(placed.location ?? '')![1]!;
    const orderId = /order=(ord_[0-9a-f]+)/.exec((await driveSession(gateway, sessionId, 'pay')).redirectUrl ?? '')![1]!;
    await receiver.waitFor(1);
    const hook = receiver.received.find((r) => r.body.toString().includes('checkout.session.completed'))!;

    const deliver = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/payment-callback',
        headers: { 'content-type': 'application/json', 'stripe-signature': String(hook.headers['stripe-signature']) },
        payload: hook.body,
      });
    const answers = await Promise.all([deliver(), deliver(), deliver(), deliver()]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200]);
    const outcomes = answers.map((a) => a.json<{ outcome: string }>().outcome).sort();
    expect(outcomes).toEqual(['duplicate', 'duplicate', 'duplicate', 'fulfilled']);

    const k = t.db.kysely;
    const events = await k.selectFrom('payment_events').select(['outcome', 'processed_at']).where('order_id', '=', orderId).execute();
    expect(events).toEqual([{ outcome: 'fulfilled', processed_at: expect.any(Number) as number }]);
    const order = await k
      .selectFrom('orders')
      .select(['status', 'invoice_number', 'invoice_series'])
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    expect(order.status).toBe('fulfilled');
    const transitions = await k.selectFrom('order_events').select(['event', 'to_status']).where('order_id', '=', orderId).execute();
    expect(transitions.map((e) => e.event)).toEqual(['created', 'payment_settled']);
    const keys = await k
      .selectFrom('delivered_keys')
      .innerJoin('order_items', 'order_items.id', 'delivered_keys.order_item_id')
      .select('delivered_keys.license_key_id')
      .where('order_items.order_id', '=', orderId)
      .execute();
    expect(keys).toHaveLength(2);
    const sold = await k
      .selectFrom('license_keys')
      .select('id')
      .where('product_id', '=', product.id)
      .where('status', '=', 'sold')
      .execute();
    expect(sold.map((s) => s.id).sort()).toEqual(keys.map((x) => x.license_key_id).sort());
    const mails = await k.selectFrom('mail_outbox').select('subject').where('recipient', '=', buyer.user.email).execute();
    expect(mails).toHaveLength(1);
    const counter = await k
      .selectFrom('counters')
      .select('value')
      .where('name', '=', `invoice:${order.invoice_series}`)
      .executeTakeFirstOrThrow();
    // The first paid order of this database: no number was taken by the copies that lost.
    expect(order.invoice_number).toBe(1);
    expect(Number(counter.value)).toBe(1);
  });
});
