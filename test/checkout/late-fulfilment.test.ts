import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCartService } from '../../src/cart/cart.service.js';
import { createOrderPayments } from '../../src/payments/order-payments.js';
import { createFulfilmentService } from '../../src/fulfilment/fulfilment.service.js';
import { createKeySigner, loadSigningKey } from '../../src/fulfilment/signed-key.js';
import { createOrdersService } from '../../src/orders/orders.service.js';
import { testConfig } from '../support/env.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import { createMailService } from '../../src/platform/mail/mail.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct } from '../support/factories.js';
import { completedSessionEvent, gatewayEnv, postSignedWebhook, startTestGateway, type DevGateway } from '../support/gateway.js';

describe.each(testDialects)('a late payment waiting for keys on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let t: TestApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    env = { ...idp.env, ...gatewayEnv(gateway) };
    t = await createTestApp(dialect, env);
  });
  afterAll(async () => {
    await t.close();
    await gateway.close();
    await idp.close();
  });

  it('is flagged when the pool is empty and delivered once the owner adds keys', async () => {
    const config = testConfig(env);
    const fx = catalogFixtures(t.db);
    const orders = createOrdersService({ db: t.db });
    const fulfilment = createFulfilmentService({
      db: t.db,
      keyPool: fx.keyPool,
      signer: createKeySigner(loadSigningKey(config.licenseSigningKey)),
      secrets: createSecretBox(config.encryptionKey),
      defaults: config.downloadDefaults,
    });
    const mail = createMailService({ db: t.db, smtpUrl: config.smtpUrl, from: config.mailFrom });
    const payments = createOrderPayments({
      db: t.db,
      orders,
      fulfilment,
      keyPool: fx.keyPool,
      cart: createCartService({ db: t.db, catalog: fx.catalog }),
      mail,
      config,
    });

    // A buyer's order expires; meanwhile another buyer takes the only key.
    const pool = await makeKeyLimProduct(fx, 1, { price: 1900 });
    const late = await loginAs(t.app, 'new');
    await late.browser.request('/cart', { form: { action: 'add', sku: pool.sku, quantity: '1' } });
    const page = await late.browser.request('/checkout');
    const posted = await late.browser.request('/checkout', {
      form: { idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]! },
    });
    const sessionId = new URL(posted.location!).pathname.split('/').pop()!;
    const { id: orderId } = await t.db.kysely
      .selectFrom('orders')
      .select('id')
      .where('payment_ref', '=', sessionId)
      .executeTakeFirstOrThrow();
    await t.db.transaction(async (tx) => {
      await orders.applyEvent(tx, orderId, 'reservation_expired');
      await fx.keyPool.releaseReservation(orderId, tx);
      await fx.keyPool.reserveKeys(tx, { productId: pool.id, orderId: 'ord_rival', quantity: 1, until: Date.now() + 60_000 });
    });

    // The late buyer's payment arrives, signed by the gateway: not lost, flagged for the owner.
    const res = await postSignedWebhook(
      t.app,
      completedSessionEvent({
        eventId: `evt_late_${orderId}`,
        sessionId,
        orderId,
        amount: 1900,
        paymentIntent: `pi_${orderId.slice(-10)}`,
      }),
    );
    expect(res.json()).toEqual({ received: true, outcome: 'needs_attention' });
    const flagged = await orders.findOrder(orderId);
    expect(flagged?.status).toBe('needs_attention');
    expect(flagged?.attention_reason).toContain('add keys and fulfil, or refund');
    expect((await late.browser.request(`/orders/${orderId}`)).body).toContain('we are reviewing the order');
    expect(await payments.fulfilWaitingFor(pool.id)).toEqual([]);

    // The owner imports keys: the waiting order is delivered, the buyer told.
    await fx.keyPool.importKeys(pool.id, ['FRESH-KEY-1']);
    expect(await payments.fulfilWaitingFor(pool.id)).toEqual([orderId]);
    expect(await orders.findOrder(orderId)).toMatchObject({ status: 'fulfilled', attention_reason: null });
    expect(await payments.fulfilWaiting(orderId)).toBe('not_waiting');
    const shown = await late.browser.request(`/orders/${orderId}`);
    expect(shown.body).toContain('Get license key');
    const mails = await t.db.kysely.selectFrom('mail_outbox').select('text_body').where('recipient', '=', late.user.email).execute();
    expect(mails.at(-1)!.text_body).toContain('Your license keys and downloads are ready');
    mail.close();
  });
});
