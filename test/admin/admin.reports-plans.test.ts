import { CompiledQuery, sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDonationsRepo } from '../../src/donations/donations.repo.js';
import { createSalesRepo } from '../../src/orders/sales.repo.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';

/**
 * The sales report and exports stay range scans as orders grow: the plan of the exact SQL the
 * repositories send names the index. PostgreSQL is told to avoid sequential scans, since on a small
 * table it would rightly prefer one; what matters is that the index can serve the query at all.
 */
describe.each(testDialects)('sales report plans on %s', (dialect) => {
  let db: TestDatabase;
  const sent: CompiledQuery[] = [];
  const window = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 3, 1) };

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(() => db?.drop());

  /** The SQL the repositories send while `run` runs, each with its plan. */
  async function plansOf(run: (spied: TestDatabase) => Promise<unknown>): Promise<string[]> {
    sent.length = 0;
    const plugin: KyselyPlugin = {
      transformQuery: (args) => {
        sent.push(db.kysely.getExecutor().compileQuery(args.node, args.queryId));
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    await run({ ...db, kysely: db.kysely.withPlugin(plugin) });
    return Promise.all(
      sent.map(async (query) => {
        if (dialect === 'sqlite') {
          const { rows } = await db.kysely.executeQuery<{ detail: string }>(
            CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
          );
          return rows.map((r) => r.detail).join('\n');
        }
        return db.transaction(async (tx) => {
          await sql`set local enable_seqscan = off`.execute(tx);
          const { rows } = await tx.executeQuery<{ 'QUERY PLAN': string }>(
            CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
          );
          return rows.map((r) => r['QUERY PLAN']).join('\n');
        });
      }),
    );
  }

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
