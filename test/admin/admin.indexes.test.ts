import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrdersSearchRepo, type OrderSearch } from '../../src/orders/orders-search.repo.js';
import { createContactRepo } from '../../src/contact/contact.repo.js';
import { createCustomersRepo } from '../../src/orders/customers.repo.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { plansOf } from '../support/query-plans.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';
import { placeOrder } from './admin-fixtures.js';

/**
 * The owner's searches stay index lookups as orders grow: the plan of the exact SQL the repositories
 * send names the index. PostgreSQL is told to avoid sequential scans, since on a small table it
 * would rightly prefer one; what matters is that the index can serve the query at all.
 */
describe.each(testDialects)('owner search plans on %s', (dialect) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    const product = await makeProduct(catalogFixtures(db).catalog);
    for (let i = 0; i < 5; i++) await placeOrder(db, { product, email: `Plan${i}@Example.com`, events: i % 2 ? ['payment_settled'] : [] });
  });
  afterAll(() => db?.drop());

  /** The plans of the SQL the repositories send while `run` runs through the recording copy it is given. */
  const planOf = (run: (spied: TestDatabase) => Promise<unknown>) => plansOf(db, run);

  const search = (filter: OrderSearch) =>
    planOf(async (spied) => {
      const repo = createOrdersSearchRepo(spied);
      await repo.searchOrders(filter, 25, 0);
      await repo.countSearchOrders(filter);
    });

  it('finds orders by email in any case through the lower(email) index', async () => {
    const plans = await search({ emailLower: 'plan3@example.com' });
    expect(plans).toHaveLength(2);
    // Migration 018's orders_customer (lower(email), created_at, …) replaced 007's orders_email_lower.
    for (const plan of plans) expect(plan).toContain('orders_customer');
  });

  it('finds orders by id beginning through the primary key', async () => {
    const plans = await search({ idFrom: `ord_ab${'0'.repeat(22)}`, idTo: `ord_ab${'f'.repeat(22)}` });
    for (const plan of plans)
      expect(plan).toMatch(dialect === 'sqlite' ? /USING (COVERING )?INDEX sqlite_autoindex_orders_1 \(id>\? AND id<\?\)/ : /orders_pkey/);
  });

  it('lists one status newest first through the status index', async () => {
    const [list] = await search({ status: 'fulfilled' });
    expect(list).toContain('orders_status_created');
  });

  it('filters by product through the order_items (sku, order_id) index, and by days through a created_at index', async () => {
    for (const plan of await search({ sku: 'PLAN-SKU' })) expect(plan).toContain('order_items_sku_order');
    // Either created_at index serves a status with days; the planner picks by its statistics.
    for (const plan of await search({ status: 'fulfilled', createdFrom: 1, createdBefore: 2 }))
      expect(plan).toMatch(/orders_(status_)?created/);
    const [list] = await search({ createdFrom: 1, createdBefore: 2 });
    expect(list).toContain('orders_created');
  });

  it('pages contact messages newest first through their index', async () => {
    const [plan] = await planOf((spied) => createContactRepo(spied).findMessages(20, 0));
    expect(plan).toContain('contact_messages_created');
  });

  it('groups a page of customers in the orders_customer index order, with or without an address beginning', async () => {
    for (const prefix of [null, 'plan']) {
      const [page] = await planOf((spied) => createCustomersRepo(spied).findCustomers(prefix, 25, 0));
      expect(page).toContain('orders_customer');
      // Grouped as the index runs: no sort of every order first.
      if (dialect === 'sqlite') expect(page).not.toContain('TEMP B-TREE');
      else expect(page).not.toMatch(/\bSort\b/);
    }
  });
});
