import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { gatewayEnv, startTestGateway, type DevGateway } from '../support/gateway.js';
import { makeDiscount } from './discount-fixtures.js';

const hiddenFields = (body: string) =>
  Object.fromEntries(
    [...body.matchAll(/<input type="hidden" name="(idempotencyKey|reviewedTotal|reviewedCurrency|reviewedCode)" value="([^"]*)"/g)].map(
      (m) => [m[1]!, m[2]!],
    ),
  );

/** The whole way: a code entered on /cart, taken by checkout's order, given back when the buyer cancels it. */
describe.each(testDialects)('a discount code through checkout and a cancelled order on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let t: TestApp;
  let fx: CatalogFixtures;
  let discounts: DiscountsService;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway) });
    fx = catalogFixtures(t.db);
    discounts = createDiscountsService({ db: t.db, catalog: fx.catalog });
  });
  afterAll(async () => {
    await t?.close();
    await gateway?.close();
    await idp?.close();
  });

  it('takes the last use with the order and gives it back when the order is cancelled', async () => {
    const code = await makeDiscount(discounts, { percent: '20', maxUses: '1' });
    const uses = async () =>
      (await t.db.kysely.selectFrom('discount_codes').select('uses').where('id', '=', code.id).executeTakeFirstOrThrow()).uses;
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
    const order = await t.db.kysely.selectFrom('orders').selectAll().where('user_sub', '=', buyer.user.sub).executeTakeFirstOrThrow();
    expect(order).toMatchObject({ status: 'pending', discount_code: code.code, discount: 500 });
    expect(await uses()).toBe(1);
    // the last use is taken: another buyer's cart says so at once
    const other = await loginAs(t.app, 'new');
    await other.browser.request('/cart', { form: { action: 'add', sku: p.sku, quantity: '1' } });
    expect((await other.browser.request('/cart/discount', { form: { action: 'apply', code: code.code } })).location).toContain(
      'error=discount_exhausted',
    );

    const cancelled = await buyer.browser.request(`/orders/${order.id}/cancel`, { form: {} });
    expect(cancelled.status).toBeLessThan(400);
    expect((await t.db.kysely.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status).toBe(
      'cancelled',
    );
    expect(await uses()).toBe(0);
    expect(await discounts.redemptionOf(order.id)).toMatchObject({ status: 'released' });
    expect((await other.browser.request('/cart/discount', { form: { action: 'apply', code: code.code } })).location).toContain(
      'discount_applied',
    );
  });
});
