import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The owner's sales reports and exports: paid orders in (paid_at, id) order, so an export's keyset
 * batches each start where the last ended instead of sorting the period again (it replaces 007's
 * index on paid_at alone, which it covers), and paid donations by day.
 */
export function salesReports(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('orders_paid_id').on('orders').columns(['paid_at', 'id']).execute();
      await db.schema.dropIndex('orders_paid').execute();
      await db.schema.createIndex('donations_status_paid').on('donations').columns(['status', 'paid_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('donations_status_paid').execute();
      await db.schema.createIndex('orders_paid').on('orders').column('paid_at').execute();
      await db.schema.dropIndex('orders_paid_id').execute();
    },
  };
}
