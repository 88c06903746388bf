import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartJson } from '../../src/cart/cart.present.js';
import { createTestApp, type ApiErrorBody, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeFileProduct, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { CART_COOKIE, CartClient } from './cart-client.js';

describe.each(testDialects)('cart JSON API on %s', (dialect) => {
  let t: TestApp;
  let fx: CatalogFixtures;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    fx = catalogFixtures(t.db);
  });
  afterAll(() => t.close());

  async function visitor() {
    const client = new CartClient(t.app);
    await client.open();
    return client;
  }

  it('answers an empty cart to a visitor without one, setting no cookie', async () => {
    const res = await new CartClient(t.app).api('/api/cart');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ items: [], currency: null, total: 0, count: 0, formattedTotal: null, canCheckout: false, discount: null });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('adds, updates and removes, answering the whole new cart each time', async () => {
    const key = await makeProduct(fx.catalog, { name: 'Signed key', price: 1900 });
    const file = await makeFileProduct(fx.catalog, { name: 'Font pack', price: 250 });
    const c = await visitor();
    const added = await c.api('/api/cart/add', { sku: key.sku, quantity: 2 });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toEqual({
      items: [
        {
          sku: key.sku,
          name: 'Signed key',
          type: 'key',
          unitPrice: 1900,
          quantity: 2,
          lineTotal: 3800,
          stock: { state: 'unlimited' },
          url: `/${key.sku}`,
          currency: 'EUR',
          formattedUnitPrice: '€19.00',
          formattedLineTotal: '€38.00',
          problem: null,
          warning: null,
        },
      ],
      currency: 'EUR',
      total: 3800,
      count: 2,
      formattedTotal: '€38.00',
      canCheckout: true,
      discount: null,
    });
    expect(c.browser.cookie(CART_COOKIE)).toBeDefined();
    // Form-encoded bodies work as well as JSON; quantity defaults to 1 on add.
    const form = await c.api('/api/cart/add', { sku: file.sku.toLowerCase() }, { contentType: 'application/x-www-form-urlencoded' });
    expect(form.json<CartJson>().items.map((i) => [i.sku, i.quantity])).toEqual([
      [key.sku, 2],
      [file.sku, 1],
    ]);
    const updated = await c.api('/api/cart/update', { sku: key.sku, quantity: '5' });
    expect(updated.json()).toMatchObject({ total: 5 * 1900 + 250, count: 6, formattedTotal: '€97.50' });
    const zero = await c.api('/api/cart/update', { sku: file.sku, quantity: 0 });
    expect(zero.json<CartJson>().items.map((i) => i.sku)).toEqual([key.sku]);
    const removed = await c.api('/api/cart/remove', { sku: key.sku });
    expect(removed.json()).toMatchObject({ items: [], count: 0 });
    expect((await c.cart()).count).toBe(0);
  });

  it('reports stock per item and refuses more than is left, saying how many', async () => {
    const limited = await makeKeyLimProduct(fx, 3, { name: 'Pool key' });
    const many = await makeKeyLimProduct(fx, 8, { name: 'Big pool' });
    const c = await visitor();
    expect((await c.api('/api/cart/add', { sku: many.sku, quantity: 1 })).json<CartJson>().items[0]?.stock).toEqual({
      state: 'in_stock',
      available: 8,
    });
    const res = await c.api('/api/cart/add', { sku: limited.sku, quantity: 4 });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: { code: 'quantity_exceeds_stock', message: 'Only 3 of “Pool key” are left.', details: { available: 3, inCart: 0 } },
    });
    const ok = await c.api('/api/cart/add', { sku: limited.sku, quantity: 3 });
    expect(ok.json<CartJson>().items[1]).toMatchObject({ quantity: 3, stock: { state: 'low', available: 3 }, warning: 'Only 3 left' });
    const sold = await makeKeyLimProduct(fx, 0);
    expect((await c.api('/api/cart/add', { sku: sold.sku, quantity: 1 })).json<ApiErrorBody>().error.code).toBe('out_of_stock');
  });

  it('refuses bad quantities with quantity_invalid and stores nothing', async () => {
    const p = await makeProduct(fx.catalog);
    const c = await visitor();
    for (const quantity of [0, -1, 1.5, 'abc', 11, 1e300, '99999999999999999999', '', ' ', '1e1', null, true, [3], { n: 3 }]) {
      const res = await c.api('/api/cart/add', { sku: p.sku, quantity });
      expect(res.statusCode, JSON.stringify(quantity)).toBe(400);
      expect(res.json<ApiErrorBody>().error).toEqual({
        code: 'quantity_invalid',
        message: 'The quantity must be a whole number from 1 to 10.',
        details: { min: 1, max: 10 },
      });
    }
    for (const quantity of [-1, 11, 'x'])
      expect((await c.api('/api/cart/update', { sku: p.sku, quantity })).json<ApiErrorBody>().error.code).toBe('quantity_invalid');
    expect((await c.cart()).count).toBe(0);
  });

  it('refuses unknown, draft and archived products with a 404', async () => {
    const draft = await makeProduct(fx.catalog, { status: 'draft' });
    const archived = await makeProduct(fx.catalog, { status: 'archived' });
    const c = await visitor();
    for (const sku of ['NO-SUCH-PRODUCT', draft.sku, archived.sku, '../etc/passwd', 'checkout']) {
      const res = await c.api('/api/cart/add', { sku, quantity: 1 });
      expect(res.statusCode, sku).toBe(404);
      expect(res.json<ApiErrorBody>().error).toEqual({
        code: 'product_not_found',
        message: 'We could not find that product, or it is no longer for sale.',
      });
    }
    expect((await c.api('/api/cart/remove', { sku: 'NO-SUCH-PRODUCT' })).statusCode).toBe(404);
    expect((await c.api('/api/cart/update', { sku: draft.sku, quantity: 1 })).json<ApiErrorBody>().error.code).toBe('product_not_found');
  });

  it('refuses a product in another currency than the cart', async () => {
    const eur = await makeProduct(fx.catalog);
    const usd = await makeProduct(fx.catalog, { currency: 'USD', name: 'Greenback' });
    const c = await visitor();
    await c.api('/api/cart/add', { sku: eur.sku, quantity: 1 });
    const res = await c.api('/api/cart/add', { sku: usd.sku, quantity: 1 });
    expect(res.statusCode).toBe(409);
    expect(res.json<ApiErrorBody>().error).toMatchObject({ code: 'currency_mismatch', details: { currency: 'USD', cartCurrency: 'EUR' } });
  });

  it('answers malformed requests with clear 4xx JSON errors', async () => {
    const p = await makeProduct(fx.catalog);
    const c = await visitor();
    const cases: Array<[string, Parameters<CartClient['api']>, number, string]> = [
      ['missing sku', ['/api/cart/add', { quantity: 1 }], 400, 'invalid_input'],
      ['missing quantity on update', ['/api/cart/update', { sku: p.sku }], 400, 'invalid_input'],
      ['sku not a string', ['/api/cart/add', { sku: { $gt: '' }, quantity: 1 }], 400, 'invalid_input'],
      ['malformed JSON', ['/api/cart/add', undefined, { raw: '{"sku": ' }], 400, 'bad_request'],
      ['empty JSON body', ['/api/cart/add', undefined, { raw: '' }], 400, 'bad_request'],
      ['text/plain', ['/api/cart/add', undefined, { raw: `sku=${p.sku}`, contentType: 'text/plain' }], 415, 'unsupported_media_type'],
      [
        'multipart',
        ['/api/cart/add', undefined, { raw: '--x--', contentType: 'multipart/form-data; boundary=x' }],
        415,
        'unsupported_media_type',
      ],
      ['oversized', ['/api/cart/add', { sku: p.sku, quantity: 1, padding: 'x'.repeat(5000) }], 413, 'payload_too_large'],
    ];
    for (const [name, args, status, code] of cases) {
      const res = await c.api(...args);
      expect(res.statusCode, name).toBe(status);
      expect(res.json<ApiErrorBody>().error.code, name).toBe(code);
      expect(typeof res.json<ApiErrorBody>().error.message, name).toBe('string');
    }
    expect((await c.cart()).count).toBe(0);
  });

  it('refuses a fetch from another site, another port or scheme, or a sandboxed page, with JSON', async () => {
    const p = await makeProduct(fx.catalog);
    const c = await visitor();
    const sites: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site', origin: 'https://attacker.example' },
      { 'sec-fetch-site': 'same-site', origin: 'http://shop.localhost:3000' },
      { origin: 'http://localhost:3001' },
      { origin: 'https://localhost:3000' },
      { origin: 'null' },
    ];
    for (const site of sites) {
      const res = await c.api('/api/cart/add', { sku: p.sku, quantity: 1 }, { site });
      expect(res.statusCode, JSON.stringify(site)).toBe(403);
      expect(res.json<ApiErrorBody>().error.code).toBe('cross_origin_request');
    }
    expect((await c.cart()).count).toBe(0);
    // The same fetch from the store's own page, and one from a client that is not a browser, go through.
    expect((await c.api('/api/cart/add', { sku: p.sku, quantity: 1 }, { site: { origin: 'http://localhost:3000' } })).statusCode).toBe(200);
    expect((await c.api('/api/cart/add', { sku: p.sku, quantity: 1 }, { site: {} })).statusCode).toBe(200);
    expect((await c.cart()).count).toBe(2);
  });

  it('keeps a visitor cart across requests with the cookie, and ignores a tampered one', async () => {
    const p = await makeProduct(fx.catalog, { name: 'Kept' });
    const c = await visitor();
    await c.api('/api/cart/add', { sku: p.sku, quantity: 2 });
    expect((await c.cart()).items.map((i) => i.name)).toEqual(['Kept']);
    const [id, signature] = c.browser.cookie(CART_COOKIE)!.split('.');
    const stranger = new CartClient(t.app);
    stranger.browser.setCookie(CART_COOKIE, `${id!.slice(0, -1)}${id!.endsWith('Q') ? 'R' : 'Q'}.${signature}`);
    const res = await stranger.api('/api/cart');
    expect(res.statusCode).toBe(200);
    expect(res.json<CartJson>().items).toEqual([]);
  });
});
