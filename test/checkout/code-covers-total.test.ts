import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { gatewayEnv, startTestGateway, type DevGateway } from '../support/gateway.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';

// A code that takes off the whole total: the store takes no order without a payment, and says the code is why.
describe.each(testDialects)('a code that covers the whole total on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let t: TestApp;
  let fx: CatalogFixtures;
  let discounts: DiscountsService;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway), SELLER_COUNTRY: 'DE' });
    fx = catalogFixtures(t.db);
    discounts = createDiscountsService({ db: t.db, catalog: fx.catalog });
  });
  afterAll(async () => {
    await t?.close();
    await gateway?.close();
    await idp?.close();
  });

  it('says the code is why on the review page, refuses the order with a 400, writes nothing, and sells at full price once it is removed', async () => {
    const code = await makeDiscount(discounts, { percent: '100' });
    const buyer = await loginAs(t.app, 'new');
    const p = await makeProduct(fx.catalog, { price: 1500 });
    await buyer.browser.request('/cart', { form: { action: 'add', sku: p.sku, quantity: '2' } });
    expect((await buyer.browser.request('/cart/discount', { form: { action: 'apply', code: code.code } })).location).toContain(
      'discount_applied',
    );
    const billing = { billingName: 'Ada Lovelace', billingCountry: 'DE' };
    const page = await buyer.browser.request(`/checkout?${new URLSearchParams(billing)}`);
    // The review page says so in place of the order (as for an empty cart); a post of it is a 400.
    expect(page.status).toBe(200);
    expect(page.body).toContain(`The code ${code.code} takes off the whole total`);
    expect(page.body).not.toContain('name="reviewedTotal"');
    const posted = await buyer.browser.request('/checkout', { form: { idempotencyKey: 'k-covers-total-0123456789', ...billing } });
    expect(posted.status).toBe(400);
    expect(posted.body).toContain(`The code ${code.code} takes off the whole total`);
    const orders = await t.db.kysely.selectFrom('orders').select('id').where('user_sub', '=', buyer.user.sub).execute();
    expect(orders).toHaveLength(0);
    expect((await t.db.kysely.selectFrom('discount_codes').select('uses').where('id', '=', code.id).executeTakeFirstOrThrow()).uses).toBe(
      0,
    );

    await buyer.browser.request('/cart/discount', { form: { action: 'remove' } });
    const full = await buyer.browser.request(`/checkout?${new URLSearchParams(billing)}`);
    expect(full.status).toBe(200);
    expect(full.body).toContain('name="reviewedTotal" value="3000"');
  });
});
