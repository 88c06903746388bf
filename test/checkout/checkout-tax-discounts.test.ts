import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import { checkout, confirm, hiddenFields, review, startCheckoutShop, type CheckoutShop } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';

// Checkout with the store's own tax and discounts domains: a German seller, prices before tax.
describe.each(testDialects)('checkout with the tax and discounts services on %s', (dialect) => {
  let shop: CheckoutShop;
  let discounts: DiscountsService;

  beforeAll(async () => {
    shop = await startCheckoutShop(dialect, { SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'false' });
    discounts = createDiscountsService({ db: shop.t.db, catalog: shop.fx.catalog });
  });
  afterAll(() => shop?.close());

  const buyerWith = (price: number, quantity: number, code?: string) => shop.buyerWith([{ price, quantity }], code);

  it('adds French VAT after a 10 % code, redeems the code with the order and charges the order total', async () => {
    const code = await makeDiscount(discounts, { percent: '10' });
    const buyer = await buyerWith(999, 3, code.code);
    const billing = { billingName: 'Marie Curie', billingCountry: 'FR' };
    const page = await review(buyer, billing);
    expect(page.status).toBe(200);
    expect(hiddenFields(page.body)).toMatchObject({ reviewedTotal: '3236', reviewedCode: code.code });
    expect((await confirm(buyer, page.body, billing)).status).toBe(303);
    const placed = await shop.orderOf(buyer.user.sub);
    expect(placed).toMatchObject({ discount_code: code.code, discount: 300, tax: 539, total: 3236, billing_country: 'FR' });
    expect(await discounts.redemptionOf(placed.id)).toMatchObject({ status: 'held' });
    const { order, session } = await shop.payAndSettle(buyer.user.sub);
    expect(order.status).toBe('fulfilled');
    expect(session.amount_total).toBe(order.total);
  });

  it('charges a French business with a VAT ID no VAT, and a German one the German rate', async () => {
    const fr = await buyerWith(1000, 1);
    const frBilling = { billingName: 'Jean Dupont', billingCompany: 'Dupont SARL', billingCountry: 'FR', billingVatId: 'FR12345678901' };
    expect((await checkout(fr, frBilling)).res.status).toBe(303);
    expect(await shop.orderOf(fr.user.sub)).toMatchObject({ reverse_charge: 1, tax: 0, total: 1000 });
    const de = await buyerWith(1000, 1);
    const deBilling = { billingName: 'Max Muster GmbH', billingCountry: 'DE', billingVatId: 'DE123456789' };
    expect((await checkout(de, deBilling)).res.status).toBe(303);
    expect(await shop.orderOf(de.user.sub)).toMatchObject({ reverse_charge: 0, tax: 190, total: 1190 });
  });

  it('refuses a VAT ID of the wrong shape beside its field, with nothing written', async () => {
    const buyer = await buyerWith(1000, 1);
    const billing = { billingName: 'Jean', billingCountry: 'FR', billingVatId: 'FR123' };
    const res = await confirm(buyer, (await review(buyer, { billingName: 'Jean', billingCountry: 'FR' })).body, billing);
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/id="checkout-billingVatId-error"[^>]*>[^<]*FR followed by/);
    expect(res.body).toContain('value="FR123"');
    expect(await shop.countOrders(buyer.user.sub)).toBe(0);
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
    expect(await shop.countOrders(a.user.sub)).toBe(0);

    const last = await makeDiscount(discounts, { percent: '20', maxUses: '1' });
    const b = await buyerWith(2000, 1, last.code);
    const pageB = await review(b, billing);
    await shop.t.db.kysely.updateTable('discount_codes').set({ uses: 1 }).where('code', '=', last.code).execute();
    const resB = await confirm(b, pageB.body, billing);
    expect(resB.status).toBe(409);
    expect(await shop.countOrders(b.user.sub)).toBe(0);
  });
});
