import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { forwardWebhooksTo, gatewayEnv, startTestGateway, startWebhookReceiver, type DevGateway } from '../support/gateway.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';

type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

const hiddenFields = (body: string) =>
  Object.fromEntries(
    [...body.matchAll(/<input type="hidden" name="(idempotencyKey|reviewedTotal|reviewedCurrency|reviewedCode)" value="([^"]*)"/g)].map(
      (m) => [m[1]!, m[2]!],
    ),
  );

// A code's last use, taken by a checkout, comes back when its order ends unpaid by each real way:
// the gateway's expiry webhook, a failed asynchronous payment, and the store's own sweeper.
describe.each(testDialects)('a discount code given back by an order that ends unpaid on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let receiver: Receiver;
  let t: TestApp;
  let fx: CatalogFixtures;
  let discounts: DiscountsService;
  let now = Date.now();

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway), SELLER_COUNTRY: 'DE', RESERVATION_MINUTES: '30' }, () => now);
    receiver = await startWebhookReceiver(forwardWebhooksTo(t.app));
    gateway.setWebhookUrl(receiver.url);
    fx = catalogFixtures(t.db);
    discounts = createDiscountsService({ db: t.db, catalog: fx.catalog });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    await gateway?.close();
    await idp?.close();
  });

  const codeRow = (id: number) => t.db.kysely.selectFrom('discount_codes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const orderOf = (sub: string) => t.db.kysely.selectFrom('orders').selectAll().where('user_sub', '=', sub).executeTakeFirstOrThrow();

  /** A buyer who takes the code's only use with a pending order; the order and the code. */
  async function pendingOrderWithLastUse() {
    const code = await makeDiscount(discounts, { percent: '20', maxUses: '1' });
    const buyer = await loginAs(t.app, 'new');
    const p = await makeProduct(fx.catalog, { price: 2500 });
    await buyer.browser.request('/cart', { form: { action: 'add', sku: p.sku, quantity: '1' } });
    expect((await buyer.browser.request('/cart/discount', { form: { action: 'apply', code: code.code } })).location).toContain(
      'discount_applied',
    );
    const billing = { billingName: 'Ada Lovelace', billingCountry: 'DE' };
    const page = await buyer.browser.request(`/checkout?${new URLSearchParams(billing)}`);
    expect(page.status).toBe(200);
    expect((await buyer.browser.request('/checkout', { form: { ...hiddenFields(page.body), ...billing } })).status).toBe(303);
    const order = await orderOf(buyer.user.sub);
    expect(order).toMatchObject({ status: 'pending', discount_code: code.code, discount: 500 });
    expect((await codeRow(code.id)).uses).toBe(1);
    return { order, code, sub: buyer.user.sub };
  }

  async function expectGivenBack(codeId: number, orderId: string, sub: string, status: string) {
    for (let i = 0; i < 200 && (await orderOf(sub)).status === 'pending'; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await orderOf(sub)).status).toBe(status);
    expect((await codeRow(codeId)).uses).toBe(0);
    expect(await discounts.redemptionOf(orderId)).toMatchObject({ status: 'released' });
  }

  it('when the gateway reports the payment session expired', async () => {
    const { order, code, sub } = await pendingOrderWithLastUse();
    gateway.expire(order.payment_ref!);
    await expectGivenBack(code.id, order.id, sub, 'expired');
  });

  it('when an asynchronous payment fails after the session closed', async () => {
    const { order, code, sub } = await pendingOrderWithLastUse();
    gateway.pay(order.payment_ref!, { async: true });
    gateway.fail(order.payment_ref!);
    await expectGivenBack(code.id, order.id, sub, 'failed');
  });

  it('when the order sweeper expires the order after its reservation', async () => {
    const { order, code, sub } = await pendingOrderWithLastUse();
    now += 31 * 60_000;
    try {
      expect(await t.app.jobs.expireStaleOrders()).toBeGreaterThanOrEqual(1);
    } finally {
      now = Date.now();
    }
    await expectGivenBack(code.id, order.id, sub, 'expired');
  });
});
