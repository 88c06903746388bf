import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createOrdersService } from '../../src/orders/orders.service.js';
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
    await place(orders, 'ord_late', 200);
    await place(orders, 'ord_early', 100);
    // Rerun the migration's numbering as it met these rows: by creation time, not insertion.
    await db.kysely
      .updateTable('orders')
      .set({ order_number: sql<number>`order_number + 100` })
      .execute();
    await sql`update orders set order_number = 1000 + r.n
      from (select id, row_number() over (order by created_at, id) as n from orders) as r
      where orders.id = r.id`.execute(db.kysely);
    const rows = await db.kysely.selectFrom('orders').select(['id', 'order_number']).orderBy('order_number').execute();
    expect(rows.map((r) => [r.id, Number(r.order_number)])).toEqual([
      ['ord_early', 1001],
      ['ord_late', 1002],
    ]);
    expect(await place(orders, 'ord_next', 300)).toBeGreaterThan(1002);
  });
});
