import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrdersService } from '../../src/orders/orders.service.js';
import { invoiceSeriesNumbers } from '../../src/platform/db/migrations/025-invoice-series-numbers.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { catalogFixtures, makeProduct, makeTaxedOrder } from '../support/factories.js';

/**
 * Migration 025 on a database with orders in it: down and up again keep every order, its items and
 * events (SQLite rebuilds the table under them), and afterwards one number may exist in two series.
 */
describe.each(testDialects)('migration 025 (invoice numbers per series) on %s', (dialect) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(() => db.drop());

  it('keeps the orders through down and up, and lets two series share a number only afterwards', async () => {
    const product = await makeProduct(catalogFixtures(db).catalog);
    const line = { product, unitPrice: 1000, quantity: 2, rateBp: 1900 };
    const orders = createOrdersService({ db, clock: () => Date.UTC(2026, 3, 1) });
    const first = await makeTaxedOrder(db, orders, { userSub: 'u1', email: 'a@example.com', lines: [line], paidAt: Date.UTC(2026, 3, 1) });
    const snapshot = async () => ({
      orders: await db.kysely.selectFrom('orders').selectAll().orderBy('id').execute(),
      items: await db.kysely.selectFrom('order_items').selectAll().orderBy('id').execute(),
      events: await db.kysely.selectFrom('order_events').selectAll().orderBy('id').execute(),
    });
    const before = await snapshot();
    const migration = invoiceSeriesNumbers(dialect);
    await migration.down!(db.kysely as never);
    expect(await snapshot()).toEqual(before);
    await migration.up(db.kysely as never);
    expect(await snapshot()).toEqual(before);

    // Still numbered on insert (SQLite's trigger came back), and a new year's first number is 1 again.
    const later = createOrdersService({ db, clock: () => Date.UTC(2027, 0, 2) });
    const second = await makeTaxedOrder(db, later, { userSub: 'u1', email: 'a@example.com', lines: [line], paidAt: Date.UTC(2027, 0, 2) });
    const rows = await db.kysely
      .selectFrom('orders')
      .select(['id', 'order_number', 'invoice_series', 'invoice_number'])
      .where('id', 'in', [first, second])
      .execute();
    expect(rows.map((r) => [r.invoice_series, r.invoice_number]).sort()).toEqual([
      ['INV-2026-', 1],
      ['INV-2027-', 1],
    ]);
    expect(new Set(rows.map((r) => r.order_number)).size).toBe(2);
    // The pair stays unique.
    await expect(
      db.kysely.updateTable('orders').set({ invoice_series: 'INV-2026-', invoice_number: 1 }).where('id', '=', second).execute(),
    ).rejects.toThrow();
  });
});
