import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDonationsRepo } from '../../src/donations/donations.repo.js';
import { createSalesRepo } from '../../src/orders/sales.repo.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { plansOf as plansIn } from '../support/query-plans.js';

/**
 * The sales report and exports stay range scans as orders grow: the plan of the exact SQL the
 * repositories send names the index. PostgreSQL is told to avoid sequential scans, since on a small
 * table it would rightly prefer one; what matters is that the index can serve the query at all.
 */
describe.each(testDialects)('sales report plans on %s', (dialect) => {
  let db: TestDatabase;
  const window = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 3, 1) };

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(() => db?.drop());

  /** The SQL the repositories send while `run` runs, each with its plan. */
  const plansOf = (run: (spied: TestDatabase) => Promise<unknown>) => plansIn(db, run);

  it('reads revenue per day and the best sellers from the paid_at range of the (paid_at, id) index', async () => {
    const plans = await plansOf(async (spied) => {
      const repo = createSalesRepo(spied);
      await repo.findRevenueByDay(window);
      await repo.findProductSales(window, 'EUR', 10);
    });
    expect(plans).toHaveLength(2);
    for (const plan of plans) expect(plan).toContain('orders_paid_id');
  });

  it('starts each export batch at its cursor in the index, in index order (no sort of the period)', async () => {
    const [first, next] = await plansOf(async (spied) => {
      const repo = createSalesRepo(spied);
      await repo.findPaidOrdersAfter(window, null, 1000);
      await repo.findPaidOrdersAfter(window, { paidAt: window.from + 5, id: 'ord_0' }, 1000);
    });
    for (const plan of [first!, next!]) {
      expect(plan).toContain('orders_paid_id');
      expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY|Sort/);
    }
    const [items] = await plansOf((spied) => createSalesRepo(spied).findItemsOfOrders(['ord_1', 'ord_2']));
    expect(items).toContain('order_items_order');
  });

  it('sums paid donations per day through the (status, paid_at) index', async () => {
    const [plan] = await plansOf((spied) => createDonationsRepo(spied).sumPaidByDay(window.from, window.to));
    expect(plan).toContain('donations_status_paid');
  });
});
