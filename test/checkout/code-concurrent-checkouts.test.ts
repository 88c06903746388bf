import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService } from '../../src/discounts/discounts.service.js';
import { AppError } from '../../src/platform/errors.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { checkoutServices } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { testConfig } from '../support/env.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';
import { gatewayEnv, startTestGateway, type DevGateway } from '../support/gateway.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';

// The issue's own test: 50 checkouts at once for a code with 10 uses left get exactly 10 orders, through
// checkout's placeOrder (payment session, order, redemption in one transaction) against the dev gateway.
describe.each(testDialects)('50 concurrent checkouts for a code with 10 uses left on %s', (dialect) => {
  let gateway: DevGateway;
  let t: TestApp;

  beforeAll(async () => {
    gateway = await startTestGateway();
    t = await createTestApp(dialect, gatewayEnv(gateway));
  });
  afterAll(async () => {
    await t?.close();
    await gateway?.close();
  });

  it('places exactly 10 orders with the code; the others are told it is used up and write nothing', async () => {
    const fx = catalogFixtures(t.db);
    const config = testConfig(gatewayEnv(gateway));
    const discounts = createDiscountsService({ db: t.db, catalog: fx.catalog });
    const { cart, checkout } = checkoutServices(t.db, fx, config, { discounts });
    const product = await makeProduct(fx.catalog, { price: 2000 });
    const code = await makeDiscount(discounts, { percent: '25', maxUses: '12' });
    const buyers = Array.from({ length: 52 }, () => `buyer-${randomUUID()}`);
    for (const sub of buyers) {
      await cart.addItem(sub, product.sku, 1);
      await discounts.applyToCart(sub, code.code, {
        userSub: sub,
        currency: 'EUR',
        lines: [{ productId: product.id, unitPrice: 2000, quantity: 1 }],
      });
    }
    const place = (sub: string) =>
      checkout.placeOrder({ sub, email: `${sub}@example.test` }, randomUUID(), { total: 1500, currency: 'EUR', code: code.code });
    // Two uses taken before: 10 left for the 50 at once.
    await place(buyers[0]!);
    await place(buyers[1]!);
    const results = await Promise.allSettled(buyers.slice(2).map(place));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(10);
    expect(lost.map((r) => (r.reason instanceof AppError ? r.reason.code : String(r.reason)))).toEqual(
      Array(40).fill('discount_exhausted'),
    );

    const row = await t.db.kysely.selectFrom('discount_codes').selectAll().where('id', '=', code.id).executeTakeFirstOrThrow();
    expect(row.uses).toBe(12);
    const orders = await t.db.kysely.selectFrom('orders').selectAll().where('discount_code', '=', code.code).execute();
    expect(orders).toHaveLength(12);
    expect(orders.every((o) => o.total === 1500 && o.discount === 500)).toBe(true);
    const held = await t.db.kysely.selectFrom('discount_redemptions').select('order_id').where('code_id', '=', code.id).execute();
    expect(held.map((h) => h.order_id).sort()).toEqual(orders.map((o) => o.id).sort());
  });
});
