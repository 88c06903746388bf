import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/**
 * Covering indexes for the cards of category and search pages (SQLite only). A card needs a few
 * short columns of a product whose row, with its description, fills a page of its own: reading two
 * dozen random cards through these indexes touches a quarter as many pages (250 -> 180 µs a page of
 * cards with 100,000 products). PostgreSQL gets none: an index entry there must fit in about 2.7 KB,
 * which a 500-character summary or image address in a non-Latin script can exceed, failing the write.
 */
export function catalogCards(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'sqlite') return;
      await db.schema
        .createIndex('products_card')
        .on('products')
        .columns(['id', 'status', 'sku', 'name', 'summary', 'price', 'currency', 'type'])
        .execute();
      await db.schema.createIndex('product_images_card').on('product_images').columns(['product_id', 'position', 'url', 'alt']).execute();
      // The card index starts with the same columns, so it serves every lookup the old one did.
      await db.schema.dropIndex('product_images_product').execute();
    },
  };
}
