import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/**
 * Full-text search over products with each engine's own index, the indexes the catalog pages' hot
 * queries use, and the description pre-rendered to HTML. SQLite: an FTS5 table over `products`
 * (external content, no copy of the text) kept in sync by triggers. PostgreSQL: generated tsvector
 * columns (all text weighted; name and SKU alone) with GIN indexes.
 */
export function productSearch(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // Rendering and sanitising Markdown costs more than the rest of a product page: done once, on write.
      await db.schema
        .alterTable('products')
        .addColumn('description_html', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      if (dialect === 'sqlite') {
        // unicode61 folds case and diacritics (café = cafe); prefix indexes make "pix"* cheap.
        await sql`create virtual table products_fts using fts5(
          sku, name, summary, description,
          content='products', content_rowid='id',
          tokenize='unicode61 remove_diacritics 2', prefix='2 3'
        )`.execute(db);
        // Only active products are indexed, so a search never reads rows it must then drop. Each
        // trigger is one ordered body (remove the old entry, add the new one) with the conditions
        // inside: FTS5 must be told exactly what it indexed in order to remove it.
        const oldRow = sql`'delete', old.id, old.sku, old.name, old.summary, old.description`;
        const newRow = sql`new.id, new.sku, new.name, new.summary, new.description`;
        const columns = sql`rowid, sku, name, summary, description`;
        await sql`create trigger products_fts_insert after insert on products when new.status = 'active' begin
          insert into products_fts(${columns}) values (${newRow});
        end`.execute(db);
        await sql`create trigger products_fts_delete after delete on products when old.status = 'active' begin
          insert into products_fts(products_fts, ${columns}) values (${oldRow});
        end`.execute(db);
        // Price or stock edits leave the index alone; text and status changes re-index the row.
        await sql`create trigger products_fts_update after update of sku, name, summary, description, status on products begin
          insert into products_fts(products_fts, ${columns}) select ${oldRow} where old.status = 'active';
          insert into products_fts(${columns}) select ${newRow} where new.status = 'active';
        end`.execute(db);
        await sql`insert into products_fts(${columns}) select id, sku, name, summary, description from products where status = 'active'`.execute(
          db,
        );
      } else {
        // 'simple' (no stemming) so prefixes behave as in SQLite; weights A (sku, name) > B > C.
        await sql`alter table products add column search_vector tsvector generated always as (
          setweight(to_tsvector('simple', sku), 'A') ||
          setweight(to_tsvector('simple', name), 'A') ||
          setweight(to_tsvector('simple', summary), 'B') ||
          setweight(to_tsvector('simple', description), 'C')
        ) stored`.execute(db);
        // Name and SKU alone, so "matches by name" is an index lookup the planner has statistics for
        // (a weight-restricted query on search_vector is estimated badly and rechecked row by row).
        await sql`alter table products add column name_vector tsvector generated always as (
          to_tsvector('simple', sku || ' ' || name)
        ) stored`.execute(db);
        // Partial (active only), like SQLite's index.
        await sql`create index products_search on products using gin (search_vector) where status = 'active'`.execute(db);
        await sql`create index products_name_search on products using gin (name_vector) where status = 'active'`.execute(db);
      }
      // "Is this product active?" from a small index: category pages and counts never read product rows to filter.
      await db.schema.createIndex('products_active_id').on('products').column('id').where(sql.ref('status'), '=', 'active').execute();
      // Home page: featured active products, newest first, straight from the index.
      await db.schema.dropIndex('products_status_featured').execute();
      await db.schema.createIndex('products_status_featured').on('products').columns(['status', 'featured', 'id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('products_active_id').execute();
      await db.schema.dropIndex('products_status_featured').execute();
      await db.schema.createIndex('products_status_featured').on('products').columns(['status', 'featured']).execute();
      if (dialect === 'sqlite') {
        for (const t of ['products_fts_insert', 'products_fts_delete', 'products_fts_update'])
          await sql`drop trigger ${sql.id(t)}`.execute(db);
        await sql`drop table products_fts`.execute(db);
      } else {
        await sql`drop index products_name_search`.execute(db);
        await sql`drop index products_search`.execute(db);
        await sql`alter table products drop column name_vector`.execute(db);
        await sql`alter table products drop column search_vector`.execute(db);
      }
      await db.schema.alterTable('products').dropColumn('description_html').execute();
    },
  };
}
