import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/**
 * Delivery terms are part of what was bought: an order item keeps the product's download limit and
 * access days as they were at checkout.
 */
export function orderItemTerms(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('order_items').addColumn('download_limit', 'integer').execute();
      await db.schema.alterTable('order_items').addColumn('access_days', 'integer').execute();
    },
  };
}
