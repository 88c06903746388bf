import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrdersService } from '../../src/orders/orders.service.js';
import { createMailService } from '../../src/platform/mail/mail.service.js';
import { outcomeLabel } from '../../src/platform/metrics.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';
import { completedSessionEvent, postSignedWebhook, TEST_STRIPE_KEY, TEST_WEBHOOK_SECRET } from '../support/gateway.js';

const TOKEN = 'metrics-token-for-tests-0123456789abcdef';
const env = { METRICS_TOKEN: TOKEN, STRIPE_SECRET_KEY: TEST_STRIPE_KEY, STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET };

/** The value of one sample line (`name{labels} value`), or undefined when the scrape has no such line. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('webhook outcome labels', () => {
  it('keep the part before the reason and fold anything unexpected into one label', () => {
    expect(outcomeLabel('fulfilled')).toBe('fulfilled');
    expect(outcomeLabel('not_applied:not allowed from fulfilled')).toBe('not_applied');
    expect(outcomeLabel('Weird Outcome')).toBe('other');
    expect(outcomeLabel('x'.repeat(41))).toBe('other');
  });
});

describe.each(testDialects)('metrics on %s', (dialect) => {
  let t: TestApp;
  const scrape = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    t = await createTestApp(dialect, env);
  });
  afterAll(() => t.close());

  it('is not there without a configured token', async () => {
    const bare = await createTestApp(dialect);
    try {
      const res = await bare.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.statusCode).toBe(404);
    } finally {
      await bare.close();
    }
  });

  it('refuses scrapers without the right Bearer token', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token',
      TOKEN,
      `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`,
      `Bearer ${TOKEN}x`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(res.body).not.toContain('http_request_duration_seconds');
    }
  });

  it('times requests by route pattern and status, never by raw URL', async () => {
    const product = await makeProduct(catalogFixtures(t.db).catalog, { name: 'Metric Widget' });
    expect((await t.app.inject({ method: 'GET', url: `/${product.sku}` })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/NO-SUCH-SKU-123' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/no/such/page/at/all' })).statusCode).toBe(404);
    const text = await scrape();
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/:sku",status_code="200"}')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/:sku",status_code="404"}')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_bucket{le="10",method="GET",route="/:sku",status_code="200"}')).toBe(1);
    expect(text).not.toContain(product.sku);
    expect(text).not.toContain('NO-SUCH-SKU');
    expect(text).not.toContain('/no/such');
    // Process metrics come along (memory is what the benchmark watches).
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts orders by status and the unsent mail at scrape time', async () => {
    const product = await makeProduct(catalogFixtures(t.db).catalog);
    const orders = createOrdersService({ db: t.db });
    const now = Date.now();
    const place = (id: string) =>
      t.db.transaction((tx) =>
        orders.createOrder(
          tx,
          {
            id,
            user_sub: 'metrics-buyer',
            email: 'buyer@example.test',
            currency: 'EUR',
            subtotal: 100,
            tax: 0,
            total: 100,
            reserved_until: now + 60_000,
            created_at: now,
            updated_at: now,
          },
          [{ product_id: product.id, sku: product.sku, name: 'Metric product', type: 'key', unit_price: 100, quantity: 1 }],
        ),
      );
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await place(id);
    await t.db.transaction((tx) => orders.applyEvent(tx, ids[0]!, 'payment_cancelled', 'test'));
    const mail = createMailService({ db: t.db, smtpUrl: 'smtp://127.0.0.1:9', from: 'shop@example.test' });
    for (const n of [1, 2, 3]) await mail.enqueue({ recipient: 'owner@example.test', subject: `Mail ${n}`, textBody: 'Hello' });
    mail.close();

    const text = await scrape();
    expect(sample(text, 'store_orders{status="pending"}')).toBe(2);
    expect(sample(text, 'store_orders{status="cancelled"}')).toBe(1);
    expect(sample(text, 'store_mail_outbox_backlog')).toBe(3);

    // A gauge read at scrape time: the next scrape sees the change, and a status with no orders left disappears.
    await t.db.transaction(async (tx) => {
      for (const id of ids.slice(1)) await orders.applyEvent(tx, id, 'payment_cancelled', 'test');
    });
    const later = await scrape();
    expect(sample(later, 'store_orders{status="cancelled"}')).toBe(3);
    expect(sample(later, 'store_orders{status="pending"}')).toBeUndefined();
  });

  it('counts webhook outcomes, refused deliveries included', async () => {
    const before = await scrape();
    const forged = JSON.stringify({
      id: 'evt_forged_metrics',
      object: 'event',
      type: 'checkout.session.completed',
      created: 1,
      data: { object: {} },
    });
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/payment-callback',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: forged, secret: 'whsec_wrong' }),
      },
      payload: forged,
    });
    expect(refused.statusCode).toBe(400);
    const unknown = completedSessionEvent({
      eventId: `evt_${randomUUID()}`,
      sessionId: 'cs_metrics',
      orderId: 'ord_000000000000000000000000',
      amount: 100,
    });
    expect((await postSignedWebhook(t.app, unknown)).json()).toEqual({ received: true, outcome: 'unknown_order' });
    expect((await postSignedWebhook(t.app, unknown)).json()).toEqual({ received: true, outcome: 'duplicate' });

    const text = await scrape();
    const delta = (outcome: string) =>
      (sample(text, `store_payment_webhook_events_total{outcome="${outcome}"}`) ?? 0) -
      (sample(before, `store_payment_webhook_events_total{outcome="${outcome}"}`) ?? 0);
    expect(delta('rejected')).toBe(1);
    expect(delta('unknown_order')).toBe(1);
    expect(delta('duplicate')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count{method="POST",route="/api/payment-callback",status_code="400"}')).toBe(1);
  });
});
