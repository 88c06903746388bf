import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createCliServices } from '../../src/cli/context.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { checkoutServices, type CheckoutServices } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { testConfig } from '../support/env.js';
import { catalogFixtures, makeFileProduct, makeKeyLimProduct, type CatalogFixtures } from '../support/factories.js';
import {
  driveSession,
  forwardWebhooksTo,
  gatewayEnv,
  startTestGateway,
  startWebhookReceiver,
  type DevGateway,
} from '../support/gateway.js';

/**
 * The buyer's mails about an order, through the real store: the receipt when the gateway's webhook
 * settles it, and one refund notice per refund, whether the owner refunds (and the gateway's
 * charge.refunded webhook follows) or the refund is made in the gateway's dashboard.
 */
describe.each(testDialects)('receipt and refund mails on %s', (dialect) => {
  let gateway: DevGateway;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let t: TestApp;
  let fx: CatalogFixtures;
  let shop: CheckoutServices['shop'];
  let cart: CheckoutServices['cart'];
  let checkout: CheckoutServices['checkout'];
  // Where the gateway's webhooks go: the store under test, or one configured otherwise.
  let webhookTarget: Parameters<typeof forwardWebhooksTo>[0];

  beforeAll(async () => {
    gateway = await startTestGateway();
    const env = gatewayEnv(gateway);
    t = await createTestApp(dialect, env);
    webhookTarget = t.app;
    receiver = await startWebhookReceiver((hook) => forwardWebhooksTo(webhookTarget)(hook));
    gateway.setWebhookUrl(receiver.url);
    fx = catalogFixtures(t.db);
    const config = testConfig(env);
    ({ shop, cart, checkout } = checkoutServices(t.db, fx, config));
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    await gateway.close();
  });

  async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    for (let i = 0; i < 400; i++) {
      const v = await read();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  }
  const orderRow = (id: string) => t.db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  /** The mails queued about an order (they link its page), oldest first. */
  const mailsAbout = async (orderId: string) =>
    (await t.db.kysely.selectFrom('mail_outbox').selectAll().orderBy('id').execute()).filter((m) =>
      m.text_body.includes(`/orders/${orderId}`),
    );
  const itemName = async (orderId: string, sku: string) => (await shop.orders.findItems(orderId)).find((i) => i.sku === sku)!.name;
  const refundMails = async (orderId: string) => (await mailsAbout(orderId)).filter((m) => m.subject.endsWith(' refunded'));
  /** Waits until the gateway's charge.refunded webhooks of an order have all been answered. */
  const refundEventsDone = (orderId: string, count: number) =>
    waitFor(
      'refund webhooks',
      () =>
        t.db.kysely
          .selectFrom('payment_events')
          .select('outcome')
          .where('order_id', '=', orderId)
          .where('type', '=', 'charge.refunded')
          .execute(),
      (rows) => rows.length >= count && rows.every((r) => r.outcome !== null),
    );

  /** A paid order bought through checkout and the gateway; its receipt is queued when the webhook settles it. */
  async function paidOrder(lines: Array<[sku: string, quantity: number]>, email = `buyer-${randomUUID().slice(0, 8)}@example.test`) {
    const sub = `buyer-${randomUUID()}`;
    for (const [sku, quantity] of lines) await cart.addItem(sub, sku, quantity);
    const { orderId, paymentUrl } = await checkout.placeOrder({ sub, email }, randomUUID());
    await driveSession(gateway, new URL(paymentUrl!).pathname.split('/').pop()!, 'pay');
    await waitFor(
      'payment',
      () => orderRow(orderId),
      (o) => o.status === 'fulfilled',
    );
    return orderRow(orderId);
  }

  it('an owner refund queues one notice in its transaction; the webhook that follows sends none', async () => {
    const pool = { ...(await makeKeyLimProduct(fx, ['RM-KEY-A', 'RM-KEY-B', 'RM-KEY-C'], { price: 1900 })), price: 1900 };
    const file = await makeFileProduct(fx.catalog, { price: 500, name: 'Tactics <script>Pack</script>' });
    const order = await paidOrder([
      [pool.sku, 3],
      [file.sku, 1],
    ]);
    const number = `#${order.order_number}`;

    // The receipt: HTML and text, the order's number, items and the order page; no keys by default.
    const [receipt] = await mailsAbout(order.id);
    expect(receipt!.subject).toBe(`[Pixel & Key] Order ${number} — payment received`);
    expect(receipt!.html_body).toContain('Tactics &lt;script>Pack&lt;/script>');
    expect(receipt!.html_body).toContain(`href="http://localhost:3000/orders/${order.id}"`);
    expect(receipt!.text_body).toContain(`1 × Tactics <script>Pack</script> (${file.sku})`);
    expect(`${receipt!.text_body}${receipt!.html_body}`).not.toMatch(/RM-KEY-/);

    const partial = await shop.refunds.refundOrder({ orderId: order.id, item: { sku: pool.sku, units: 2 } });
    expect(partial.amount).toBe(2 * pool.price);
    let notices = await refundMails(order.id);
    expect(notices.map((m) => m.subject)).toEqual([`[Pixel & Key] Order ${number} — €${((2 * pool.price) / 100).toFixed(2)} refunded`]);
    expect(notices[0]!.text_body).toContain(`2 × ${await itemName(order.id, pool.sku)} (${pool.sku}, 2 of 3 refunded)`);
    expect(notices[0]!.text_body).toContain(`New order total: €${((order.total - 2 * pool.price) / 100).toFixed(2)}`);
    expect(notices[0]!.html_body).toContain(`href="http://localhost:3000/orders/${order.id}"`);
    // Its credit note, linked from the notice: one per refund.
    expect(notices[0]!.text_body).toContain(`http://localhost:3000${partial.creditNote.path}`);

    // The gateway's charge.refunded for the same refund: accounted already, no second notice.
    const [event] = await refundEventsDone(order.id, 1);
    expect(event!.outcome).toBe('refund_already_applied');
    expect(await refundMails(order.id)).toHaveLength(1);

    // The rest: a second refund, a second notice, and again none from its webhook.
    await shop.refunds.refundOrder({ orderId: order.id });
    expect((await refundEventsDone(order.id, 2)).map((e) => e.outcome)).toEqual(['refund_already_applied', 'refund_already_applied']);
    notices = await refundMails(order.id);
    expect(notices).toHaveLength(2);
    expect(notices[1]!.text_body).toContain('Your order was refunded');
    expect(notices[1]!.text_body).toContain('New order total: €0.00');
    expect(await mailsAbout(order.id)).toHaveLength(3);
  });

  it('a refund the gateway refuses changes nothing and tells the buyer nothing', async () => {
    const pool = await makeKeyLimProduct(fx, 1);
    const order = await paidOrder([[pool.sku, 1]]);
    const failing = createCliServices({ config: testConfig({ ...gatewayEnv(gateway), STRIPE_SECRET_KEY: 'sk_test_wrong_key' }), db: t.db });
    await expect(failing.refunds.refundOrder({ orderId: order.id })).rejects.toThrow();
    expect(await refundMails(order.id)).toEqual([]);
    expect((await orderRow(order.id)).status).toBe('fulfilled');
  });

  it('a refund made in the gateway’s dashboard: its webhook queues exactly one notice', async () => {
    const pool = { ...(await makeKeyLimProduct(fx, 2, { price: 1200 })), price: 1200 };
    const order = await paidOrder([[pool.sku, 2]]);
    await shop.gateway.refund({ paymentIntentId: order.payment_intent!, amount: pool.price, idempotencyKey: `dash-${order.id}` });
    const [event] = await refundEventsDone(order.id, 1);
    expect(event!.outcome).toBe('partially_refunded');
    const notices = await refundMails(order.id);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text_body).toContain(`1 × ${await itemName(order.id, pool.sku)} (${pool.sku}, 1 of 2 refunded)`);
    expect(notices[0]!.text_body).toContain(`Refunded now: €${(pool.price / 100).toFixed(2)}`);

    // The owner refunds the rest afterwards: one more notice, and its webhook adds none.
    await shop.refunds.refundOrder({ orderId: order.id });
    await refundEventsDone(order.id, 2);
    expect(await refundMails(order.id)).toHaveLength(2);
    // A credit note per refund, the dashboard's first, numbers one after the other; the webhook of the owner's none.
    const notes = await t.db.kysely
      .selectFrom('credit_notes')
      .select(['number', 'total', 'refund_ref'])
      .where('order_id', '=', order.id)
      .orderBy('id')
      .execute();
    expect(notes.map((n) => Number(n.total))).toEqual([pool.price, pool.price]);
    expect(Number(notes[1]!.number)).toBe(Number(notes[0]!.number) + 1);
    expect(notices[0]!.text_body).toContain('/credit-notes/CN-');
  });

  it('with MAIL_INCLUDE_KEYS on, the receipt carries the keys in both parts', async () => {
    const env = { ...gatewayEnv(gateway), MAIL_INCLUDE_KEYS: 'true' };
    const keysApp = await buildApp({ config: testConfig(env), db: t.db });
    await keysApp.ready();
    webhookTarget = keysApp;
    try {
      const pool = await makeKeyLimProduct(fx, ['MAILED-KEY-1']);
      const order = await paidOrder([[pool.sku, 1]]);
      const [receipt] = await mailsAbout(order.id);
      expect(receipt!.text_body).toContain('Your license keys:');
      expect(receipt!.text_body).toContain('MAILED-KEY-1');
      expect(receipt!.html_body).toContain('MAILED-KEY-1');
    } finally {
      webhookTarget = t.app;
      await keysApp.close();
    }
  });
});
