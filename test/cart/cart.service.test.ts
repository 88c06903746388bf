import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCartService, type CartService } from '../../src/cart/cart.service.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { refusal } from '../support/refusal.js';
import { catalogFixtures, makeKeyLimProduct, makeProduct, makeFileProduct, type CatalogFixtures } from '../support/factories.js';

let owners = 0;
const newOwner = () => `user-${process.pid}-${++owners}`;

describe.each(testDialects)('cart service on %s', (dialect) => {
  let db: TestDatabase;
  let fx: CatalogFixtures;
  let cart: CartService;
  let now = 1_700_000_000_000;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    fx = catalogFixtures(db);
    cart = createCartService({ db, catalog: fx.catalog, clock: () => ++now });
  });
  afterAll(() => db.drop());

  it('adds products with prices, totals and counts from the database', async () => {
    const owner = newOwner();
    const a = await makeProduct(fx.catalog, { price: 1900, name: 'Alpha' });
    const b = await makeFileProduct(fx.catalog, { price: 250, name: 'Beta' });
    await cart.addItem(owner, a.sku, 2);
    const after = await cart.addItem(owner, b.sku.toLowerCase(), '3');
    expect(after.lines.map((l) => [l.sku, l.name, l.quantity, l.unitPrice, l.lineTotal, l.stock.state, l.problem])).toEqual([
      [a.sku, 'Alpha', 2, 1900, 3800, 'unlimited', null],
      [b.sku, 'Beta', 3, 250, 750, 'unlimited', null],
    ]);
    expect(after).toMatchObject({ currency: 'EUR', total: 4550, count: 5, canCheckout: true });
    expect(await cart.countItems(owner)).toBe(5);
    expect((await cart.contents(owner)).lines).toEqual([
      { productId: a.id, quantity: 2 },
      { productId: b.id, quantity: 3 },
    ]);
  });

  it('adds up repeated adds of one product, with 1 as the default quantity', async () => {
    const owner = newOwner();
    const p = await makeProduct(fx.catalog);
    await cart.addItem(owner, p.sku);
    const after = await cart.addItem(owner, p.sku, 4);
    expect(after.lines.map((l) => l.quantity)).toEqual([5]);
  });

  it('counts both of two adds made at the same moment', async () => {
    const owner = newOwner();
    const p = await makeProduct(fx.catalog);
    await Promise.all([cart.addItem(owner, p.sku, 2), cart.addItem(owner, p.sku, 3)]);
    expect(await cart.countItems(owner)).toBe(5);
  });

  it('refuses bad quantities and more than the maximum per product', async () => {
    const owner = newOwner();
    const p = await makeProduct(fx.catalog, { name: 'Gamma' });
    for (const bad of [0, -1, 1.5, 11, 'abc', '', '1e1', 10 ** 12]) {
      expect(await refusal(cart.addItem(owner, p.sku, bad))).toMatchObject({ code: 'quantity_invalid', status: 400 });
    }
    await cart.addItem(owner, p.sku, 8);
    expect(await refusal(cart.addItem(owner, p.sku, 3))).toMatchObject({
      code: 'quantity_invalid',
      message: 'You can have at most 10 of “Gamma” in your cart; it already holds 8.',
    });
    expect(await cart.countItems(owner)).toBe(8);
  });

  it('refuses unknown, malformed, draft and archived products', async () => {
    const owner = newOwner();
    const draft = await makeProduct(fx.catalog, { status: 'draft' });
    const archived = await makeProduct(fx.catalog, { status: 'archived' });
    for (const sku of ['NO-SUCH-SKU', 'bad sku!', '', 'x'.repeat(500), 'cart', draft.sku, archived.sku]) {
      expect(await refusal(cart.addItem(owner, sku, 1))).toMatchObject({ code: 'product_not_found', status: 404 });
    }
    expect(await cart.countItems(owner)).toBe(0);
  });

  it('caps key_lim quantities by the keys left, saying how many', async () => {
    const owner = newOwner();
    const p = await makeKeyLimProduct(fx, 3, { name: 'Limited' });
    expect(await refusal(cart.addItem(owner, p.sku, 4))).toMatchObject({
      code: 'quantity_exceeds_stock',
      status: 409,
      message: 'Only 3 of “Limited” are left.',
      details: { available: 3, inCart: 0 },
    });
    const two = await cart.addItem(owner, p.sku, 2);
    expect(two.lines[0]!.stock).toEqual({ state: 'low', available: 3 });
    expect(await refusal(cart.addItem(owner, p.sku, 2))).toMatchObject({
      code: 'quantity_exceeds_stock',
      message: 'Only 3 of “Limited” are left, and your cart already holds 2.',
    });
    expect(await refusal(cart.updateItem(owner, p.sku, 4))).toMatchObject({ code: 'quantity_exceeds_stock' });
    expect((await cart.updateItem(owner, p.sku, 3)).lines[0]!.quantity).toBe(3);
  });

  it('refuses a sold-out product', async () => {
    const p = await makeKeyLimProduct(fx, 0, { name: 'Empty pool' });
    expect(await refusal(cart.addItem(newOwner(), p.sku, 1))).toMatchObject({
      code: 'out_of_stock',
      status: 409,
      message: '“Empty pool” is sold out.',
    });
  });

  it('keeps a cart in one currency', async () => {
    const owner = newOwner();
    const eur = await makeProduct(fx.catalog);
    const usd = await makeProduct(fx.catalog, { currency: 'USD', name: 'Dollar thing' });
    await cart.addItem(owner, eur.sku, 1);
    expect(await refusal(cart.addItem(owner, usd.sku, 1))).toMatchObject({
      code: 'currency_mismatch',
      status: 409,
      message: '“Dollar thing” is priced in USD, but your cart is in EUR. Please check out or empty your cart first.',
    });
    await cart.removeItem(owner, eur.sku);
    expect((await cart.addItem(owner, usd.sku, 1)).currency).toBe('USD');
  });

  it('updates and removes lines; 0 removes; removing twice is harmless', async () => {
    const owner = newOwner();
    const a = await makeProduct(fx.catalog);
    const b = await makeProduct(fx.catalog);
    await cart.addItem(owner, a.sku, 1);
    await cart.addItem(owner, b.sku, 1);
    expect((await cart.updateItem(owner, a.sku, '7')).lines.map((l) => l.quantity)).toEqual([7, 1]);
    expect((await cart.updateItem(owner, a.sku, 0)).lines.map((l) => l.sku)).toEqual([b.sku]);
    expect((await cart.removeItem(owner, b.sku)).lines).toEqual([]);
    expect((await cart.removeItem(owner, b.sku)).lines).toEqual([]);
    expect(await refusal(cart.removeItem(owner, 'NO-SUCH-SKU'))).toMatchObject({ code: 'product_not_found' });
  });

  it('refuses to update what is not in the cart, or bad quantities', async () => {
    const owner = newOwner();
    const p = await makeProduct(fx.catalog);
    expect(await refusal(cart.updateItem(owner, p.sku, 2))).toMatchObject({ code: 'not_in_cart', status: 404 });
    await cart.addItem(owner, p.sku, 2);
    for (const bad of [-1, 11, 2.5, 'two'])
      expect(await refusal(cart.updateItem(owner, p.sku, bad))).toMatchObject({ code: 'quantity_invalid' });
    expect(await cart.countItems(owner)).toBe(2);
  });

  it('prices from the database after a price change and marks products taken off sale', async () => {
    const owner = newOwner();
    const a = await makeProduct(fx.catalog, { price: 1000 });
    const b = await makeProduct(fx.catalog, { price: 500 });
    const k = await makeKeyLimProduct(fx, 2, { price: 300 });
    await cart.addItem(owner, a.sku, 2);
    await cart.addItem(owner, b.sku, 1);
    await cart.addItem(owner, k.sku, 2);
    await fx.catalog.updateProduct(a.sku, { price: 1250 });
    await fx.catalog.updateProduct(b.sku, { status: 'archived' });
    await fx.keyPool.reserveKeys(db.kysely, { productId: k.id, orderId: 'other-order', quantity: 1, until: now + 60_000 });
    const c = await cart.getCart(owner);
    expect(c.lines.map((l) => [l.sku, l.unitPrice, l.lineTotal, l.stock, l.problem])).toEqual([
      [a.sku, 1250, 2500, { state: 'unlimited' }, null],
      [b.sku, 500, 500, { state: 'unavailable' }, 'unavailable'],
      [k.sku, 300, 600, { state: 'low', available: 1 }, 'exceeds_stock'],
    ]);
    // The archived line is not counted; the over-stock line still is (its price is real), but nothing can be bought yet.
    expect(c).toMatchObject({ total: 3100, count: 5, canCheckout: false });
    expect(await refusal(cart.updateItem(owner, b.sku, 2))).toMatchObject({ code: 'product_not_found' });
    expect((await cart.updateItem(owner, b.sku, 0)).lines).toHaveLength(2);
  });

  it('merges a visitor cart at login: quantities add up, caps are reported, nothing is dropped', async () => {
    const user = newOwner();
    const guestId = `g${owners}`.padEnd(22, 'x');
    const guest = `guest:${guestId}`;
    const same = await makeProduct(fx.catalog, { name: 'Same' });
    const limited = await makeKeyLimProduct(fx, 4, { name: 'Limited' });
    const soldOut = await makeKeyLimProduct(fx, 1, { name: 'Last one' });
    const onlyGuest = await makeProduct(fx.catalog, { name: 'Guest only' });
    const archived = await makeProduct(fx.catalog, { name: 'Retired' });
    await cart.addItem(user, same.sku, 6);
    await cart.addItem(user, limited.sku, 3);
    await cart.addItem(guest, same.sku, 7);
    await cart.addItem(guest, limited.sku, 3);
    await cart.addItem(guest, soldOut.sku, 1);
    await cart.addItem(guest, onlyGuest.sku, 2);
    await cart.addItem(guest, archived.sku, 1);
    await fx.keyPool.reserveKeys(db.kysely, { productId: soldOut.id, orderId: 'someone-else', quantity: 1, until: now + 60_000 });
    await fx.catalog.updateProduct(archived.sku, { status: 'archived' });

    const report = await cart.mergeGuestCart(guestId, user);
    expect(report.merged).toBe(5);
    expect(report.capped).toEqual([
      { sku: same.sku, name: 'Same', requested: 13, kept: 10, reason: 'quantity_max' },
      { sku: limited.sku, name: 'Limited', requested: 6, kept: 4, reason: 'stock' },
    ]);
    const merged = await cart.getCart(user);
    expect(merged.lines.map((l) => [l.name, l.quantity, l.problem])).toEqual([
      ['Same', 10, null],
      ['Limited', 4, null],
      ['Last one', 1, 'sold_out'],
      ['Guest only', 2, null],
      ['Retired', 1, 'unavailable'],
    ]);
    expect(await cart.countItems(guest)).toBe(0);
    // A second merge (another tab) finds nothing left to move and changes nothing.
    expect(await cart.mergeGuestCart(guestId, user)).toEqual({ merged: 0, capped: [] });
    expect((await cart.getCart(user)).count).toBe(18);
  });

  it('takes bought products out of the cart inside the paying transaction, and only them', async () => {
    const owner = newOwner();
    const other = newOwner();
    const a = await makeProduct(fx.catalog);
    const b = await makeProduct(fx.catalog);
    await cart.addItem(owner, a.sku, 1);
    await cart.addItem(owner, b.sku, 1);
    await cart.addItem(other, a.sku, 1);
    await expect(
      db.transaction(async (tx) => {
        await cart.removeProducts(tx, owner, [a.id]);
        throw new Error('payment rolled back');
      }),
    ).rejects.toThrow('payment rolled back');
    expect(await cart.countItems(owner)).toBe(2);
    await db.transaction((tx) => cart.removeProducts(tx, owner, [a.id]));
    expect((await cart.getCart(owner)).lines.map((l) => l.sku)).toEqual([b.sku]);
    expect(await cart.countItems(other)).toBe(1);
  });

  it('answers an empty cart for nobody and for an owner without lines', async () => {
    expect(await cart.getCart(null)).toEqual({ lines: [], currency: null, total: 0, count: 0, canCheckout: false });
    expect((await cart.getCart(newOwner())).lines).toEqual([]);
    expect(await cart.countItems(newOwner())).toBe(0);
  });
});
