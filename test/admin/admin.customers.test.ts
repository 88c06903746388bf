import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';
import { placeOrder, rowText, tableRows } from './admin-fixtures.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 5, 1, 12, 0);

/** /admin/customers: buyers by email with orders, money spent net of refunds and last order; one buyer's orders. */
describe.each(testDialects)('admin customers on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let owner: LoggedIn;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    const product = await makeProduct(catalogFixtures(t.db).catalog);
    // Ada: one fulfilled order, one partly refunded (1 of 2 units), one wholly refunded, one expired; two spellings of her address.
    ids.kept = await placeOrder(t.db, { product, email: 'Ada@Example.com', total: 1900, createdAt: T0, events: ['payment_settled'] });
    ids.partly = await placeOrder(t.db, {
      product,
      email: 'ada@example.com',
      total: 2000,
      createdAt: T0 + DAY,
      events: ['payment_settled'],
    });
    await t.db.kysely
      .updateTable('order_items')
      .set({ quantity: 2, unit_price: 1000, refunded_quantity: 1 })
      .where('order_id', '=', ids.partly)
      .execute();
    await t.db.kysely.updateTable('orders').set({ status: 'partially_refunded' }).where('id', '=', ids.partly).execute();
    ids.refunded = await placeOrder(t.db, {
      product,
      email: 'ada@example.com',
      total: 5000,
      createdAt: T0 + 2 * DAY,
      events: ['payment_settled', 'refund_full'],
    });
    ids.expired = await placeOrder(t.db, {
      product,
      email: 'ada@example.com',
      total: 700,
      createdAt: T0 + 3 * DAY,
      events: ['reservation_expired'],
    });
    // Bob pays in two currencies; Carol never paid; Adam shares Ada's first letters.
    await placeOrder(t.db, { product, email: 'bob@example.com', total: 1000, createdAt: T0, events: ['payment_settled'] });
    await placeOrder(t.db, {
      product,
      email: 'bob@example.com',
      total: 1500,
      currency: 'USD',
      createdAt: T0 + DAY,
      events: ['payment_settled'],
    });
    await placeOrder(t.db, { product, email: 'carol@example.com', total: 900, createdAt: T0, events: ['payment_failed'] });
    await placeOrder(t.db, {
      product,
      email: 'adam@example.com',
      total: 300,
      createdAt: T0,
      events: ['payment_mismatch'],
      attentionReason: 'odd',
    });
    owner = await loginAs(t.app, 'owner');
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: owner.cookie } });

  it('lists buyers by address (any case), with order count, money kept net of refunds per currency, and last order', async () => {
    const res = await get('/admin/customers');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.body).toContain('4 customers, by email address.');
    expect(tableRows(res.body, 'admin-customers')).toEqual([
      // 19.00 + (20.00 − 10.00 refunded) + 0 (wholly refunded); the expired order counts as an order only.
      'ada@example.com 4 €29.00 2025-06-04 12:00 UTC',
      'adam@example.com 1 — 2025-06-01 12:00 UTC',
      'bob@example.com 2 €10.00 + $15.00 2025-06-02 12:00 UTC',
      'carol@example.com 1 — 2025-06-01 12:00 UTC',
    ]);
    expect(res.body).toContain('href="/admin/customers/ada%40example.com"');
  });

  it('finds buyers by the beginning of their address, in any case, and pages', async () => {
    const res = await get('/admin/customers?q=ADA');
    expect(res.body).toContain('2 customers match');
    expect(tableRows(res.body, 'admin-customers').map((r) => r.split(' ')[0])).toEqual(['ada@example.com', 'adam@example.com']);
    expect(tableRows((await get('/admin/customers?q=ada%40')).body, 'admin-customers')).toHaveLength(1);
    expect((await get('/admin/customers?q=%25')).body).toContain('No customers match.');
    expect((await get('/admin/customers?q=zed')).body).toContain('No customers match.');
    const bad = await get('/admin/customers?q=a%20b');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Search by the beginning of a buyer’s email address');
    expect((await get('/admin/customers?page=2')).statusCode).toBe(404);
    expect((await get('/admin/customers?page=x')).statusCode).toBe(400);
  });

  it("shows one buyer's orders newest first, each linking to its admin page", async () => {
    const res = await get('/admin/customers/ADA%40example.com');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>ada@example.com</h1>');
    expect(res.body).toContain('€29.00');
    const rows = tableRows(res.body, 'admin-customer-orders');
    expect(rows).toHaveLength(4);
    expect(rows[0]).toContain('Expired');
    expect(rows[3]).toContain('Fulfilled');
    for (const id of Object.values(ids)) expect(res.body).toContain(`href="/admin/orders/${id}"`);
    expect(rowText(res.body, 'data-order-id', ids.partly!)).toContain('Partially refunded');
    for (const url of ['/admin/customers/nobody%40example.com', '/admin/customers/ada', '/admin/customers/a%20b'])
      expect((await get(url)).statusCode, url).toBe(404);
  });

  it('has the orders_customer index the grouped list reads (migration 018)', async () => {
    const indexes =
      dialect === 'sqlite'
        ? await t.db.kysely
            .selectFrom('sqlite_master' as never)
            .select('name' as never)
            .where('name' as never, '=', 'orders_customer' as never)
            .execute()
        : await t.db.kysely
            .selectFrom('pg_indexes' as never)
            .select('indexname' as never)
            .where('indexname' as never, '=', 'orders_customer' as never)
            // This file's schema only: other files' schemas have the index too.
            .where(sql<boolean>`schemaname = current_schema()`)
            .execute();
    expect(indexes).toHaveLength(1);
  });
});
