import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';
import { gatewayEnv, startTestGateway, type DevGateway } from '../support/gateway.js';

// Stripe refuses a Checkout Session below its minimum charge (€0.50, £0.30, ¥50 …): the store says so
// on its own page before an order is written or the gateway is asked.
describe.each(testDialects)('a cart below the gateway’s minimum charge, on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let t: TestApp;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway) });
  });
  afterAll(async () => {
    await t.close();
    await gateway.close();
    await idp.close();
  });

  async function buyerWith(price: number, currency: string, quantity: number) {
    const product = await makeProduct(catalogFixtures(t.db).catalog, { price, currency });
    const buyer = await loginAs(t.app, 'new');
    await buyer.browser.request('/cart', {
      form: { action: 'add', sku: product.sku, quantity: String(quantity) },
    });
    return buyer;
  }

  async function checkout(buyer: Awaited<ReturnType<typeof buyerWith>>) {
    const page = await buyer.browser.request('/checkout');
    // A page showing a problem offers no form: the POST is what a stale tab or a script would send.
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)?.[1] ?? randomUUID();
    const posted = await buyer.browser.request('/checkout', { form: { idempotencyKey: key } });
    return { page, posted };
  }

  const ordersOf = (sub: string) => t.db.kysely.selectFrom('orders').select('id').where('user_sub', '=', sub).execute();

  it('refuses €0.49 with a clear message and writes nothing; €0.98 of the same product goes to the gateway', async () => {
    const buyer = await buyerWith(49, 'EUR', 1);
    const { page, posted } = await checkout(buyer);
    expect(page.body).toContain('The payment gateway cannot take less than €0.50; this cart comes to €0.49.');
    expect(posted.status).toBe(400);
    expect(posted.body).toContain('The payment gateway cannot take less than €0.50');
    expect(await ordersOf(buyer.user.sub)).toEqual([]);

    const enough = await buyerWith(49, 'EUR', 2);
    const ok = await checkout(enough);
    expect(ok.posted.status).toBe(303);
    expect(ok.posted.location).toMatch(new RegExp(`^${gateway.url}/pay/cs_`));
    expect(await ordersOf(enough.user.sub)).toHaveLength(1);
  });

  it('holds each currency to its own minimum: ¥49 and £0.29 refused, ¥50 and £0.30 accepted', async () => {
    for (const [price, currency, status] of [
      [49, 'JPY', 400],
      [29, 'GBP', 400],
      [50, 'JPY', 303],
      [30, 'GBP', 303],
    ] as const) {
      const { posted } = await checkout(await buyerWith(price, currency, 1));
      expect(posted.status, `${price} ${currency}`).toBe(status);
      if (status === 400) expect(posted.body).toContain('The payment gateway cannot take less than');
    }
  });
});
