import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import type { ApiErrorBody } from '../support/app.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { CROSS_SITE } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { CartClient, visibleText } from '../cart/cart-client.js';
import { makeDiscount } from './discount-fixtures.js';

interface DiscountJson {
  code: string;
  applied: boolean;
  perLine: number[] | null;
  total: number;
  totalAfter: number | null;
  error: { code: string; message: string } | null;
}

/** /cart's discount code form (no JavaScript: post, redirect, message) and the JSON cart API's code. */
describe.each(testDialects)('discount codes in the cart on %s', (dialect) => {
  let t: TestApp;
  let fx: CatalogFixtures;
  let discounts: DiscountsService;
  let now = Date.parse('2026-06-15T12:00:00Z');
  const clock = () => now;
  let a: { id: number; sku: string };
  let b: { id: number; sku: string };

  beforeAll(async () => {
    t = await createTestApp(dialect, {}, clock);
    fx = catalogFixtures(t.db, clock);
    discounts = createDiscountsService({ db: t.db, clock, catalog: fx.catalog });
    a = await makeProduct(fx.catalog, { price: 1000, name: 'Alpha' });
    b = await makeProduct(fx.catalog, { price: 3000, name: 'Beta' });
  });
  afterAll(() => t?.close());

  /** A visitor with Alpha and Beta in the cart. */
  const shopper = async () => {
    const v = new CartClient(t.app);
    await v.post({ sku: a.sku, quantity: '1' });
    await v.post({ sku: b.sku, quantity: '1' });
    return v;
  };
  const enter = (v: CartClient, code: string) => v.browser.request('/cart/discount', { form: { action: 'apply', code } });
  const discountOf = async (v: CartClient) => ((await v.cart()) as unknown as { discount: DiscountJson | null }).discount;

  it('applies a code typed in any case: each discounted line, the subtotal, the discount and the new total', async () => {
    const c = await makeDiscount(discounts, { percent: '15' });
    const v = await shopper();
    const res = await enter(v, `  ${c.code.toLowerCase()} `);
    expect(res.status).toBe(303);
    expect(res.location).toBe('http://localhost:3000/cart?notice=discount_applied');
    const page = await v.browser.request(res.location!);
    const text = visibleText(page.body);
    expect(text).toContain('Discount code applied.');
    expect(text).toContain('−€1.50 · now €8.50');
    expect(text).toContain('−€4.50 · now €25.50');
    expect(page.body).toMatch(/id="cart-subtotal">€40.00</);
    expect(page.body).toMatch(/id="cart-discount">−€6.00</);
    expect(page.body).toMatch(/id="cart-total">€34.00</);
    expect(text).toContain(`Discount code ${c.code} applied.`);
    expect(page.body).toContain('data-discount="true"');
    expect(await discountOf(v)).toEqual({ code: c.code, applied: true, perLine: [150, 450], total: 600, totalAfter: 3400, error: null });

    const removed = await v.browser.request('/cart/discount', { form: { action: 'remove' } });
    expect(removed.location).toBe('http://localhost:3000/cart?notice=discount_removed');
    const after = await v.browser.request(removed.location!);
    expect(visibleText(after.body)).toContain('Discount code removed.');
    expect(after.body).toMatch(/id="cart-total">€40.00</);
    expect(after.body).toContain('<form method="post" action="/cart/discount" class="cart-discount cart-discount-form">');
    expect(await discountOf(v)).toBeNull();
  });

  const refusals: Array<[string, () => Promise<string>, RegExp]> = [
    ['discount_unknown', async () => 'NO-SUCH-CODE', /That discount code is not valid\./],
    [
      'discount_expired',
      async () => (await makeDiscount(discounts, { endsAt: '2026-06-01' })).code,
      /has expired: it ended on 2026-06-01 00:00 UTC/,
    ],
    [
      'discount_not_started',
      async () => (await makeDiscount(discounts, { startsAt: '2026-07-01T08:00' })).code,
      /starts on 2026-07-01 08:00 UTC/,
    ],
    [
      'discount_not_applicable',
      async () => (await makeDiscount(discounts, { products: (await makeProduct(fx.catalog)).sku })).code,
      /does not apply to any product in your cart/,
    ],
    [
      'discount_not_applicable',
      async () => (await makeDiscount(discounts, { kind: 'fixed', amounts: 'USD 5.00' })).code,
      /purchases in EUR/,
    ],
    [
      'discount_minimum',
      async () => (await makeDiscount(discounts, { minSubtotal: 'EUR 50.00' })).code,
      /at least €50.00 of eligible products: add €10.00 more/,
    ],
    [
      'discount_exhausted',
      async () => {
        const c = await makeDiscount(discounts, { maxUses: '1' });
        await t.db.kysely.updateTable('discount_codes').set({ uses: 1 }).where('id', '=', c.id).execute();
        return c.code;
      },
      /used up: all its uses are taken/,
    ],
  ];

  it.each(refusals)('says why a code is refused (%s), on the page and in the API', async (code, make, message) => {
    const typed = await make();
    const v = await shopper();
    const res = await enter(v, typed);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`http://localhost:3000/cart?error=${code}&code=${encodeURIComponent(typed)}`);
    const page = await v.browser.request(res.location!);
    expect(page.status).toBe(200);
    expect(visibleText(page.body)).toMatch(message);
    expect(page.body).toMatch(/id="cart-total">€40.00</);
    expect(await discountOf(v)).toBeNull();

    const api = await v.api('/api/cart/discount', { code: typed });
    expect(api.statusCode).toBeGreaterThanOrEqual(400);
    expect(api.statusCode).toBeLessThan(500);
    expect(api.json<ApiErrorBody>().error.code).toBe(code);
    expect(api.json<ApiErrorBody>().error.message).toMatch(message);
  });

  it('asks for a code when none is typed, and shows only fixed texts from the query string', async () => {
    const v = await shopper();
    const res = await enter(v, '   ');
    expect(res.location).toBe('http://localhost:3000/cart?error=discount_missing');
    expect(visibleText((await v.browser.request(res.location!)).body)).toContain('Please enter a discount code.');
    const forged = await v.open('?error=discount_minimum&code=%3Cscript%3E');
    expect(visibleText(forged.body)).toContain('Your cart is below that discount code’s minimum.');
    expect(forged.body).not.toContain('<script>');
  });

  it('shows why a code stopped applying instead of a discount (expired meanwhile)', async () => {
    const c = await makeDiscount(discounts, { endsAt: '2026-06-20' });
    const v = await shopper();
    expect((await enter(v, c.code)).location).toContain('notice=discount_applied');
    now = Date.parse('2026-06-21T00:00:00Z');
    try {
      const page = await v.open();
      expect(visibleText(page.body)).toMatch(
        new RegExp(`Discount code ${c.code} ?: That discount code has expired: it ended on 2026-06-20 00:00 UTC\\.`),
      );
      expect(page.body).toMatch(/id="cart-total">€40.00</);
      expect(page.body).not.toContain('id="cart-discount"');
      const d = await discountOf(v);
      expect(d).toMatchObject({ code: c.code, applied: false, perLine: null, error: { code: 'discount_expired' } });
    } finally {
      now = Date.parse('2026-06-15T12:00:00Z');
    }
  });

  it('applies and removes a code through the JSON API', async () => {
    const c = await makeDiscount(discounts, { kind: 'fixed', amounts: 'EUR 5.00', products: b.sku });
    const v = await shopper();
    const res = await v.api('/api/cart/discount', { code: c.code.toLowerCase() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json<{ discount: DiscountJson; total: number }>()).toMatchObject({
      total: 4000,
      discount: { code: c.code, applied: true, perLine: [0, 500], total: 500, totalAfter: 3500 },
    });
    // later cart changes report the discount priced anew
    const more = await v.api('/api/cart/update', { sku: b.sku, quantity: 2 });
    expect(more.json<{ discount: DiscountJson }>().discount).toMatchObject({ perLine: [0, 500], totalAfter: 6500 });
    const gone = await v.api('/api/cart/discount/remove', {});
    expect(gone.statusCode).toBe(200);
    expect(gone.json<{ discount: DiscountJson | null }>().discount).toBeNull();
    expect((await v.api('/api/cart/discount', {})).statusCode).toBe(400);
  });

  it('refuses a code posted from another site', async () => {
    const c = await makeDiscount(discounts);
    const v = await shopper();
    const res = await v.browser.request('/cart/discount', { form: { action: 'apply', code: c.code }, headers: CROSS_SITE });
    expect(res.status).toBe(403);
    const api = await v.api('/api/cart/discount', { code: c.code }, { site: CROSS_SITE });
    expect(api.statusCode).toBe(403);
    expect(await discountOf(v)).toBeNull();
  });
});
