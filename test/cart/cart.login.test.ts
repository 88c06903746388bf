import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { badge, CART_COOKIE, CartClient, cartRows, visibleText } from './cart-client.js';

/** The password loginAs(app, 'new') registers its users with. */
const NEW_USER_PASSWORD = 'password-1234';

describe.each(testDialects)('carts of logged-in users on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let fx: CatalogFixtures;
  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    fx = catalogFixtures(t.db);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  /** A freshly registered, logged-in user with a CartClient on their browser. */
  async function buyer() {
    const login = await loginAs(t.app, 'new');
    const client = new CartClient(t.app, login.browser);
    return { login, client };
  }

  it("keeps a user's cart under their subject, and shows it to nobody else", async () => {
    const p = await makeProduct(fx.catalog, { name: 'Members thing' });
    const { login, client } = await buyer();
    const added = await client.api('/api/cart/add', { sku: p.sku, quantity: 2 });
    expect(added.statusCode).toBe(200);
    // A logged-in user's cart needs no guest cookie.
    expect(client.browser.cookie(CART_COOKIE)).toBeUndefined();
    const rows = await t.db.kysely.selectFrom('user_cart').select(['user_id', 'quantity']).where('product_id', '=', p.id).execute();
    expect(rows).toEqual([{ user_id: login.user.sub, quantity: 2 }]);
    const page = await client.open();
    expect(cartRows(page.body).map((r) => [r.name, r.quantity])).toEqual([['Members thing', '2']]);
    expect(badge(page.body)).toBe(2);

    const other = await buyer();
    expect(visibleText((await other.client.open()).body)).toContain('Your cart is empty.');
    expect((await other.client.cart()).items).toEqual([]);
    // Another user cannot reach it by naming the product either: their own cart changes, not this one.
    await other.client.api('/api/cart/remove', { sku: p.sku });
    expect((await client.cart()).count).toBe(2);
    const visitor = new CartClient(t.app);
    expect((await visitor.open()).body).not.toContain('Members thing');
  });

  it("shows every change of a logged-in user's cart in the badge of the next page, though the count is kept", async () => {
    const [p, q] = [await makeProduct(fx.catalog), await makeProduct(fx.catalog)];
    const { client } = await buyer();
    const badgeOn = async (path: string) => badge((await client.browser.request(path)).body);
    expect(await badgeOn(`/${p.sku}`)).toBeNull();
    await client.api('/api/cart/add', { sku: p.sku, quantity: 2 });
    expect(await badgeOn(`/${q.sku}`)).toBe(2);
    await client.submit({ sku: q.sku, quantity: '1' });
    expect(await badgeOn(`/${p.sku}`)).toBe(3);
    await client.submit({ action: 'update', sku: p.sku, quantity: '5' });
    expect(await badgeOn('/about')).toBe(6);
    await client.api('/api/cart/remove', { sku: q.sku });
    expect(await badgeOn(`/${q.sku}`)).toBe(5);
    await client.api('/api/cart/update', { sku: p.sku, quantity: 0 });
    expect(await badgeOn(`/${p.sku}`)).toBeNull();

    // A visitor's cart merged at login shows in the badge of the very next page.
    const visitor = new CartClient(t.app);
    await visitor.open();
    await visitor.submit({ sku: q.sku, quantity: '4' });
    await loginAs(t.app, 'new', { browser: visitor.browser });
    expect(badge((await visitor.browser.request(`/${p.sku}`)).body)).toBe(4);
  });

  it('brings a visitor cart along when the visitor logs in', async () => {
    const p = await makeProduct(fx.catalog, { name: 'Chosen before login' });
    const visitor = new CartClient(t.app);
    await visitor.open();
    await visitor.submit({ sku: p.sku, quantity: '3' });
    const guestOwner = visitor.guestOwner()!;
    const login = await loginAs(t.app, 'new', { browser: visitor.browser });
    // The login callback merged it and left word for the cart page, shown once.
    expect(visitor.browser.cookie(CART_COOKIE)).toBeUndefined();
    const page = await visitor.open();
    expect(cartRows(page.body).map((r) => [r.name, r.quantity])).toEqual([['Chosen before login', '3']]);
    expect(visibleText(page.body)).toContain('We added the products you chose before logging in to your cart.');
    expect(visibleText((await visitor.open()).body)).not.toContain('before logging in');
    const rows = await t.db.kysely.selectFrom('user_cart').select(['user_id']).where('product_id', '=', p.id).execute();
    expect(rows).toEqual([{ user_id: login.user.sub }]);
    expect(await t.db.kysely.selectFrom('user_cart').select('product_id').where('user_id', '=', guestOwner).execute()).toEqual([]);
  });

  it('adds up quantities when merging, caps them by stock and maximum, and says what was capped', async () => {
    const same = await makeProduct(fx.catalog, { name: 'Same product' });
    const limited = await makeKeyLimProduct(fx, 4, { name: 'Few keys' });
    const fresh = await makeProduct(fx.catalog, { name: 'Only in the visitor cart' });
    const { client } = await buyer();
    await client.api('/api/cart/add', { sku: same.sku, quantity: 6 });
    await client.api('/api/cart/add', { sku: limited.sku, quantity: 3 });

    const visitor = new CartClient(t.app);
    await visitor.open();
    await visitor.submit({ sku: same.sku, quantity: '7' });
    await visitor.submit({ sku: limited.sku, quantity: '3' });
    await visitor.submit({ sku: fresh.sku, quantity: '1' });
    // The same person, logged in, still carrying the visitor cookie (say, from another tab).
    client.browser.setCookie(CART_COOKIE, visitor.browser.cookie(CART_COOKIE)!);

    const page = await client.open();
    const text = visibleText(page.body);
    expect(text).toContain('We added the products you chose before logging in to your cart.');
    expect(text).toContain('Same product: 10 kept of 13 (at most 10 per product).');
    expect(text).toContain('Few keys: 4 kept of 6 (that is all we have left).');
    expect(cartRows(page.body).map((r) => [r.name, r.quantity])).toEqual([
      ['Same product', '10'],
      ['Few keys', '4'],
      ['Only in the visitor cart', '1'],
    ]);
    expect(client.browser.cookie(CART_COOKIE)).toBeUndefined();
    // Once merged, the visitor's cart is gone: that cookie now opens an empty cart.
    expect((await visitor.cart()).items).toEqual([]);
    expect((await client.cart()).count).toBe(15);
  });

  it('lists, after the login redirect, the quantities the merge lowered', async () => {
    const same = await makeProduct(fx.catalog, { name: 'Much wanted' });
    const limited = await makeKeyLimProduct(fx, 2, { name: 'Scarce' });
    const { login, client } = await buyer();
    await client.api('/api/cart/add', { sku: same.sku, quantity: 9 });
    const visitor = new CartClient(t.app);
    await visitor.open();
    await visitor.submit({ sku: same.sku, quantity: '4' });
    await visitor.submit({ sku: limited.sku, quantity: '2' });
    await fx.keyPool.reserveKeys(t.db.kysely, {
      productId: limited.id,
      orderId: `other-${limited.sku}`,
      quantity: 1,
      until: Date.now() + 60_000,
    });
    await loginAs(t.app, { email: login.user.email, password: NEW_USER_PASSWORD }, { browser: visitor.browser });
    const text = visibleText((await visitor.open()).body);
    expect(text).toContain('Much wanted: 10 kept of 13 (at most 10 per product).');
    // The line stays (nothing dropped silently) with the keys that are left, and says so.
    expect(text).toContain('Scarce: 1 kept of 2 (that is all we have left).');
    expect(cartRows((await client.open()).body).map((r) => [r.name, r.quantity])).toEqual([
      ['Much wanted', '10'],
      ['Scarce', '1'],
    ]);
  });

  it('shows no merge report from a forged notice cookie', async () => {
    const { client } = await buyer();
    for (const forged of ['3|FAKE-SKU:99:1:s', '3|FAKE-SKU:99:1:s.AAAA']) {
      client.browser.setCookie('cart_merged', forged);
      const page = await client.open();
      expect(page.status).toBe(200);
      expect(visibleText(page.body)).not.toContain('FAKE-SKU');
      expect(visibleText(page.body)).not.toContain('before logging in');
    }
  });

  it('logs in with the cart kept, even as the same user in a second browser', async () => {
    const p = await makeProduct(fx.catalog, { name: 'Two browsers' });
    const { login, client } = await buyer();
    await client.api('/api/cart/add', { sku: p.sku, quantity: 1 });
    const second = await loginAs(t.app, { email: login.user.email, password: NEW_USER_PASSWORD });
    const other = new CartClient(t.app, second.browser);
    expect(cartRows((await other.open()).body).map((r) => [r.name, r.quantity])).toEqual([['Two browsers', '1']]);
  });
});
