import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct, type CatalogFixtures } from '../support/factories.js';
import { driveSession, gatewayEnv, startTestGateway, type DevGateway } from '../support/gateway.js';
import { signatureHeader } from '../../dev/gateway/gateway.signing.js';
import type { EventRecord } from '../../dev/gateway/gateway.webhooks.js';

const ROUNDS = 16;

// The buyer's browser comes back from the gateway at the same moment as the gateway's webhook: both
// settle the same paid session. Whichever comes second must change nothing, and the webhook must get a
// 2xx at once (anything else is redelivered by the gateway).
describe.each(testDialects)('the return page and the webhook at the same moment, on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let t: TestApp;
  let fx: CatalogFixtures;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway({ webhookUrl: null });
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway), LOG_LEVEL: 'error' });
    fx = catalogFixtures(t.db);
  });
  afterAll(async () => {
    await t.close();
    await gateway.close();
    await idp.close();
  });

  const sessionOf = (r: EventRecord) => (r.event.data as { object: { id: string } }).object.id;

  /** A new buyer orders two keys and is sent to the gateway's page. */
  async function placedOrder() {
    const buyer = await loginAs(t.app, 'new');
    const pool = await makeKeyLimProduct(fx, 2);
    await buyer.browser.request('/cart', { form: { action: 'add', sku: pool.sku, quantity: '2' } });
    const page = await buyer.browser.request('/checkout');
    const posted = await buyer.browser.request('/checkout', {
      form: { idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]! },
    });
    const sessionId = new URL(posted.location!).pathname.split('/').pop()!;
    const { id: orderId } = await t.db.kysely
      .selectFrom('orders')
      .select('id')
      .where('payment_ref', '=', sessionId)
      .executeTakeFirstOrThrow();
    return { buyer, orderId, sessionId };
  }

  /** A placed order paid on the gateway, its webhook held back. */
  async function paidSession() {
    const { buyer, orderId, sessionId } = await placedOrder();
    const { redirectUrl } = await driveSession(gateway, sessionId, 'pay');
    const completed = gateway.events().find((r) => r.event.type === 'checkout.session.completed' && sessionOf(r) === sessionId)!;
    return { buyer, orderId, redirectUrl: redirectUrl!, payload: JSON.stringify(completed.event) };
  }

  /** The order's transitions: exactly one settle, whoever made it. */
  const settledEvents = async (orderId: string) =>
    (
      await t.db.kysely
        .selectFrom('order_events')
        .select('event')
        .where('order_id', '=', orderId)
        .where('to_status', 'is not', null)
        .orderBy('id')
        .execute()
    ).map((e) => e.event);

  const webhook = (payload: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/payment-callback',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': signatureHeader(payload, gateway.webhookSecret, Math.floor(Date.now() / 1000)),
      },
      payload,
    });

  it(`settles each order once, and the webhook answers 200 whichever comes first (${ROUNDS} rounds)`, async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { buyer, orderId, redirectUrl, payload } = await paidSession();
      // The return page asks the gateway before it settles: the webhook is held back a little longer
      // each round, so some rounds the page settles first and some the webhook does.
      const delay = (round % 8) * 2;
      const [page, hook] = await Promise.all([
        buyer.browser.request(redirectUrl),
        new Promise((r) => setTimeout(r, delay)).then(() => webhook(payload)),
      ]);
      expect(hook.statusCode, hook.body).toBe(200);
      outcomes.push((hook.json() as { outcome: string }).outcome);
      expect(page.status).toBe(200);
      expect(page.body).toContain('data-order-status="fulfilled"');
      // The gateway's redelivery of the same event is a no-op too.
      expect((await webhook(payload)).json()).toMatchObject({ outcome: 'duplicate' });

      const order = await t.db.kysely.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow();
      expect(order.status).toBe('fulfilled');
      expect(await settledEvents(orderId)).toEqual(['created', 'payment_settled']);
      const keys = await t.db.kysely
        .selectFrom('delivered_keys')
        .innerJoin('order_items', 'order_items.id', 'delivered_keys.order_item_id')
        .select('delivered_keys.license_key_id')
        .where('order_items.order_id', '=', orderId)
        .execute();
      expect(keys).toHaveLength(2);
      const mails = (await t.db.kysely.selectFrom('mail_outbox').select('text_body').execute()).filter((m) =>
        m.text_body.includes(`/orders/${orderId}`),
      );
      expect(mails).toHaveLength(1);
      expect((await buyer.browser.request('/api/cart')).body).toContain('"count":0');
    }
    // Every answer is the order as it ended, or the refused repeat: never an error.
    for (const outcome of outcomes) expect(['fulfilled', 'not_applied:refused', 'not_applied:raced']).toContain(outcome);
  });

  it('a webhook whose transaction the database rolls back (serialization failure, SQLite busy) runs again and answers 200, settling once', async () => {
    const { buyer, orderId, payload } = await paidSession();
    const real = t.db.transaction.bind(t.db);
    let failures = 0;
    // The first two tries do all their work, then the database refuses the commit, as under a conflict.
    t.db.transaction = (fn) =>
      failures < 2
        ? real(async (tx) => {
            await fn(tx);
            failures++;
            throw Object.assign(new Error('could not serialize access due to concurrent update'), {
              code: dialect === 'postgres' ? '40001' : 'SQLITE_BUSY',
            });
          })
        : real(fn);
    try {
      const hook = await webhook(payload);
      expect(hook.statusCode, hook.body).toBe(200);
      expect(hook.json()).toMatchObject({ outcome: 'fulfilled' });
    } finally {
      t.db.transaction = real;
    }
    expect(failures).toBe(2);
    expect(await settledEvents(orderId)).toEqual(['created', 'payment_settled']);
    const mails = (await t.db.kysely.selectFrom('mail_outbox').select('text_body').execute()).filter((m) =>
      m.text_body.includes(`/orders/${orderId}`),
    );
    expect(mails).toHaveLength(1);
    expect((await buyer.browser.request('/api/cart')).body).toContain('"count":0');
    expect((await webhook(payload)).json()).toMatchObject({ outcome: 'duplicate' });
  });

  it('over HTTP, many buyers at once: every delivery of the gateway is answered 2xx the first time', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as AddressInfo;
    gateway.setWebhookUrl(`http://127.0.0.1:${port}/api/payment-callback`);
    try {
      const orders = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const { buyer, orderId, sessionId } = await placedOrder();
          // The gateway posts its webhook as it sends the buyer back: both reach the store together.
          const { redirectUrl } = await driveSession(gateway, sessionId, 'pay');
          const page = await buyer.browser.request(redirectUrl!);
          expect(page.status).toBe(200);
          return { orderId, sessionId };
        }),
      );
      for (const { orderId, sessionId } of orders) {
        const record = await gateway.waitForEvent(
          (r) => r.event.type === 'checkout.session.completed' && sessionOf(r) === sessionId && r.state !== 'pending',
        );
        expect(record.attempts.map((a) => a.status)).toEqual([200]);
        expect(await settledEvents(orderId)).toEqual(['created', 'payment_settled']);
      }
    } finally {
      gateway.setWebhookUrl(null);
    }
  });
});
