import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import type { ApiErrorBody } from '../support/app.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { CartClient, visibleText } from '../cart/cart-client.js';
import { freshCode, makeDiscount } from './discount-fixtures.js';

/**
 * Malformed codes on both doors of the cart: each a clear 4xx (or the form's message), never a 500
 * (PostgreSQL refuses a NUL in text) and never a code applied by its first 60 characters.
 */
describe.each(testDialects)('malformed discount codes on %s', (dialect) => {
  let t: TestApp;
  let fx: CatalogFixtures;
  let discounts: DiscountsService;
  let product: { id: number; sku: string };
  // The longest code the owner can make: a longer text starting with it is not it.
  let longest: string;

  beforeAll(async () => {
    t = await createTestApp(dialect, {});
    fx = catalogFixtures(t.db);
    discounts = createDiscountsService({ db: t.db, catalog: fx.catalog });
    product = await makeProduct(fx.catalog, { price: 1000 });
    longest = (await makeDiscount(discounts, { code: freshCode('LONG').padEnd(60, 'X') })).code;
  });
  afterAll(() => t?.close());

  const shopper = async () => {
    const v = new CartClient(t.app);
    await v.post({ sku: product.sku, quantity: '1' });
    return v;
  };
  const discountOf = async (v: CartClient) => ((await v.cart()) as unknown as { discount: unknown }).discount;
  const notCodes = () => ['SAVE\u000010', '<script>alert(1)</script>', 'ÄPFEL-10 💥', 'x'.repeat(300), `${longest}YZ`, "' OR 1=1 --"];

  it('answers the JSON API’s empty, wrongly typed and unparseable bodies with a 400 saying what to send', async () => {
    const v = await shopper();
    const cases: Array<[unknown, string, RegExp]> = [
      [{ code: '' }, 'discount_missing', /^Please enter a discount code\.$/],
      [{ code: '   ' }, 'discount_missing', /^Please enter a discount code\.$/],
      [{ code: null }, 'discount_missing', /^Please enter a discount code\.$/],
      [{}, 'discount_missing', /^Please enter a discount code\.$/],
      [{ code: 15 }, 'invalid_input', /discount code as text/],
      [{ code: true }, 'invalid_input', /discount code as text/],
      [{ code: ['SAVE'] }, 'invalid_input', /discount code as text/],
      [{ code: { code: 'SAVE' } }, 'invalid_input', /discount code as text/],
      [['SAVE'], 'invalid_input', /must be object/],
      ['SAVE', 'invalid_input', /must be object/],
    ];
    for (const [body, code, message] of cases) {
      const res = await v.api('/api/cart/discount', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      const { error } = res.json<ApiErrorBody>();
      expect(error.code, JSON.stringify(body)).toBe(code);
      expect(error.message, JSON.stringify(body)).toMatch(message);
    }
    const broken = await v.api('/api/cart/discount', undefined, { raw: '{"code": "SAVE' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json<ApiErrorBody>().error.code).toBe('bad_request');
    expect(await discountOf(v)).toBeNull();
  });

  it('answers a text that cannot be a code with a 404 "not valid" in the API', async () => {
    const v = await shopper();
    for (const code of notCodes()) {
      const res = await v.api('/api/cart/discount', { code });
      expect(res.statusCode, code).toBe(404);
      expect(res.json<ApiErrorBody>().error).toEqual({ code: 'discount_unknown', message: 'That discount code is not valid.' });
    }
    expect(await discountOf(v)).toBeNull();
    // the code itself, in any case, still applies
    expect((await v.api('/api/cart/discount', { code: longest.toLowerCase() })).statusCode).toBe(200);
  });

  it('sends the form back to the cart saying the code is not valid, showing none of what was typed', async () => {
    const v = await shopper();
    for (const code of notCodes()) {
      const res = await v.browser.request('/cart/discount', { form: { action: 'apply', code } });
      expect(res.status, code).toBe(303);
      expect(res.location, code).toBe('http://localhost:3000/cart?error=discount_unknown');
      const page = await v.browser.request(res.location!);
      expect(page.status).toBe(200);
      expect(visibleText(page.body)).toContain('That discount code is not valid.');
      expect(page.body).not.toContain('<script>alert');
      expect(page.body).toMatch(/id="cart-total">€10.00</);
    }
    expect(await discountOf(v)).toBeNull();
  });

  it('refuses a form with an unknown action with a 400 page, changing nothing', async () => {
    const v = await shopper();
    const res = await v.browser.request('/cart/discount', { form: { action: 'steal', code: longest } });
    expect(res.status).toBe(400);
    expect(visibleText(res.body)).toContain('That did not work');
    expect(await discountOf(v)).toBeNull();
  });
});
