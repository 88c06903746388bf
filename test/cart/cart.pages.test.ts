import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartJson } from '../../src/cart/cart.present.js';
import { CROSS_SITE } from '../support/auth.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { badge, CART_COOKIE, CartClient, cartRows, visibleText } from './cart-client.js';

describe.each(testDialects)('cart pages without JavaScript on %s', (dialect) => {
  let t: TestApp;
  let fx: CatalogFixtures;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    fx = catalogFixtures(t.db);
  });
  afterAll(() => t.close());

  const cartLines = (owner?: string) => {
    const all = t.db.kysely.selectFrom('user_cart').selectAll();
    return (owner ? all.where('user_id', '=', owner) : all).execute();
  };

  it('shows an empty cart with a way back to the shop, and creates no cart for a mere visit', async () => {
    const visitor = new CartClient(t.app);
    const page = await visitor.open();
    expect(page.status).toBe(200);
    expect(visibleText(page.body)).toContain('Your cart is empty.');
    expect(page.body).toMatch(/<a class="button primary" href="\/">Browse the shop<\/a>/);
    expect(page.body).not.toContain('Proceed to checkout');
    expect(visitor.browser.cookie(CART_COOKIE)).toBeUndefined();
    expect(badge(page.body)).toBeNull();
  });

  it('adds from the product page, then shows prices, totals, forms and the badge', async () => {
    const p = await makeProduct(fx.catalog, { name: 'Halden Sans', price: 1900 });
    const visitor = new CartClient(t.app);
    const productPage = await visitor.browser.request(`/${p.sku}`);
    expect(productPage.body).toContain('<form class="add-to-cart" method="post" action="/cart">');

    const posted = await visitor.post({ sku: p.sku, quantity: '2' });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe('http://localhost:3000/cart?notice=added');
    const page = await visitor.browser.request(posted.location!);
    expect(visibleText(page.body)).toContain('Added to your cart.');
    expect(cartRows(page.body)).toEqual([
      { sku: p.sku, name: 'Halden Sans', price: '€19.00', quantity: '2', total: '€38.00', warning: null },
    ]);
    expect(page.body).toMatch(/<td class="num" id="cart-total">€38.00<\/td>/);
    expect(page.body).toContain('<a class="button primary" href="/checkout">Proceed to checkout</a>');
    expect(badge(page.body)).toBe(2);
    // Every line has its own update and remove form, with no token in them.
    const forms = [...page.body.matchAll(/<form method="post" action="\/cart" class="(cart-update|cart-remove-form)">([\s\S]*?)<\/form>/g)];
    expect(forms.map((f) => f[1])).toEqual(['cart-update', 'cart-remove-form']);
    for (const [, , inner] of forms) {
      expect(inner).not.toContain('csrf');
      expect(inner).toContain(`name="sku" value="${p.sku}"`);
    }
    const direct = await t.app.inject({ url: '/cart', headers: { cookie: visitor.browser.cookieHeader() } });
    expect(direct.headers['cache-control']).toBe('private, no-store');
    // The badge follows the visitor around the shop.
    expect(badge((await visitor.browser.request('/about')).body)).toBe(2);
  });

  it('sets the guest cookie signed, HttpOnly, SameSite=Lax, for 30 days', async () => {
    const p = await makeProduct(fx.catalog);
    const visitor = new CartClient(t.app);
    await visitor.open();
    const res = await t.app.inject({
      method: 'POST',
      url: '/cart',
      headers: { cookie: visitor.browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ sku: p.sku, quantity: '1' }).toString(),
    });
    expect(res.statusCode).toBe(303);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^cart=[A-Za-z0-9_-]{22}\.[^;]+;/);
    expect(cookie).toContain('Max-Age=2592000');
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
  });

  it('updates and removes lines through the forms, ending with the empty cart', async () => {
    const a = await makeProduct(fx.catalog, { name: 'Alpha', price: 1000 });
    const b = await makeProduct(fx.catalog, { name: 'Beta', price: 250 });
    const visitor = new CartClient(t.app);
    await visitor.open();
    await visitor.submit({ sku: a.sku, quantity: '1' });
    await visitor.submit({ action: 'add', sku: b.sku, quantity: '1' });
    const updated = await visitor.submit({ action: 'update', sku: a.sku, quantity: '3' });
    expect(visibleText(updated.body)).toContain('Quantity updated.');
    expect(cartRows(updated.body).map((r) => [r.name, r.quantity, r.total])).toEqual([
      ['Alpha', '3', '€30.00'],
      ['Beta', '1', '€2.50'],
    ]);
    expect(updated.body).toContain('€32.50');
    const removed = await visitor.submit({ action: 'remove', sku: a.sku });
    expect(visibleText(removed.body)).toContain('Removed from your cart.');
    expect(cartRows(removed.body).map((r) => r.name)).toEqual(['Beta']);
    const zero = await visitor.submit({ action: 'update', sku: b.sku, quantity: '0' });
    expect(visibleText(zero.body)).toContain('Your cart is empty.');
  });

  it('explains refused changes with fixed messages and stores nothing', async () => {
    const p = await makeProduct(fx.catalog, { name: 'Normal' });
    const limited = await makeKeyLimProduct(fx, 3, { name: 'Limited' });
    const usd = await makeProduct(fx.catalog, { currency: 'USD' });
    const draft = await makeProduct(fx.catalog, { status: 'draft' });
    const visitor = new CartClient(t.app);
    await visitor.open();
    const expectations: Array<[Record<string, string>, string, string]> = [
      [
        { sku: p.sku, quantity: '0' },
        'quantity_invalid',
        'Please choose a quantity from 1 to 10; a cart holds at most 10 of each product.',
      ],
      [{ sku: p.sku, quantity: '-1' }, 'quantity_invalid', 'Please choose a quantity from 1 to 10'],
      [{ sku: p.sku, quantity: '1.5' }, 'quantity_invalid', 'Please choose a quantity from 1 to 10'],
      [{ sku: p.sku, quantity: 'abc' }, 'quantity_invalid', 'Please choose a quantity from 1 to 10'],
      [{ sku: p.sku, quantity: '11' }, 'quantity_invalid', 'Please choose a quantity from 1 to 10'],
      [{ sku: p.sku, quantity: '9'.repeat(60) }, 'quantity_invalid', 'Please choose a quantity from 1 to 10'],
      [{ sku: 'NO-SUCH-THING', quantity: '1' }, 'product_not_found', 'We could not find that product, or it is no longer for sale.'],
      [{ sku: draft.sku, quantity: '1' }, 'product_not_found', 'We could not find that product'],
      [{ sku: limited.sku, quantity: '4' }, 'quantity_exceeds_stock', 'Only 3 are left; please choose fewer.'],
      [{ action: 'update', sku: p.sku, quantity: '2' }, 'not_in_cart', 'That product is not in your cart any more.'],
    ];
    for (const [form, code, message] of expectations) {
      const res = await visitor.post(form);
      expect(res.status, JSON.stringify(form)).toBe(303);
      expect(new URL(res.location!).searchParams.get('error')).toBe(code);
      expect(visibleText((await visitor.browser.request(res.location!)).body)).toContain(message);
    }
    expect(visitor.guestOwner()).not.toBeNull();
    expect(await cartLines(visitor.guestOwner()!)).toHaveLength(0);
    await visitor.submit({ sku: limited.sku, quantity: '2' });
    const more = await visitor.submit({ sku: limited.sku, quantity: '2' });
    expect(visibleText(more.body)).toContain('Only 3 are left, and your cart already holds 2; please choose fewer.');
    const mixed = await visitor.submit({ sku: usd.sku, quantity: '1' });
    expect(visibleText(mixed.body)).toContain('That product is priced in a different currency from your cart.');
    expect(cartRows(mixed.body).map((r) => r.quantity)).toEqual(['2']);
  });

  it('never shows text from the URL', async () => {
    const visitor = new CartClient(t.app);
    const evil = await visitor.open(
      `?error=${encodeURIComponent('<script>alert(1)</script>')}&notice=${encodeURIComponent('<b>You won</b>')}`,
    );
    expect(evil.status).toBe(200);
    expect(evil.body).not.toContain('alert(1)');
    expect(evil.body).not.toContain('You won');
    expect(visibleText(evil.body)).toContain('That did not work. Please try again.');
    const forged = await visitor.open('?error=quantity_exceeds_stock&left=lots&held=%3Cb%3E');
    expect(visibleText(forged.body)).toContain('There are not enough keys left for that quantity; please choose fewer.');
    expect(visibleText((await visitor.open('?notice=pwned')).body)).not.toContain('pwned');
  });

  it('marks low, sold-out, over-stock and withdrawn lines', async () => {
    const low = await makeKeyLimProduct(fx, 2, { name: 'Low' });
    const sold = await makeKeyLimProduct(fx, 3, { name: 'Sold' });
    const over = await makeKeyLimProduct(fx, 3, { name: 'Over' });
    const gone = await makeProduct(fx.catalog, { name: 'Gone' });
    const visitor = new CartClient(t.app);
    await visitor.open();
    await visitor.submit({ sku: low.sku, quantity: '1' });
    await visitor.submit({ sku: sold.sku, quantity: '1' });
    await visitor.submit({ sku: over.sku, quantity: '3' });
    await visitor.submit({ sku: gone.sku, quantity: '1' });
    await fx.keyPool.reserveKeys(t.db.kysely, { productId: sold.id, orderId: 'someone-else-1', quantity: 3, until: Date.now() + 60_000 });
    await fx.keyPool.reserveKeys(t.db.kysely, { productId: over.id, orderId: 'someone-else-2', quantity: 1, until: Date.now() + 60_000 });
    await fx.catalog.updateProduct(gone.sku, { status: 'archived' });
    const page = await visitor.open();
    expect(cartRows(page.body).map((r) => [r.name, r.warning])).toEqual([
      ['Low', 'Only 2 left'],
      ['Sold', 'Sold out — remove it to check out.'],
      ['Over', 'Only 2 left — lower the quantity to check out.'],
      ['Gone', 'No longer available — remove it to check out.'],
    ]);
    expect(page.body).toMatch(/<p class="notice error" id="cart-problems">Some products cannot be bought/);
    // The withdrawn line can still be removed.
    const removed = await visitor.submit({ action: 'remove', sku: gone.sku });
    expect(cartRows(removed.body).map((r) => r.name)).toEqual(['Low', 'Sold', 'Over']);
  });

  it('ignores a tampered or foreign guest cookie: an empty cart, not an error', async () => {
    const p = await makeProduct(fx.catalog, { name: 'Private thing' });
    const owner = new CartClient(t.app);
    await owner.open();
    await owner.submit({ sku: p.sku, quantity: '1' });
    const real = owner.browser.cookie(CART_COOKIE)!;
    const [id, signature] = real.split('.');
    const forgeries = [`${id!.slice(0, -1)}${id!.endsWith('A') ? 'B' : 'A'}.${signature}`, id!, `${id}.forged`, 'garbage', 'x'.repeat(500)];
    for (const forged of forgeries) {
      const other = new CartClient(t.app);
      other.browser.setCookie(CART_COOKIE, forged);
      const page = await other.open();
      expect(page.status).toBe(200);
      expect(visibleText(page.body)).toContain('Your cart is empty.');
      expect(page.body).not.toContain('Private thing');
      expect(badge(page.body)).toBeNull();
    }
  });

  it("never shows one visitor another visitor's cart", async () => {
    const p = await makeProduct(fx.catalog, { name: 'Mine only' });
    const a = new CartClient(t.app);
    await a.open();
    await a.submit({ sku: p.sku, quantity: '1' });
    const b = new CartClient(t.app);
    const page = await b.open();
    expect(page.body).not.toContain('Mine only');
    const json = await b.api('/api/cart');
    expect(json.json<CartJson>().items).toEqual([]);
  });

  it('refuses a form post from another site with a 403 page, storing nothing', async () => {
    const p = await makeProduct(fx.catalog);
    const visitor = new CartClient(t.app);
    await visitor.open();
    const before = (await cartLines()).length;
    const res = await visitor.browser.request('/cart', { form: { sku: p.sku, quantity: '1' }, headers: CROSS_SITE });
    expect(res.status).toBe(403);
    expect(visibleText(res.body)).toContain('This request came from another site, so it was refused.');
    expect(visitor.browser.cookie(CART_COOKIE)).toBeUndefined();
    expect((await cartLines()).length).toBe(before);
  });

  it('answers a form without a SKU or with an unknown action with a 400 page', async () => {
    const visitor = new CartClient(t.app);
    await visitor.open();
    const forms: Record<string, string>[] = [{ quantity: '1' }, { action: 'explode', sku: 'ANY-SKU' }];
    for (const form of forms) {
      const res = await visitor.post(form);
      expect(res.status).toBe(400);
      expect(res.body).toContain('<header');
    }
  });
});
