import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createOrdersService } from '../../src/orders/orders.service.js';
import { orderNumbers } from '../../src/platform/db/migrations/012-order-numbers.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';

describe.each(testDialects)('order numbers on %s', (dialect) => {
  let db: TestDatabase;
  afterEach(() => db.drop());

  async function place(orders: ReturnType<typeof createOrdersService>, id: string, at: number) {
    await db.transaction((tx) =>
      orders.createOrder(
        tx,
        { id, user_sub: 'u', email: 'u@example.com', currency: 'EUR', subtotal: 100, tax: 0, total: 100, created_at: at, updated_at: at },
        [],
      ),
    );
    const row = await db.kysely.selectFrom('orders').select('order_number').where('id', '=', id).executeTakeFirstOrThrow();
    return Number(row.order_number);
  }

  it('gives each new order the next short number, starting at 1001, without the caller asking', async () => {
    db = await createTestDatabase(dialect);
    const orders = createOrdersService({ db });
    expect([await place(orders, 'ord_a', 1), await place(orders, 'ord_b', 2), await place(orders, 'ord_c', 3)]).toEqual([1001, 1002, 1003]);
    await expect(db.kysely.updateTable('orders').set({ order_number: 1001 }).where('id', '=', 'ord_b').execute()).rejects.toThrow();
  });

  it('numbers the orders that existed before the migration by creation time, and continues after them', async () => {
    db = await createTestDatabase(dialect);
    const orders = createOrdersService({ db });
    // Back to the schema before migration 012, orders placed then (inserted out of creation order).
    await orderNumbers(dialect).down!(db.kysely);
    for (const [id, at] of [
      ['ord_late', 200],
      ['ord_early', 100],
      ['ord_middle', 150],
    ] as const)
      await sql`insert into orders (id, user_sub, email, status, currency, subtotal, tax, total, created_at, updated_at)
        values (${id}, 'u', 'u@example.com', 'fulfilled', 'EUR', 100, 0, 100, ${at}, ${at})`.execute(db.kysely);
    await orderNumbers(dialect).up(db.kysely);
    const rows = await db.kysely.selectFrom('orders').select(['id', 'order_number']).orderBy('order_number').execute();
    expect(rows.map((r) => [r.id, Number(r.order_number)])).toEqual([
      ['ord_early', 1001],
      ['ord_middle', 1002],
      ['ord_late', 1003],
    ]);
    expect(await place(orders, 'ord_next', 300)).toBe(1004);
  });
});
