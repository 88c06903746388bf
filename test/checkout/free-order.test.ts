import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartJson } from '../../src/cart/cart.present.js';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import { loginAs, SAME_ORIGIN_POST, type LoggedIn } from '../support/auth.js';
import { confirm, review, startCheckoutShop, type CheckoutShop } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';
import { makeFileProduct, makeKeyLimProduct } from '../support/factories.js';
import { visibleText } from '../cart/cart-client.js';
import { makeDiscount } from '../discounts/discount-fixtures.js';
import { runStore } from '../cli/cli-harness.js';
import { gatewayEnv } from '../support/gateway.js';

const billing = { billingName: 'Ada Lovelace', billingCountry: 'DE' };

// A code that takes off the whole total makes a free order: placed and fulfilled in the checkout's
// own transaction (keys, downloads, a €0 invoice with the discount, the receipt, the code's use, the
// cart emptied) with no payment session at the gateway, and the buyer sent straight to the result.
describe.each(testDialects)('a free order (a code takes off the whole total) on %s', (dialect) => {
  let shop: CheckoutShop;
  let discounts: DiscountsService;
  let owner: LoggedIn;

  beforeAll(async () => {
    shop = await startCheckoutShop(dialect, { SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'true' });
    discounts = createDiscountsService({ db: shop.t.db, catalog: shop.fx.catalog });
    owner = await loginAs(shop.t.app, 'owner');
  });
  afterAll(() => shop?.close());

  /** A new buyer with these products in the cart and, when given, the code applied. */
  async function buyerWith(lines: Array<{ sku: string; quantity: number }>, code?: string) {
    const buyer = await loginAs(shop.t.app, 'new');
    for (const l of lines) {
      const added = await buyer.browser.request('/cart', { form: { action: 'add', sku: l.sku, quantity: String(l.quantity) } });
      expect(added.status).toBe(303);
    }
    if (code) {
      const applied = await buyer.browser.request('/cart/discount', { form: { action: 'apply', code } });
      expect(applied.location).toContain('discount_applied');
    }
    return buyer;
  }

  /** Every session the gateway has, newest first: a free order must have opened none. */
  async function gatewaySessions() {
    const res = await fetch(`${shop.gateway.url}/v1/checkout/sessions?limit=100`, {
      headers: { authorization: `Bearer ${shop.gateway.apiKey}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: Array<{ id: string; client_reference_id: string | null }> }).data;
  }

  const ordersOf = (sub: string) => shop.t.db.kysely.selectFrom('orders').selectAll().where('user_sub', '=', sub).execute();
  const usesOf = async (id: number) =>
    (await shop.t.db.kysely.selectFrom('discount_codes').select('uses').where('id', '=', id).executeTakeFirstOrThrow()).uses;
  const mailsTo = (email: string) => shop.t.db.kysely.selectFrom('mail_outbox').selectAll().where('recipient', '=', email).execute();

  it('places a 100 % order without the gateway: keys and downloads delivered, €0 invoice with the discount, code used, cart empty, receipt queued', async () => {
    const code = await makeDiscount(discounts, { percent: '100' });
    const pool = await makeKeyLimProduct(shop.fx, 3, { price: 1500 });
    const file = await makeFileProduct(shop.fx.catalog, { price: 500 });
    const buyer = await buyerWith(
      [
        { sku: pool.sku, quantity: 2 },
        { sku: file.sku, quantity: 1 },
      ],
      code.code,
    );
    const sessionsBefore = (await gatewaySessions()).length;

    // The review says there is nothing to pay and offers the order free, not "Pay €0.00".
    const page = await review(buyer, billing);
    expect(page.status).toBe(200);
    const text = visibleText(page.body);
    expect(text).toMatch(new RegExp(`Discount \\(code ${code.code}\\) −€35\\.00 .*Total to pay €0\\.00`));
    expect(text).toContain(`Your code ${code.code} takes off the whole total: nothing to pay.`);
    expect(page.body).toMatch(/<button type="submit" class="button primary">Get it free<\/button>/);
    expect(page.body).not.toContain('Pay €0.00');
    expect(page.body).toContain('name="reviewedTotal" value="0"');

    // Straight to the result page, never to the gateway.
    const res = await confirm(buyer, page.body, billing);
    expect(res.status).toBe(303);
    const [order] = await ordersOf(buyer.user.sub);
    expect(res.location).toBe(`http://localhost:3000/checkout/return?order=${order!.id}`);
    expect(order).toMatchObject({
      status: 'fulfilled',
      total: 0,
      discount: 3500,
      discount_code: code.code,
      payment_provider: null,
      payment_ref: null,
      payment_intent: null,
    });
    expect(order!.invoice_number).toBeGreaterThan(0);
    expect(order!.paid_at).not.toBeNull();
    const events = await shop.t.db.kysely
      .selectFrom('order_events')
      .select(['from_status', 'event', 'to_status'])
      .where('order_id', '=', order!.id)
      .orderBy('id')
      .execute();
    expect(events.at(-1)).toEqual({ from_status: 'pending', event: 'free_order_placed', to_status: 'fulfilled' });
    const sessions = await gatewaySessions();
    expect(sessions).toHaveLength(sessionsBefore);
    expect(sessions.filter((s) => s.client_reference_id === order!.id)).toEqual([]);

    const back = await buyer.browser.request(res.location!);
    expect(back.status).toBe(200);
    const backText = visibleText(back.body);
    expect(backText).toContain('Thank you, your order is ready');
    expect(backText).toContain(`Order #${order!.order_number}: Your order is complete; nothing was charged.`);
    expect(backText).toContain('2 license keys ready to reveal.');
    expect(backText).toContain('Download ready.');
    expect(backText).toMatch(new RegExp(`Discount \\(code ${code.code}\\) −€35\\.00 Total paid €0\\.00`));

    // The keys are on the order page, from the pool (two of its three taken).
    const orderPage = await buyer.browser.request(`/orders/${order!.id}`);
    expect(orderPage.body.match(/Get license key/g)).toHaveLength(2);
    expect((await shop.fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(1);
    const items = await shop.t.db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', order!.id).execute();
    const delivered = await shop.t.db.kysely
      .selectFrom('delivered_keys')
      .select('order_item_id')
      .where(
        'order_item_id',
        'in',
        items.map((i) => i.id),
      )
      .execute();
    expect(delivered).toHaveLength(2);
    const grants = await shop.t.db.kysely
      .selectFrom('download_grants')
      .select('id')
      .where(
        'order_item_id',
        'in',
        items.map((i) => i.id),
      )
      .execute();
    expect(grants).toHaveLength(1);

    // The €0 invoice shows the code and each line's discount.
    const invoice = visibleText((await buyer.browser.request(`/order/${order!.id}/invoice`)).body);
    expect(invoice).toContain(`Discount code: ${code.code}`);
    expect(invoice).toMatch(/−€30\.00/);
    expect(invoice).toMatch(/−€5\.00/);
    expect(invoice).toMatch(/Total paid €0\.00/);

    expect(await usesOf(code.id)).toBe(1);
    expect((JSON.parse((await buyer.browser.request('/api/cart')).body) as CartJson).count).toBe(0);
    const mail = await mailsTo(buyer.user.email);
    expect(mail.map((m) => m.subject)).toEqual([`[Pixel & Key] Order #${order!.order_number} — order complete`]);
    expect(mail[0]!.text_body).toContain(`the code ${code.code} took off the whole total, so nothing was charged`);
    expect(mail[0]!.text_body).toContain(`/orders/${order!.id}`);
  });

  it('gives a fixed code as large as the cart the order free', async () => {
    const code = await makeDiscount(discounts, { kind: 'fixed', percent: '', amounts: 'EUR 25.00' });
    const file = await makeFileProduct(shop.fx.catalog, { price: 2500 });
    const buyer = await buyerWith([{ sku: file.sku, quantity: 1 }], code.code);
    const page = await review(buyer, billing);
    expect(page.body).toContain('Get it free');
    const res = await confirm(buyer, page.body, billing);
    expect(res.status).toBe(303);
    const [order] = await ordersOf(buyer.user.sub);
    expect(res.location).toBe(`http://localhost:3000/checkout/return?order=${order!.id}`);
    expect(order).toMatchObject({ status: 'fulfilled', total: 0, discount: 2500, payment_ref: null });
    expect(await usesOf(code.id)).toBe(1);
  });

  it('refuses a free order the pool cannot fill with out_of_stock and writes nothing', async () => {
    const code = await makeDiscount(discounts, { percent: '100' });
    const pool = await makeKeyLimProduct(shop.fx, 1, { price: 1000 });
    const first = await buyerWith([{ sku: pool.sku, quantity: 1 }], code.code);
    const second = await buyerWith([{ sku: pool.sku, quantity: 1 }], code.code);
    const reviewed = await review(second, billing);
    expect(reviewed.body).toContain('Get it free');
    // The last key goes to the first buyer's free order meanwhile.
    expect((await confirm(first, (await review(first, billing)).body, billing)).status).toBe(303);
    const sessionsBefore = (await gatewaySessions()).length;

    const res = await confirm(second, reviewed.body, billing);
    expect(res.status).toBe(409);
    expect(visibleText(res.body)).toContain('is sold out.');
    expect(await ordersOf(second.user.sub)).toHaveLength(0);
    expect(await usesOf(code.id)).toBe(1);
    expect((JSON.parse((await second.browser.request('/api/cart')).body) as CartJson).count).toBe(1);
    expect(await mailsTo(second.user.email)).toHaveLength(0);
    expect(await gatewaySessions()).toHaveLength(sessionsBefore);
  });

  it('refunds a free order without the gateway: its keys revoked, a €0 credit note, no refund mail', async () => {
    const code = await makeDiscount(discounts, { percent: '100' });
    const pool = await makeKeyLimProduct(shop.fx, 2, { price: 1200 });
    const buyer = await buyerWith([{ sku: pool.sku, quantity: 2 }], code.code);
    expect((await confirm(buyer, (await review(buyer, billing)).body, billing)).status).toBe(303);
    const [order] = await ordersOf(buyer.user.sub);
    expect(order!.status).toBe('fulfilled');
    const refundsBefore = shop.gateway.events().filter((r) => r.event.type === 'refund.created').length;

    const res = await shop.t.app.inject({
      method: 'POST',
      url: `/admin/orders/${order!.id}/refund`,
      payload: new URLSearchParams({ item: 'all', units: '1', reason: 'Giveaway withdrawn', seen: '0' }).toString(),
      headers: { ...SAME_ORIGIN_POST, 'content-type': 'application/x-www-form-urlencoded', cookie: owner.cookie },
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect((await ordersOf(buyer.user.sub))[0]!.status).toBe('refunded');
    expect(shop.gateway.events().filter((r) => r.event.type === 'refund.created')).toHaveLength(refundsBefore);

    const page = visibleText((await buyer.browser.request(`/orders/${order!.id}`)).body);
    expect(page).toContain('This order was refunded; its keys and downloads can no longer be used.');
    expect(page.match(/Refunded: this key is no longer valid\./g)).toHaveLength(2);
    expect(page).toMatch(/Credit note CN-\S+ ?: −€0\.00/);
    const notes = await shop.t.db.kysely.selectFrom('credit_notes').selectAll().where('order_id', '=', order!.id).execute();
    expect(notes).toHaveLength(1);
    expect(notes[0]!.total).toBe(0);
    // Only the receipt: nothing was paid back, so there is no refund to announce.
    expect(await mailsTo(buyer.user.email)).toHaveLength(1);
  });

  it('refunds units of a free order from the CLI without the gateway, with a €0 credit note', async () => {
    const code = await makeDiscount(discounts, { percent: '100' });
    const file = await makeFileProduct(shop.fx.catalog, { price: 700 });
    const buyer = await buyerWith([{ sku: file.sku, quantity: 2 }], code.code);
    expect((await confirm(buyer, (await review(buyer, billing)).body, billing)).status).toBe(303);
    const [order] = await ordersOf(buyer.user.sub);
    const refundsBefore = shop.gateway.events().filter((r) => r.event.type === 'refund.created').length;

    const env = { ...gatewayEnv(shop.gateway), SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'true' };
    const r = await runStore(['orders', 'refund', order!.id, '--item', file.sku, '--units', '1'], { db: shop.t.db, env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^Refunded €0\\.00 of order ${order!.id} \\(1 × ${file.sku}\\); the order is now partially_refunded\\. Credit note CN-\\d{4}-\\d{6}\\.\\n$`,
      ),
    );
    expect(shop.gateway.events().filter((e) => e.event.type === 'refund.created')).toHaveLength(refundsBefore);
    const [item] = await shop.t.db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', order!.id).execute();
    expect(item!.refunded_quantity).toBe(1);
  });

  it('refuses a free code limited to one use per buyer the second time, writing nothing', async () => {
    const code = await makeDiscount(discounts, { percent: '100', maxUsesPerBuyer: '1' });
    const file = await makeFileProduct(shop.fx.catalog, { price: 900 });
    const buyer = await buyerWith([{ sku: file.sku, quantity: 1 }], code.code);
    expect((await confirm(buyer, (await review(buyer, billing)).body, billing)).status).toBe(303);
    expect((await ordersOf(buyer.user.sub))[0]!.status).toBe('fulfilled');

    // Typed again in the cart: refused there.
    await buyer.browser.request('/cart', { form: { action: 'add', sku: file.sku, quantity: '1' } });
    const typed = await buyer.browser.request('/cart/discount', { form: { action: 'apply', code: code.code } });
    expect(typed.location).toContain('error=discount_used_by_you');
    // Still in the cart of a second tab that reviewed it free before the first order: the order is refused.
    await shop.t.db.kysely
      .insertInto('cart_discounts')
      .values({ owner_id: buyer.user.sub, code: code.code, added_at: Date.now() })
      .execute();
    const forged = { idempotencyKey: 'k-free-twice-0123456789', reviewedTotal: '0', reviewedCurrency: 'EUR', reviewedCode: code.code };
    const res = await buyer.browser.request('/checkout', { form: { ...forged, ...billing } });
    expect(res.status).toBe(409);
    expect(visibleText(res.body)).toContain(`The code ${code.code} no longer applies: You have already used that discount code.`);
    expect(await ordersOf(buyer.user.sub)).toHaveLength(1);
    expect(await usesOf(code.id)).toBe(1);
  });
});
