import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
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

// Checkout with the store's own tax and discounts domains: a German seller, prices before tax.
describe.each(testDialects)('checkout with the tax and discounts services on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let receiver: Receiver;
  let t: TestApp;
  let fx: CatalogFixtures;
  let discounts: DiscountsService;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway), SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'false' });
    receiver = await startWebhookReceiver(forwardWebhooksTo(t.app));
    gateway.setWebhookUrl(receiver.url);
    fx = catalogFixtures(t.db);
    discounts = createDiscountsService({ db: t.db, catalog: fx.catalog });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    await gateway.close();
    await idp.close();
  });

  const orderOf = (sub: string) =>
    t.db.kysely.selectFrom('orders').selectAll().where('user_sub', '=', sub).orderBy('created_at', 'desc').executeTakeFirst();
  const countOrders = async (sub: string) =>
    (await t.db.kysely.selectFrom('orders').select('id').where('user_sub', '=', sub).execute()).length;

  async function buyerWith(price: number, quantity: number, code?: string): Promise<LoggedIn> {
    const buyer = await loginAs(t.app, 'new');
    const p = await makeProduct(fx.catalog, { price });
    expect((await buyer.browser.request('/cart', { form: { action: 'add', sku: p.sku, quantity: String(quantity) } })).status).toBe(303);
    if (code) {
      const res = await buyer.browser.request('/cart/discount', { form: { action: 'apply', code } });
      expect(res.location).toContain('discount_applied');
    }
    return buyer;
  }
  const review = (buyer: LoggedIn, billing: Record<string, string>) => buyer.browser.request(`/checkout?${new URLSearchParams(billing)}`);
  const confirm = (buyer: LoggedIn, reviewed: string, billing: Record<string, string>) =>
    buyer.browser.request('/checkout', { form: { ...hiddenFields(reviewed), ...billing } });

  async function payAndSettle(sub: string) {
    const order = (await orderOf(sub))!;
    gateway.pay(order.payment_ref!);
    for (let i = 0; i < 200 && (await orderOf(sub))!.status === 'pending'; i++) await new Promise((r) => setTimeout(r, 25));
    return { order: (await orderOf(sub))!, session: gateway.session(order.payment_ref!) };
  }

  it('adds French VAT after a 10 % code, redeems the code with the order and charges the order total', async () => {
    const code = await makeDiscount(discounts, { percent: '10' });
    const buyer = await buyerWith(999, 3, code.code);
    const billing = { billingName: 'Marie Curie', billingCountry: 'FR' };
    const page = await review(buyer, billing);
    expect(page.status).toBe(200);
    expect(hiddenFields(page.body)).toMatchObject({ reviewedTotal: '3236', reviewedCode: code.code });
    expect((await confirm(buyer, page.body, billing)).status).toBe(303);
    const placed = (await orderOf(buyer.user.sub))!;
    expect(placed).toMatchObject({ discount_code: code.code, discount: 300, tax: 539, total: 3236, billing_country: 'FR' });
    expect(await discounts.redemptionOf(placed.id)).toMatchObject({ status: 'held' });
    const { order, session } = await payAndSettle(buyer.user.sub);
    expect(order.status).toBe('fulfilled');
    expect(session.amount_total).toBe(order.total);
  });

  it('charges a French business with a VAT ID no VAT, and a German one the German rate', async () => {
    const fr = await buyerWith(1000, 1);
    const frBilling = { billingName: 'Jean Dupont', billingCompany: 'Dupont SARL', billingCountry: 'FR', billingVatId: 'FR12345678901' };
    expect((await confirm(fr, (await review(fr, frBilling)).body, frBilling)).status).toBe(303);
    expect(await orderOf(fr.user.sub)).toMatchObject({ reverse_charge: 1, tax: 0, total: 1000 });
    const de = await buyerWith(1000, 1);
    const deBilling = { billingName: 'Max Muster GmbH', billingCountry: 'DE', billingVatId: 'DE123456789' };
    expect((await confirm(de, (await review(de, deBilling)).body, deBilling)).status).toBe(303);
    expect(await orderOf(de.user.sub)).toMatchObject({ reverse_charge: 0, tax: 190, total: 1190 });
  });

  it('refuses a VAT ID of the wrong shape beside its field, with nothing written', async () => {
    const buyer = await buyerWith(1000, 1);
    const billing = { billingName: 'Jean', billingCountry: 'FR', billingVatId: 'FR123' };
    const res = await confirm(buyer, (await review(buyer, { billingName: 'Jean', billingCountry: 'FR' })).body, billing);
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/id="checkout-billingVatId-error"[^>]*>[^<]*FR followed by/);
    expect(res.body).toContain('value="FR123"');
    expect(await countOrders(buyer.user.sub)).toBe(0);
  });

  it('refuses a code disabled between review and confirmation, and one used up meanwhile; nothing is written', async () => {
    const ended = await makeDiscount(discounts, { percent: '20' });
    const a = await buyerWith(2000, 1, ended.code);
    const billing = { billingName: 'A', billingCountry: 'DE' };
    const pageA = await review(a, billing);
    await discounts.disable(ended.code);
    const resA = await confirm(a, pageA.body, billing);
    expect(resA.status).toBe(409);
    expect(resA.body).toContain(`The code ${ended.code} no longer applies`);
    expect(await countOrders(a.user.sub)).toBe(0);

    const last = await makeDiscount(discounts, { percent: '20', maxUses: '1' });
    const b = await buyerWith(2000, 1, last.code);
    const pageB = await review(b, billing);
    await t.db.kysely.updateTable('discount_codes').set({ uses: 1 }).where('code', '=', last.code).execute();
    const resB = await confirm(b, pageB.body, billing);
    expect(resB.status).toBe(409);
    expect(await countOrders(b.user.sub)).toBe(0);
  });
});
