import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/**
 * Full-text search over products with each engine's own index, and the indexes the catalog pages'
 * hot queries use. SQLite: an FTS5 table over `products` (external content, no copy of the text) kept
 * in sync by triggers. PostgreSQL: a generated, weighted tsvector column with a GIN index.
 */
export function productSearch(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect === 'sqlite') {
        // unicode61 folds case and diacritics (café = cafe); prefix indexes make "pix"* cheap.
        await sql`create virtual table products_fts using fts5(
          sku, name, summary, description,
          content='products', content_rowid='id',
          tokenize='unicode61 remove_diacritics 2', prefix='2 3'
        )`.execute(db);
        await sql`create trigger products_fts_insert after insert on products begin
          insert into products_fts(rowid, sku, name, summary, description) values (new.id, new.sku, new.name, new.summary, new.description);
        end`.execute(db);
        await sql`create trigger products_fts_delete after delete on products begin
          insert into products_fts(products_fts, rowid, sku, name, summary, description) values ('delete', old.id, old.sku, old.name, old.summary, old.description);
        end`.execute(db);
        // Only text changes touch the index: price, status and stock edits do not rewrite it.
        await sql`create trigger products_fts_update after update of sku, name, summary, description on products begin
          insert into products_fts(products_fts, rowid, sku, name, summary, description) values ('delete', old.id, old.sku, old.name, old.summary, old.description);
          insert into products_fts(rowid, sku, name, summary, description) values (new.id, new.sku, new.name, new.summary, new.description);
        end`.execute(db);
        await sql`insert into products_fts(products_fts) values ('rebuild')`.execute(db);
      } else {
        // 'simple' (no stemming) so prefixes behave as in SQLite; weights A (sku, name) > B > C.
        await sql`alter table products add column search_vector tsvector generated always as (
          setweight(to_tsvector('simple', sku), 'A') ||
          setweight(to_tsvector('simple', name), 'A') ||
          setweight(to_tsvector('simple', summary), 'B') ||
          setweight(to_tsvector('simple', description), 'C')
        ) stored`.execute(db);
        await sql`create index products_search on products using gin (search_vector)`.execute(db);
      }
      // Home page: featured active products, newest first, straight from the index.
      await db.schema.dropIndex('products_status_featured').execute();
      await db.schema.createIndex('products_status_featured').on('products').columns(['status', 'featured', 'id']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('products_status_featured').execute();
      await db.schema.createIndex('products_status_featured').on('products').columns(['status', 'featured']).execute();
      if (dialect === 'sqlite') {
        for (const t of ['products_fts_insert', 'products_fts_delete', 'products_fts_update']) await sql`drop trigger ${sql.id(t)}`.execute(db);
        await sql`drop table products_fts`.execute(db);
      } else {
        await sql`drop index products_search`.execute(db);
        await sql`alter table products drop column search_vector`.execute(db);
      }
    },
  };
}
