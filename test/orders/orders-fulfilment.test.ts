import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFulfilmentService } from '../../src/fulfilment/fulfilment.service.js';
import { createKeySigner, loadSigningKey } from '../../src/fulfilment/signed-key.js';
import { createOrdersService } from '../../src/orders/orders.service.js';
import { testConfig } from '../support/env.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { catalogFixtures, makeFileProduct, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';

const DAY = 86_400_000;

describe.each(testDialects)('orders and fulfilment on %s', (dialect) => {
  let db: TestDatabase;
  let fx: CatalogFixtures;
  const now = 1_800_000_000_000;
  const clock = () => now;
  const config = testConfig();
  const secrets = createSecretBox(config.encryptionKey);
  const signer = createKeySigner(loadSigningKey(config.licenseSigningKey));
  let orders: ReturnType<typeof createOrdersService>;
  let fulfilment: ReturnType<typeof createFulfilmentService>;

  beforeAll(async () => {
    db = await createTestDatabase(dialect, { poolSize: 10 });
    fx = catalogFixtures(db, clock);
    orders = createOrdersService({ db, clock });
    fulfilment = createFulfilmentService({
      db,
      keyPool: fx.keyPool,
      signer,
      secrets,
      clock,
      defaults: { downloadLimit: 5, accessDays: 30 },
    });
  });
  afterAll(() => db.drop());

  type Line = {
    product: { id: number; sku: string };
    type: 'key_lim' | 'key' | 'file';
    quantity: number;
    terms?: { download_limit: number; access_days: number };
  };
  /** Checkout's part: a pending order with item snapshots and its pool keys reserved. */
  async function placeOrder(lines: Line[], userSub = 'buyer-1') {
    const id = randomUUID();
    const items = await db.transaction(async (tx) => {
      const inserted = await orders.createOrder(
        tx,
        {
          id,
          user_sub: userSub,
          email: 'buyer@example.test',
          currency: 'EUR',
          subtotal: 0,
          tax: 0,
          total: 0,
          reserved_until: now + 30 * 60_000,
          created_at: now,
          updated_at: now,
        },
        lines.map((l) => ({
          product_id: l.product.id,
          sku: l.product.sku,
          name: l.product.sku,
          type: l.type,
          unit_price: 1000,
          quantity: l.quantity,
          ...l.terms,
        })),
      );
      for (const l of lines.filter((x) => x.type === 'key_lim'))
        await fx.keyPool.reserveKeys(tx, { productId: l.product.id, orderId: id, quantity: l.quantity, until: now + 30 * 60_000 });
      return inserted;
    });
    return { id, items };
  }

  it('delivers pool keys, signed keys and download grants once, when the payment settles', async () => {
    const pool = await makeKeyLimProduct(fx, 5);
    const signed = await makeProduct(fx.catalog, { type: 'key' });
    const file = await makeFileProduct(fx.catalog);
    const { id, items } = await placeOrder([
      { product: pool, type: 'key_lim', quantity: 2 },
      { product: signed, type: 'key', quantity: 2 },
      { product: file, type: 'file', quantity: 1, terms: { download_limit: 3, access_days: 7 } },
    ]);
    const paid = await db.transaction(async (tx) => {
      const r = await orders.applyEvent(tx, id, 'payment_settled', 'evt_1', { paid_at: now });
      await orders.assignInvoiceNumber(tx, id);
      expect(await fulfilment.deliverOrder(tx, id, items)).toBe(true);
      return r;
    });
    expect(paid).toMatchObject({ applied: true, from: 'pending', to: 'fulfilled' });

    const { keys, grants } = await fulfilment.findDeliveries(items.map((i) => i.id));
    const poolItem = items.find((i) => i.type === 'key_lim')!;
    const keyItem = items.find((i) => i.type === 'key')!;
    const poolKeys = keys.filter((k) => k.order_item_id === poolItem.id).map((k) => secrets.open(k.key_encrypted));
    expect(poolKeys).toHaveLength(2);
    expect(poolKeys.every((k) => pool.keys.includes(k))).toBe(true);
    const signedKeys = keys.filter((k) => k.order_item_id === keyItem.id).map((k) => secrets.open(k.key_encrypted));
    expect(signedKeys.map((k) => signer.verify(k)?.s)).toEqual([signed.sku, signed.sku]);
    expect(grants).toEqual([
      expect.objectContaining({ product_id: file.id, download_limit: 3, downloads_used: 0, expires_at: now + 7 * DAY, status: 'active' }),
    ]);
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(3);

    // The same payment again: refused by the state table, logged, nothing delivered twice.
    const again = await db.transaction((tx) => orders.applyEvent(tx, id, 'payment_settled', 'evt_1'));
    expect(again).toMatchObject({ applied: false, reason: 'refused' });
    await expect(db.transaction((tx) => fulfilment.deliverOrder(tx, id, items))).rejects.toThrow();
    expect((await fulfilment.findDeliveries(items.map((i) => i.id))).keys).toHaveLength(4);
    const events = await orders.findEvents(id);
    expect(events.map((e) => e.event)).toEqual(['created', 'payment_settled', 'payment_settled:refused']);
  });

  it('fulfils a late payment when keys are still there, and holds nothing when they are not', async () => {
    const pool = await makeKeyLimProduct(fx, 2);
    const late = await placeOrder([{ product: pool, type: 'key_lim', quantity: 2 }]);
    await db.transaction(async (tx) => {
      await orders.applyEvent(tx, late.id, 'reservation_expired');
      await fx.keyPool.releaseReservation(late.id, tx);
    });
    const rival = await placeOrder([{ product: pool, type: 'key_lim', quantity: 1 }]);
    // One key left for a payment that needs two: nothing is taken, the owner is told.
    const short = await db.transaction(async (tx) => {
      await orders.applyEvent(tx, late.id, 'payment_settled', 'late payment');
      return fulfilment.deliverOrder(tx, late.id, late.items);
    });
    expect(short).toBe(false);
    expect((await orders.findOrder(late.id))!.status).toBe('needs_attention');
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(1);

    // The rival's order expires too; now the late order can be fulfilled.
    await db.transaction(async (tx) => {
      await orders.applyEvent(tx, rival.id, 'reservation_expired');
      await fx.keyPool.releaseReservation(rival.id, tx);
    });
    const done = await db.transaction(async (tx) => {
      expect(await fulfilment.deliverOrder(tx, late.id, late.items)).toBe(true);
      return orders.applyEvent(tx, late.id, 'fulfilled_late');
    });
    expect(done).toMatchObject({ applied: true, to: 'fulfilled' });
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(0);
  });

  it('revokes exactly the refunded units; a refunded pool key never returns to the pool', async () => {
    const pool = await makeKeyLimProduct(fx, 3);
    const file = await makeFileProduct(fx.catalog);
    const { id, items } = await placeOrder([
      { product: pool, type: 'key_lim', quantity: 3 },
      { product: file, type: 'file', quantity: 2 },
    ]);
    await db.transaction(async (tx) => {
      await orders.applyEvent(tx, id, 'payment_settled');
      await fulfilment.deliverOrder(tx, id, items);
    });
    const poolItem = items.find((i) => i.type === 'key_lim')!;
    const fileItem = items.find((i) => i.type === 'file')!;
    await db.transaction(async (tx) => {
      await fulfilment.revokeUnits(tx, poolItem.id, 1);
      await fulfilment.revokeUnits(tx, fileItem.id, 1);
      await orders.incrementRefunded(tx, poolItem.id, 1);
      await orders.applyEvent(tx, id, 'refund_partial');
    });
    const { keys, grants } = await fulfilment.findDeliveries([poolItem.id, fileItem.id]);
    expect(keys.map((k) => [k.unit_index, k.status])).toEqual([
      [0, 'active'],
      [1, 'active'],
      [2, 'revoked'],
    ]);
    expect(grants.map((g) => [g.unit_index, g.status])).toEqual([
      [0, 'active'],
      [1, 'revoked'],
    ]);
    const revokedPoolKey = keys.find((k) => k.status === 'revoked')!.license_key_id!;
    const poolRow = await db.kysely.selectFrom('license_keys').select('status').where('id', '=', revokedPoolKey).executeTakeFirstOrThrow();
    expect(poolRow.status).toBe('revoked');
    expect((await fx.keyPool.countAvailable([pool.id])).get(pool.id)).toBe(0);
    expect((await orders.findOrder(id))!.status).toBe('partially_refunded');
  });

  it('numbers invoices without gaps or repeats under concurrent payments, even after a rollback', async () => {
    const { id } = await placeOrder([{ product: await makeProduct(fx.catalog), type: 'key', quantity: 1 }]);
    const start = (await db.transaction((tx) => orders.assignInvoiceNumber(tx, id))).invoice_number;
    await expect(
      db.transaction(async (tx) => {
        await orders.assignInvoiceNumber(tx, id);
        throw new Error('payment failed after numbering');
      }),
    ).rejects.toThrow();
    const numbers = await Promise.all(
      Array.from({ length: 20 }, async () => (await db.transaction((tx) => orders.assignInvoiceNumber(tx, id))).invoice_number),
    );
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => start + 1 + i));
  });

  it('shows an order only to its owner', async () => {
    const product = await makeProduct(fx.catalog);
    const { id } = await placeOrder([{ product, type: 'key', quantity: 1 }], 'owner-sub');
    expect((await orders.getOrderForUser(id, 'owner-sub')).order.id).toBe(id);
    await expect(orders.getOrderForUser(id, 'someone-else')).rejects.toMatchObject({ status: 404, code: 'order_not_found' });
    await expect(orders.getOrderForUser('no-such-order', 'owner-sub')).rejects.toMatchObject({ status: 404 });
    const list = await orders.listOrdersOfUser('owner-sub', undefined);
    expect(list.pagination).toMatchObject({ total: 1, pageCount: 1 });
    expect((await orders.listOrdersOfUser('someone-else', '1')).orders).toEqual([]);
    await expect(orders.listOrdersOfUser('owner-sub', '0')).rejects.toMatchObject({ code: 'invalid_page' });
    await expect(orders.listOrdersOfUser('owner-sub', '2')).rejects.toMatchObject({ status: 404 });
  });
});
