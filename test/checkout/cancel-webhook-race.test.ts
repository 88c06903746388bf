import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { checkoutServices } from '../support/checkout-shop.js';
import { postgresUrl, testDialects } from '../support/database.js';
import { testConfig } from '../support/env.js';
import { catalogFixtures, makeKeyLimProduct } from '../support/factories.js';
import { gatewayEnv, startTestGateway, type DevGateway } from '../support/gateway.js';

// The buyer comes back through the cancel link: the store closes the payment session, and the
// gateway's "session expired" webhook for that close lands before the store cancels the order.
describe.each(testDialects)('a cancel whose own session close is reported first, on %s', (dialect) => {
  let gateway: DevGateway;
  let t: TestApp;

  beforeAll(async () => {
    gateway = await startTestGateway({ webhookUrl: null });
    t = await createTestApp(dialect, gatewayEnv(gateway));
  });
  afterAll(async () => {
    await t?.close();
    await gateway?.close();
  });

  it('still ends the order as cancelled, with its keys given back once', async () => {
    const fx = catalogFixtures(t.db);
    const config = testConfig(gatewayEnv(gateway));
    const plain = checkoutServices(t.db, fx, config);
    const real = plain.shop.gateway;
    const { cart, checkout, shop } = checkoutServices(t.db, fx, config, {
      gateway: {
        ...real,
        // What the webhook would do, done before the close returns: the race the store loses otherwise.
        async expireCheckoutSession(ref) {
          const session = await real.expireCheckoutSession(ref);
          await t.db.transaction((tx) => shop.orderPayments.expire(tx, session.reference!, 'webhook checkout.session.expired'));
          return session;
        },
      },
    });
    const pool = await makeKeyLimProduct(fx, 2);
    const buyer = { sub: `buyer-${randomUUID()}`, email: 'race@example.test' };
    await cart.addItem(buyer.sub, pool.sku, 2);
    const { orderId } = await checkout.placeOrder(buyer, randomUUID(), { total: 3800, currency: 'EUR' });
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(0);

    const { order } = await checkout.confirmReturn(orderId, buyer, { cancelled: true });
    expect(order.status).toBe('cancelled');
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(2);
    const events = await t.db.kysely.selectFrom('order_events').select('event').where('order_id', '=', orderId).orderBy('id').execute();
    expect(events.map((e) => e.event)).toEqual(['created', 'reservation_expired', 'payment_cancelled']);
  });
});

// The same race with the two transactions overlapping: the webhook's has written `expired` and holds
// the row while the cancel reads `pending` and waits on the row (PostgreSQL; SQLite runs one at a time).
describe.skipIf(!postgresUrl)('a cancel overlapping its own session close, on postgres', () => {
  let gateway: DevGateway;
  let t: TestApp;

  beforeAll(async () => {
    gateway = await startTestGateway({ webhookUrl: null });
    t = await createTestApp('postgres', gatewayEnv(gateway));
  });
  afterAll(async () => {
    await t?.close();
    await gateway?.close();
  });

  it('judges the cancel again once the webhook committed: the order ends cancelled, its keys given back once', async () => {
    const fx = catalogFixtures(t.db);
    const config = testConfig(gatewayEnv(gateway));
    const real = checkoutServices(t.db, fx, config).shop.gateway;
    let webhook: Promise<unknown> = Promise.resolve();
    const { cart, checkout, shop } = checkoutServices(t.db, fx, config, {
      gateway: {
        ...real,
        async expireCheckoutSession(ref) {
          const session = await real.expireCheckoutSession(ref);
          let written!: () => void;
          const inside = new Promise<void>((r) => (written = r));
          webhook = t.db.transaction(async (tx) => {
            await shop.orderPayments.expire(tx, session.reference!, 'webhook checkout.session.expired');
            written();
            // Held until the cancel's own transaction has read `pending` and waits on the row.
            await new Promise((r) => setTimeout(r, 300));
          });
          await inside;
          return session;
        },
      },
    });
    const pool = await makeKeyLimProduct(fx, 2);
    const buyer = { sub: `buyer-${randomUUID()}`, email: 'overlap@example.test' };
    await cart.addItem(buyer.sub, pool.sku, 2);
    const { orderId } = await checkout.placeOrder(buyer, randomUUID(), { total: 3800, currency: 'EUR' });

    const { order } = await checkout.confirmReturn(orderId, buyer, { cancelled: true });
    await webhook;
    expect(order.status).toBe('cancelled');
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(2);
    const events = await t.db.kysely.selectFrom('order_events').select('event').where('order_id', '=', orderId).orderBy('id').execute();
    expect(events.map((e) => e.event)).toEqual(['created', 'reservation_expired', 'payment_cancelled:raced', 'payment_cancelled']);
  });
});
