import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaches } from '../../src/caches.js';
import { createCartService, type CartService } from '../../src/cart/cart.service.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { catalogFixtures, makeProduct, type CatalogFixtures } from '../support/factories.js';

let owners = 0;
const newOwner = () => `count-${process.pid}-${++owners}`;

describe.each(testDialects)("the header badge's kept cart count on %s", (dialect) => {
  let db: TestDatabase;
  let fx: CatalogFixtures;
  let now = 1_700_000_000_000;
  const clock = () => now;
  /** This instance's cart service, and another instance's (its own caches, the same database). */
  let cart: CartService;
  let other: CartService;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    fx = catalogFixtures(db);
    cart = createCartService({ db, catalog: fx.catalog, clock, countCaches: createCaches({ clock }).cartCounts });
    other = createCartService({ db, catalog: fx.catalog, clock, countCaches: createCaches({ clock }).cartCounts });
  });
  afterAll(() => db.drop());

  /** The count and how many statements reading it sent. */
  async function counted(service: CartService, owner: string) {
    const before = db.statementCount();
    const n = await service.countItems(owner);
    return { n, statements: db.statementCount() - before };
  }

  it('counts once for many pages, and shows every change this instance makes at once', async () => {
    const owner = newOwner();
    const [a, b] = [await makeProduct(fx.catalog), await makeProduct(fx.catalog)];
    expect(await counted(cart, owner)).toEqual({ n: 0, statements: 1 });
    expect(await counted(cart, owner)).toEqual({ n: 0, statements: 0 });
    await cart.addItem(owner, a.sku, 2);
    expect(await counted(cart, owner)).toEqual({ n: 2, statements: 1 });
    expect(await counted(cart, owner)).toEqual({ n: 2, statements: 0 });
    await cart.addItem(owner, b.sku);
    expect(await cart.countItems(owner)).toBe(3);
    await cart.updateItem(owner, a.sku, 5);
    expect(await cart.countItems(owner)).toBe(6);
    await cart.updateItem(owner, b.sku, 0);
    expect(await cart.countItems(owner)).toBe(5);
    await cart.removeItem(owner, a.sku);
    expect(await cart.countItems(owner)).toBe(0);
  });

  it('drops a count read while a change was being written', async () => {
    const owner = newOwner();
    const p = await makeProduct(fx.catalog);
    const during = cart.countItems(owner);
    await cart.addItem(owner, p.sku, 3);
    await during;
    expect(await cart.countItems(owner)).toBe(3);
  });

  it("moves the counts with a visitor's cart at login", async () => {
    const guestId = `g${process.pid}x${++owners}`.padEnd(22, 'x');
    const [guest, user] = [`guest:${guestId}`, newOwner()];
    const p = await makeProduct(fx.catalog);
    await cart.addItem(guest, p.sku, 2);
    expect([await cart.countItems(guest), await cart.countItems(user)]).toEqual([2, 0]);
    await cart.mergeGuestCart(guestId, user);
    expect([await cart.countItems(guest), await cart.countItems(user)]).toEqual([0, 2]);
  });

  it("counts a paying buyer's cart live until the payment has committed, then shows it emptied", async () => {
    const owner = newOwner();
    const p = await makeProduct(fx.catalog);
    await cart.addItem(owner, p.sku, 2);
    expect(await cart.countItems(owner)).toBe(2);
    await db.transaction(async (tx) => {
      await cart.removeProducts(tx, owner, [p.id]);
      // A page read outside the transaction meanwhile (the old count) keeps nothing. SQLite's reads
      // wait for the transaction (one connection): there one would wait for this one forever.
      if (dialect === 'postgres') expect(await cart.countItems(owner)).toBe(2);
    });
    expect(await cart.countItems(owner)).toBe(0);
  });

  it("shows another instance's change once the kept count expires (2 s)", async () => {
    const owner = newOwner();
    const p = await makeProduct(fx.catalog);
    expect(await cart.countItems(owner)).toBe(0);
    await other.addItem(owner, p.sku, 4);
    expect(await cart.countItems(owner)).toBe(0);
    now += 2_001;
    expect(await cart.countItems(owner)).toBe(4);
  });
});
