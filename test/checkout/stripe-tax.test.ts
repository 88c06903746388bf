import { formatMoney } from '../../src/platform/money.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService } from '../../src/discounts/discounts.service.js';
import { createTaxRepo } from '../../src/tax/tax.repo.js';
import type { TaxRateRow } from '../../src/tax/tax.rules.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
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

// TAX_PROVIDER=stripe: the gateway computes the tax (automatic_tax) from the rates table, and the order records what it charged.
describe.each(testDialects)('TAX_PROVIDER=stripe through the development gateway on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let receiver: Receiver;
  let t: TestApp;
  let fx: CatalogFixtures;
  let rates: TaxRateRow[] = [];

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway({ taxRates: () => rates });
    const env = { ...idp.env, ...gatewayEnv(gateway), SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'false', TAX_PROVIDER: 'stripe' };
    t = await createTestApp(dialect, env);
    rates = await createTaxRepo(t.db).all();
    receiver = await startWebhookReceiver(forwardWebhooksTo(t.app));
    gateway.setWebhookUrl(receiver.url);
    fx = catalogFixtures(t.db);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    await gateway.close();
    await idp.close();
  });

  const orderOf = (sub: string) =>
    t.db.kysely.selectFrom('orders').selectAll().where('user_sub', '=', sub).orderBy('created_at', 'desc').executeTakeFirstOrThrow();

  async function order(buyer: LoggedIn, billing: Record<string, string>) {
    const page = await buyer.browser.request(`/checkout?${new URLSearchParams(billing)}`);
    const res = await buyer.browser.request('/checkout', { form: { ...hiddenFields(page.body), ...billing } });
    expect(res.status).toBe(303);
    return { reviewed: Number(hiddenFields(page.body).reviewedTotal), placed: await orderOf(buyer.user.sub) };
  }
  async function payAndSettle(sub: string) {
    const placed = await orderOf(sub);
    gateway.pay(placed.payment_ref!);
    for (let i = 0; i < 200 && (await orderOf(sub)).status === 'pending'; i++) await new Promise((r) => setTimeout(r, 25));
    return { paid: await orderOf(sub), session: gateway.session(placed.payment_ref!) };
  }
  async function buyerWith(price: number, quantity: number, code?: string) {
    const buyer = await loginAs(t.app, 'new');
    const p = await makeProduct(fx.catalog, { price });
    await buyer.browser.request('/cart', { form: { action: 'add', sku: p.sku, quantity: String(quantity) } });
    if (code) await buyer.browser.request('/cart/discount', { form: { action: 'apply', code } });
    return buyer;
  }

  it('sends the lines before tax with automatic tax; the gateway charges what the order says, to the cent', async () => {
    const code = await makeDiscount(createDiscountsService({ db: t.db, catalog: fx.catalog }), { percent: '10' });
    const buyer = await buyerWith(999, 3, code.code);
    const { reviewed, placed } = await order(buyer, { billingName: 'Marie', billingCountry: 'FR' });
    expect(reviewed).toBe(3236);
    const sent = gateway.session(placed.payment_ref!) as Record<string, unknown>;
    expect(sent.automatic_tax).toMatchObject({ enabled: true });
    expect(sent.amount_total).toBe(3236);
    const { paid, session } = await payAndSettle(buyer.user.sub);
    expect(paid).toMatchObject({ status: 'fulfilled', tax: 539, total: 3236 });
    expect(session.total_details).toMatchObject({ amount_tax: 539 });
    expect(session.amount_total).toBe(paid.total);
    expect((await buyer.browser.request(`/order/${paid.id}/invoice`)).body).toContain(formatMoney(paid.total, 'EUR'));
  });

  it('records the tax the gateway computed when its rate differs from the store’s', async () => {
    const buyer = await buyerWith(1000, 2);
    const { placed } = await order(buyer, { billingName: 'Marie', billingCountry: 'FR' });
    expect(placed).toMatchObject({ tax: 400, total: 2400 });
    // The gateway's rates say 21 % for France by the time it computes the tax.
    const shopRates = rates;
    rates = shopRates.map((r) => (r.country === 'FR' ? { ...r, rateBp: 2100 } : r));
    try {
      const fresh = await buyerWith(1000, 2);
      await order(fresh, { billingName: 'Marie', billingCountry: 'FR' });
      const { paid, session } = await payAndSettle(fresh.user.sub);
      expect(session.amount_total).toBe(2420);
      expect(paid).toMatchObject({ status: 'fulfilled', tax: 420, total: 2420 });
      // The lines carry the gateway's tax too, so the invoice (its totals are its lines') says what was paid.
      const items = await t.db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', paid.id).execute();
      expect(items.map((i) => [i.net, i.tax, i.gross, i.tax_rate_bp])).toEqual([[2000, 420, 2420, 2100]]);
      const invoice = (await fresh.browser.request(`/order/${paid.id}/invoice`)).body;
      expect(invoice).toContain(formatMoney(2420, 'EUR'));
      expect(invoice).toContain(formatMoney(420, 'EUR'));
      expect(invoice).not.toContain(formatMoney(2400, 'EUR'));
    } finally {
      rates = shopRates;
    }
  });

  it('leaves the reverse charge to the store: no automatic tax, the net charged', async () => {
    const buyer = await buyerWith(1000, 1);
    const { placed } = await order(buyer, { billingName: 'Dupont SARL', billingCountry: 'FR', billingVatId: 'FR12345678901' });
    expect((gateway.session(placed.payment_ref!) as Record<string, unknown>).automatic_tax).toMatchObject({ enabled: false });
    const { paid, session } = await payAndSettle(buyer.user.sub);
    expect(paid).toMatchObject({ status: 'fulfilled', reverse_charge: 1, tax: 0, total: 1000 });
    expect(session.amount_total).toBe(1000);
  });
});
