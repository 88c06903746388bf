import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/**
 * Invoice numbers count per series (issue 18): `INV-2027-000001` follows `INV-2026-000815`, so the
 * number alone is no longer unique; the pair (invoice_series, invoice_number) is. PostgreSQL drops the
 * column's constraint; SQLite cannot, so it rebuilds `orders` from its own stored definition without
 * the column's `unique` (its indexes and the order-number trigger recreated as they were). SQLite
 * migrations run outside a transaction, so foreign keys can be switched off around the swap.
 */
export function invoiceSeriesNumbers(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'postgres') await sql`alter table orders drop constraint orders_invoice_number_key`.execute(db);
      else await rebuildOrders(db, (create) => create.replace(/("invoice_number" integer) unique/i, '$1'));
      await db.schema
        .createIndex('orders_invoice_series_number')
        .on('orders')
        .columns(['invoice_series', 'invoice_number'])
        .unique()
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('orders_invoice_series_number').execute();
      if (dialect === 'postgres')
        await sql`alter table orders add constraint orders_invoice_number_key unique (invoice_number)`.execute(db);
      else await rebuildOrders(db, (create) => create.replace(/("invoice_number" integer)/i, '$1 unique'));
    },
  };
}

/** SQLite's way to change a column constraint: a copy of the table under a changed definition. */
async function rebuildOrders(db: Kysely<unknown>, change: (create: string) => string) {
  const { rows: tables } = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'orders'`.execute(db);
  const { rows: dependents } = await sql<{
    sql: string;
  }>`select sql from sqlite_master where tbl_name = 'orders' and type in ('index', 'trigger') and sql is not null and name <> 'orders_invoice_series_number'`.execute(
    db,
  );
  const create = change(tables[0]!.sql).replace(/^CREATE TABLE\s+"?orders"?/i, 'CREATE TABLE "orders_rebuilt"');
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await sql.raw(create).execute(db);
    await sql`insert into orders_rebuilt select * from orders`.execute(db);
    await sql`drop table orders`.execute(db);
    await sql`alter table orders_rebuilt rename to orders`.execute(db);
    for (const d of dependents) await sql.raw(d.sql).execute(db);
    const { rows: broken } = await sql`pragma foreign_key_check`.execute(db);
    if (broken.length > 0) throw new Error(`orders rebuild left ${broken.length} broken foreign keys`);
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
