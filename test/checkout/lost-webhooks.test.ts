import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct, type CatalogFixtures } from '../support/factories.js';
import {
  driveSession,
  forwardWebhooksTo,
  gatewayEnv,
  startTestGateway,
  startWebhookReceiver,
  type DevGateway,
} from '../support/gateway.js';

type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

// The gateway sends no webhook at all (webhookUrl null): what a misconfigured endpoint or an outage
// longer than Stripe's retries looks like to the store. Events are recorded, so one can be delivered later.
describe.each(testDialects)('a paid order with every webhook lost, on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let receiver: Receiver;
  let t: TestApp;
  let fx: CatalogFixtures;
  let now = Date.now();
  const logLines: string[] = [];

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway({ webhookUrl: null });
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway), RESERVATION_MINUTES: '30', LOG_LEVEL: 'warn' }, () => now, {
      write: (line) => void logLines.push(line),
    });
    receiver = await startWebhookReceiver(forwardWebhooksTo(t.app));
    fx = catalogFixtures(t.db, () => now);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    await gateway.close();
    await idp.close();
  });

  /** A new buyer buys a product's two keys; returns the order and its payment session. */
  async function placeOrder() {
    now = Date.now();
    const buyer = await loginAs(t.app, 'new');
    const pool = await makeKeyLimProduct(fx, 2);
    await buyer.browser.request('/cart', { form: { action: 'add', sku: pool.sku, quantity: '2' } });
    const page = await buyer.browser.request('/checkout');
    const posted = await buyer.browser.request('/checkout', {
      form: { idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]! },
    });
    expect(posted.status).toBe(303);
    const sessionId = new URL(posted.location!).pathname.split('/').pop()!;
    const { id } = await t.db.kysely.selectFrom('orders').select('id').where('payment_ref', '=', sessionId).executeTakeFirstOrThrow();
    return { orderId: id, sessionId, pool, buyer };
  }

  const statusOf = async (orderId: string) =>
    (await t.db.kysely.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()).status;
  const deliveredKeys = (orderId: string) =>
    t.db.kysely
      .selectFrom('delivered_keys')
      .innerJoin('order_items', 'order_items.id', 'delivered_keys.order_item_id')
      .select('delivered_keys.license_key_id')
      .where('order_items.order_id', '=', orderId)
      .where('delivered_keys.license_key_id', 'is not', null)
      .execute();
  const mailsAbout = async (orderId: string) =>
    (await t.db.kysely.selectFrom('mail_outbox').select(['subject', 'text_body']).execute())
      .filter((m) => m.text_body.includes(`/orders/${orderId}`))
      .map((m) => m.subject);

  /** The webhook the gateway would have sent, delivered now: the endpoint was fixed after the fact. */
  async function deliverLateWebhook(sessionId: string) {
    now = Date.now(); // its signature is dated by the gateway's clock
    const completed = gateway
      .events()
      .find((r) => r.event.type === 'checkout.session.completed' && (r.event.data as { object: { id: string } }).object.id === sessionId)!;
    expect(completed.attempts).toHaveLength(0);
    gateway.setWebhookUrl(receiver.url);
    try {
      const before = receiver.received.length;
      gateway.resend(completed.event.id);
      const [hook] = (await receiver.waitFor(before + 1)).slice(before);
      expect(hook!.status).toBe(200);
    } finally {
      gateway.setWebhookUrl(null);
    }
    const [recorded] = await t.db.kysely
      .selectFrom('payment_events')
      .select('outcome')
      .where('event_id', '=', completed.event.id)
      .execute();
    return recorded!.outcome;
  }

  it('the sweeper settles an order paid on the gateway page instead of expiring it; a webhook arriving later changes nothing', async () => {
    const { orderId, sessionId, buyer } = await placeOrder();
    // The buyer pays on the hosted page and closes the tab: no return page, no webhook.
    await driveSession(gateway, sessionId, 'pay', { via: 'page' });
    expect(await statusOf(orderId)).toBe('pending');

    now += 31 * 60_000;
    logLines.length = 0;
    expect(await t.app.jobs.expireStaleOrders()).toBe(0);
    expect(await statusOf(orderId)).toBe('fulfilled');
    expect(logLines.join('\n')).toContain('order sweeper settled a payment whose webhook never arrived');
    expect(await deliveredKeys(orderId)).toHaveLength(2);
    expect(await mailsAbout(orderId)).toEqual([expect.stringMatching(/Order #\d+ — payment received$/)]);

    expect(await deliverLateWebhook(sessionId)).toBe('not_applied:refused');
    expect(await statusOf(orderId)).toBe('fulfilled');
    expect(await deliveredKeys(orderId)).toHaveLength(2);
    expect(await mailsAbout(orderId)).toHaveLength(1);
    const page = await buyer.browser.request(`/orders/${orderId}`);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('The payment was not completed in time');
  });

  it('the sweeper still expires an unpaid order, releases its keys and closes its payment page', async () => {
    const { orderId, sessionId, pool } = await placeOrder();
    now += 31 * 60_000;
    expect(await t.app.jobs.expireStaleOrders()).toBe(1);
    expect(await statusOf(orderId)).toBe('expired');
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(2);
    expect(gateway.session(sessionId).status).toBe('expired');
    expect(await mailsAbout(orderId)).toEqual([]);
  });

  it('the reconciler settles a paid order before its reservation ends, once, and a later webhook is a no-op', async () => {
    const { orderId, sessionId } = await placeOrder();
    await driveSession(gateway, sessionId, 'pay');
    const first = await t.app.jobs.reconcilePayments();
    expect(first).toMatchObject({ reachable: true, settled: [orderId] });
    expect(first.checked).toBeGreaterThanOrEqual(1);
    expect(await statusOf(orderId)).toBe('fulfilled');
    expect(await deliveredKeys(orderId)).toHaveLength(2);
    expect(await mailsAbout(orderId)).toHaveLength(1);

    const eventsBefore = await t.db.kysely.selectFrom('order_events').select('id').where('order_id', '=', orderId).execute();
    expect(await t.app.jobs.reconcilePayments()).toMatchObject({ settled: [], expired: [] });
    // A settled order is only read: no refused event is written on every run.
    expect(await t.db.kysely.selectFrom('order_events').select('id').where('order_id', '=', orderId).execute()).toHaveLength(
      eventsBefore.length,
    );
    expect(await deliverLateWebhook(sessionId)).toBe('not_applied:refused');
    expect(await mailsAbout(orderId)).toHaveLength(1);
    expect(await deliveredKeys(orderId)).toHaveLength(2);
  });

  it('the sweeper and two reconciler runs at once (as on several instances) settle a paid order once', async () => {
    const { orderId, sessionId } = await placeOrder();
    await driveSession(gateway, sessionId, 'pay');
    now += 31 * 60_000;
    await Promise.all([t.app.jobs.expireStaleOrders(), t.app.jobs.reconcilePayments(), t.app.jobs.reconcilePayments()]);
    expect(await statusOf(orderId)).toBe('fulfilled');
    expect(await deliveredKeys(orderId)).toHaveLength(2);
    expect(await mailsAbout(orderId)).toHaveLength(1);
  });

  it('a gateway that cannot be reached keeps stale orders pending (logged once), and the next pass after it is back settles or expires them', async () => {
    const paid = await placeOrder();
    await driveSession(gateway, paid.sessionId, 'pay');
    const unpaid = await placeOrder();
    now += 31 * 60_000;
    logLines.length = 0;
    gateway.simulateOutage(1_000);
    try {
      expect(await t.app.jobs.expireStaleOrders()).toBe(0);
      expect(await t.app.jobs.expireStaleOrders()).toBe(0);
      expect(await t.app.jobs.reconcilePayments()).toMatchObject({ reachable: false, settled: [] });
      expect(await t.app.jobs.reconcilePayments()).toMatchObject({ reachable: false });
    } finally {
      gateway.simulateOutage(0);
    }
    expect(await statusOf(paid.orderId)).toBe('pending');
    expect(await statusOf(unpaid.orderId)).toBe('pending');
    const warnings = logLines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(warnings.filter((m) => m.includes('order sweeper: the payment gateway cannot be reached'))).toHaveLength(1);
    expect(warnings.filter((m) => m.includes('payment reconciliation: the gateway cannot be reached'))).toHaveLength(1);

    expect(await t.app.jobs.expireStaleOrders()).toBe(1);
    expect(await statusOf(paid.orderId)).toBe('fulfilled');
    expect(await deliveredKeys(paid.orderId)).toHaveLength(2);
    expect(await statusOf(unpaid.orderId)).toBe('expired');
  });
});
