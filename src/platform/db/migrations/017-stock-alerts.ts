import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Key pools and product files managed from /admin. A key_lim product's own low-stock threshold
 * (null: the shop's default, LOW_STOCK) and when the owner was last mailed about it (null: armed,
 * the next sale that leaves the pool at or below the threshold mails once). A product file that was
 * removed keeps its row (the download log refers to it) with removed_at set.
 */
export function stockAlerts(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('products').addColumn('low_stock_threshold', 'integer').execute();
      await db.schema.alterTable('products').addColumn('low_stock_notified_at', 'bigint').execute();
      await db.schema.alterTable('product_files').addColumn('removed_at', 'bigint').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('product_files').dropColumn('removed_at').execute();
      await db.schema.alterTable('products').dropColumn('low_stock_notified_at').execute();
      await db.schema.alterTable('products').dropColumn('low_stock_threshold').execute();
    },
  };
}
