import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCartService } from '../../src/cart/cart.service.js';
import { createDiscountsService, type DiscountsService } from '../../src/discounts/discounts.service.js';
import { createOrdersService, type OrdersService } from '../../src/orders/orders.service.js';
import { createOrderPayments } from '../../src/payments/order-payments.js';
import { AppError } from '../../src/platform/errors.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { refusal } from '../support/refusal.js';
import { testConfig } from '../support/env.js';
import { catalogFixtures, makeCategory, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { freshCode, insertPendingOrder, makeDiscount } from './discount-fixtures.js';

let buyers = 0;
const newBuyer = () => `buyer-${process.pid}-${++buyers}`;

describe.each(testDialects)('discounts service on %s', (dialect) => {
  let db: TestDatabase;
  let fx: CatalogFixtures;
  let discounts: DiscountsService;
  let orders: OrdersService;
  const now = Date.parse('2026-06-15T12:00:00Z');
  const clock = () => now;
  let product: { id: number; sku: string };

  beforeAll(async () => {
    db = await createTestDatabase(dialect, { poolSize: 12 });
    fx = catalogFixtures(db);
    discounts = createDiscountsService({ db, clock, catalog: fx.catalog });
    orders = createOrdersService({ db, clock });
    product = await makeProduct(fx.catalog, { price: 2000 });
  });
  afterAll(() => db?.drop());

  const lines = (...ls: Array<[{ id: number }, number, number?]>) =>
    ls.map(([p, unitPrice, quantity = 1]) => ({ productId: p.id, unitPrice, quantity }));
  const codeRow = (code: string) => db.kysely.selectFrom('discount_codes').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
  /** Places a pending order and redeems the code for it in one transaction. */
  const orderWith = (codeId: number, userSub: string) =>
    db.transaction(async (tx) => {
      const orderId = await insertPendingOrder(tx, orders, { userSub, product, at: now });
      await discounts.redeem(tx, { codeId, orderId, userSub, at: now });
      return orderId;
    });

  it('creates codes from the owner form, case-insensitive, and quotes them', async () => {
    const c = await makeDiscount(discounts, { code: ' spring-x ', percent: '15' });
    expect(c).toMatchObject({ code: 'SPRING-X', kind: 'percent', percentBp: 1500, state: 'active', uses: 0 });
    const q = await discounts.quote('spring-x', {
      userSub: newBuyer(),
      currency: 'EUR',
      lines: lines([product, 999, 2], [product, 10]),
      at: now,
    });
    expect(q).toMatchObject({ code: 'SPRING-X', perLine: [300, 2] });
    expect(await refusal(makeDiscount(discounts, { code: 'Spring-X' }))).toMatchObject({ code: 'duplicate_discount', status: 409 });
  });

  it('limits codes to products by SKU and categories by slug, through the catalog', async () => {
    const cat = await makeCategory(fx.catalog);
    const inCat = await makeProduct(fx.catalog, { categories: [cat.slug] });
    const other = await makeProduct(fx.catalog);
    const named = await makeProduct(fx.catalog);
    const c = await makeDiscount(discounts, {
      kind: 'fixed',
      amounts: 'EUR 6.00',
      categories: cat.slug,
      products: named.sku.toLowerCase(),
    });
    expect(c).toMatchObject({ skus: [named.sku], slugs: [cat.slug] });
    const q = await discounts.quote(c.code, {
      userSub: newBuyer(),
      currency: 'EUR',
      lines: lines([inCat, 1000], [other, 5000], [named, 2000]),
      at: now,
    });
    expect(q.perLine).toEqual([200, 0, 400]);
    expect(await refusal(discounts.quote(c.code, { userSub: 'x', currency: 'EUR', lines: lines([other, 5000]), at: now }))).toMatchObject({
      code: 'discount_not_applicable',
    });
    const bad = await refusal(makeDiscount(discounts, { products: 'NOPE-1', categories: 'no-such-category' }));
    expect(bad).toMatchObject({ code: 'invalid_discount', status: 400 });
    const fields = bad.details!.fields as Record<string, string>;
    expect(fields.products).toContain('NOPE-1');
    expect(fields.categories).toContain('no-such-category');
  });

  it('refuses unknown, disabled, early and late codes, each with its own code', async () => {
    expect((await refusal(discounts.quote('NO-SUCH', { userSub: 'x', currency: 'EUR', lines: lines([product, 100]), at: now }))).code).toBe(
      'discount_unknown',
    );
    const early = await makeDiscount(discounts, { startsAt: '2026-07-01' });
    const late = await makeDiscount(discounts, { endsAt: '2026-06-01' });
    const off = await makeDiscount(discounts);
    expect(await discounts.disable(off.code.toLowerCase())).toEqual({ code: off.code, changed: true });
    expect(await discounts.disable(off.code)).toEqual({ code: off.code, changed: false });
    const q = (code: string) => refusal(discounts.quote(code, { userSub: 'x', currency: 'EUR', lines: lines([product, 100]), at: now }));
    expect((await q(early.code)).message).toContain('2026-07-01 00:00 UTC');
    expect((await q(late.code)).code).toBe('discount_expired');
    expect((await q(off.code)).code).toBe('discount_unknown');
    const states = new Map((await discounts.list()).map((d) => [d.code, d.state]));
    expect([states.get(early.code), states.get(late.code), states.get(off.code)]).toEqual(['scheduled', 'expired', 'disabled']);
  });

  it('50 concurrent redemptions of a code with 10 uses left get exactly 10', async () => {
    const c = await makeDiscount(discounts, { maxUses: '12' });
    await orderWith(c.id, newBuyer());
    await orderWith(c.id, newBuyer());
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => orderWith(c.id, newBuyer())));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(10);
    expect(lost.every((r) => r.reason instanceof AppError && r.reason.code === 'discount_exhausted')).toBe(true);
    expect((await codeRow(c.code)).uses).toBe(12);
    const held = await db.kysely.selectFrom('discount_redemptions').select('order_id').where('code_id', '=', c.id).execute();
    expect(held).toHaveLength(12);
    // the losers' orders rolled back with their redemption attempt
    const placed = await db.kysely
      .selectFrom('orders')
      .select('id')
      .where(
        'id',
        'in',
        held.map((h) => h.order_id),
      )
      .execute();
    expect(placed).toHaveLength(12);
    expect((await discounts.list()).find((d) => d.code === c.code)?.state).toBe('exhausted');
  });

  it('holds the per-buyer limit under concurrency, counted after the row lock', async () => {
    const c = await makeDiscount(discounts, { maxUsesPerBuyer: '2' });
    const buyer = newBuyer();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => orderWith(c.id, buyer)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect((await codeRow(c.code)).uses).toBe(2);
    expect((await refusal(discounts.quote(c.code, { userSub: buyer, currency: 'EUR', lines: lines([product, 100]), at: now }))).code).toBe(
      'discount_used_by_you',
    );
    await orderWith(c.id, newBuyer());
  });

  it('releases a use once when the order expires, fails or is cancelled', async () => {
    const payments = createOrderPayments({
      db,
      orders,
      fulfilment: { deliverOrder: async () => true, revokeUnits: async () => [], keysForMail: async () => [] } as never,
      keyPool: { releaseReservation: async () => 0 },
      cart: { removeProducts: async () => undefined },
      mail: { enqueue: async () => undefined } as never,
      config: testConfig(),
      clock,
      discounts,
    });
    const c = await makeDiscount(discounts, { maxUses: '3', code: freshCode('END') });
    const ids = [await orderWith(c.id, newBuyer()), await orderWith(c.id, newBuyer()), await orderWith(c.id, newBuyer())];
    expect((await codeRow(c.code)).uses).toBe(3);
    await db.transaction((tx) => payments.expire(tx, ids[0]!, 'test'));
    await db.transaction((tx) => payments.fail(tx, ids[1]!, 'test'));
    await db.transaction((tx) => payments.cancel(tx, ids[2]!, 'test'));
    expect((await codeRow(c.code)).uses).toBe(0);
    // the state table refuses a second end; nothing is given back twice
    await db.transaction((tx) => payments.expire(tx, ids[2]!, 'again'));
    expect(await db.transaction((tx) => discounts.release(tx, ids[0]!))).toBe(false);
    expect((await codeRow(c.code)).uses).toBe(0);
    const r = await discounts.redemptionOf(ids[0]!);
    expect(r).toMatchObject({ status: 'released', released_at: now });
    // a released use can be taken again
    await orderWith(c.id, newBuyer());
    expect((await codeRow(c.code)).uses).toBe(1);
  });

  it('keeps the code a cart carries', async () => {
    const owner = `guest:${newBuyer()}`;
    const c = await makeDiscount(discounts);
    expect(await discounts.cartCode(owner)).toBeNull();
    await discounts.applyToCart(owner, c.code.toLowerCase(), { userSub: owner, currency: 'EUR', lines: lines([product, 1000]) });
    expect(await discounts.cartCode(owner)).toBe(c.code);
    expect(
      (await refusal(discounts.applyToCart(owner, 'NOPE', { userSub: owner, currency: 'EUR', lines: lines([product, 1000]) }))).code,
    ).toBe('discount_unknown');
    expect(await discounts.cartCode(owner)).toBe(c.code);
    await discounts.removeFromCart(owner);
    expect(await discounts.cartCode(owner)).toBeNull();
  });

  it('moves a visitor’s code to the user’s cart at login, unless that cart has one', async () => {
    const cart = createCartService({ db, catalog: fx.catalog, clock });
    const [first, second] = [await makeDiscount(discounts), await makeDiscount(discounts)];
    const user = newBuyer();
    const guest = async (code: string) => {
      const id = `g${newBuyer().replace(/[^a-z0-9]/gi, '')}`;
      await cart.addItem(`guest:${id}`, product.sku, 1);
      await discounts.applyToCart(`guest:${id}`, code, { userSub: `guest:${id}`, currency: 'EUR', lines: lines([product, 2000]) });
      return id;
    };
    await cart.mergeGuestCart(await guest(first.code), user);
    expect(await discounts.cartCode(user)).toBe(first.code);
    expect((await cart.getCart(user)).code).toBe(first.code);
    await cart.mergeGuestCart(await guest(second.code), user);
    expect(await discounts.cartCode(user)).toBe(first.code);
  });
});
