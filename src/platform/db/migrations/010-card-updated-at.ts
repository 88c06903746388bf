import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/**
 * The card covering index (migration 008, SQLite only) gains `updated_at`: rendered cards are kept by
 * product id and update time, so a card read needs it, and without it in the index every card would
 * read its product's row again (the page its description fills).
 */
export function cardUpdatedAt(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'sqlite') return;
      await db.schema.dropIndex('products_card').execute();
      await db.schema
        .createIndex('products_card')
        .on('products')
        .columns(['id', 'status', 'sku', 'name', 'summary', 'price', 'currency', 'type', 'updated_at'])
        .execute();
    },
  };
}
