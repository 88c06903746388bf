import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/**
 * A short per-shop order number (#1001, #1002, …) people read and quote, beside the random id that
 * stays in URLs. The database hands it out as the order row is inserted, so a purchase sends no extra
 * statement: a sequence as the column default on PostgreSQL, an insert trigger on SQLite (one writer
 * at a time, so the next number after the highest is safe). Gaps are allowed (a rolled-back
 * checkout may skip a number on PostgreSQL). Existing orders are numbered in the order they were created.
 */
export function orderNumbers(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('orders').addColumn('order_number', 'bigint').execute();
      await sql`update orders set order_number = 1000 + r.n
        from (select id, row_number() over (order by created_at, id) as n from orders) as r
        where orders.id = r.id`.execute(db);
      await db.schema.createIndex('orders_order_number').on('orders').column('order_number').unique().execute();
      if (dialect === 'postgres') {
        await sql`create sequence order_numbers start with 1001 owned by orders.order_number`.execute(db);
        await sql`select setval('order_numbers', max(order_number)) from orders having count(*) > 0`.execute(db);
        await sql`alter table orders alter column order_number set default nextval('order_numbers')`.execute(db);
        await sql`alter table orders alter column order_number set not null`.execute(db);
      } else {
        await sql`create trigger orders_order_number after insert on orders when new.order_number is null begin
          update orders set order_number = (select coalesce(max(order_number), 1000) + 1 from orders) where id = new.id;
        end`.execute(db);
      }
    },
    async down(db: Kysely<unknown>) {
      if (dialect === 'sqlite') await sql`drop trigger orders_order_number`.execute(db);
      await db.schema.dropIndex('orders_order_number').execute();
      await db.schema.alterTable('orders').dropColumn('order_number').execute();
    },
  };
}
