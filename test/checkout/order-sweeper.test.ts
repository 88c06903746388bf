import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct } from '../support/factories.js';
import { driveSession, gatewayEnv, startTestGateway, type DevGateway } from '../support/gateway.js';

describe.each(testDialects)('the order sweeper on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let t: TestApp;
  let now = Date.now();

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway), RESERVATION_MINUTES: '30' }, () => now);
  });
  afterAll(async () => {
    await t.close();
    await gateway.close();
    await idp.close();
  });

  it('expires a pending order once its reservation has passed, releases its keys and closes its payment page', async () => {
    const fx = catalogFixtures(t.db, () => now);
    const pool = await makeKeyLimProduct(fx, 2);
    const buyer = await loginAs(t.app, 'new');
    await buyer.browser.request('/cart', { form: { action: 'add', sku: pool.sku, quantity: '2' } });
    const page = await buyer.browser.request('/checkout');
    const posted = await buyer.browser.request('/checkout', {
      form: { idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]! },
    });
    const sessionId = new URL(posted.location!).pathname.split('/').pop()!;
    const order = await t.db.kysely.selectFrom('orders').selectAll().where('payment_ref', '=', sessionId).executeTakeFirstOrThrow();

    now += 29 * 60_000;
    expect(await t.app.jobs.expireStaleOrders()).toBe(0);
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(0);

    now += 2 * 60_000;
    expect(await t.app.jobs.expireStaleOrders()).toBe(1);
    expect(await t.app.jobs.expireStaleOrders()).toBe(0);
    const expired = await t.db.kysely.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow();
    expect(expired.status).toBe('expired');
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(2);
    await expect(driveSession(gateway, sessionId, 'pay')).rejects.toThrow(/gateway refused pay/);
    // Back to the identity provider's time, so the buyer's tokens are valid for the store again.
    now = Date.now();
    const shown = await buyer.browser.request(`/orders/${order.id}`);
    expect(shown.body).toContain('The payment was not completed in time');
  });
});
