import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * The owner's order filter by product: the orders holding one SKU come from this index alone
 * (`order_id in (select order_id from order_items where sku = ?)`), without reading the items of
 * every order. Date ranges use `orders_created` and `orders_status_created` of migration 007.
 */
export function orderFilters(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('order_items_sku_order').on('order_items').columns(['sku', 'order_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('order_items_sku_order').execute();
    },
  };
}
