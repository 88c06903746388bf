import { sql, type ExpressionBuilder, type Insertable } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import type { DB, ProductImagesTable, ProductStatus, ProductsTable, ProductType } from '../platform/db/schema.js';
import { wordsOf } from './search-query.js';
import { chunkRows, createSearchRepo } from './search.repo.js';

/** The columns a product card needs (grids on home, category and search pages). */
// updated_at: rendered cards are kept by product id and update time (src/platform/fragments.ts).
const cardColumns = ['p.id', 'p.sku', 'p.name', 'p.summary', 'p.price', 'p.currency', 'p.type', 'p.updated_at'] as const;
const detailColumns = [
  ...cardColumns,
  'p.created_at',
  'p.description',
  'p.description_html',
  'p.status',
  'p.featured',
  'p.specs',
  'p.download_limit',
  'p.access_days',
  'p.activation_limit',
  'p.tax_category',
] as const;

export interface ProductCardRow {
  id: number;
  sku: string;
  name: string;
  summary: string;
  price: number;
  currency: string;
  type: ProductsTable['type'];
  updated_at: number;
}
export type NewProductRow = Insertable<ProductsTable>;
export type NewImageRow = Insertable<ProductImagesTable>;

/** Catalog tables: products, categories, their links, images, and the full-text index. */
/** The owner's product list filter; null parts do not filter. `q`: a SKU prefix or a part of the name. */
export interface OwnerProductFilter {
  status: ProductStatus | null;
  type: ProductType | null;
  categoryId: number | null;
  q: string | null;
  /** only key_lim products at or below their low-stock threshold (the default where none is set) */
  lowStock?: { defaultThreshold: number } | null;
}

const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function ownerFilter(eb: ExpressionBuilder<DB, 'products'>, f: OwnerProductFilter) {
  const q = f.q === null ? null : likeEscaped(f.q);
  return eb.and([
    ...(f.status ? [eb('status', '=', f.status)] : []),
    ...(f.type ? [eb('type', '=', f.type)] : []),
    ...(f.categoryId !== null
      ? [
          eb.exists(
            eb
              .selectFrom('product_categories as pc')
              .select('pc.product_id')
              .whereRef('pc.product_id', '=', 'products.id')
              .where('pc.category_id', '=', f.categoryId),
          ),
        ]
      : []),
    // The pool is counted for key_lim rows only, on license_keys' (product_id, status) index: the
    // filter has to page together with the others, so it cannot ask the key pool service per product.
    ...(f.lowStock
      ? [
          eb('type', '=', 'key_lim'),
          sql<boolean>`(select count(*) from license_keys k where k.product_id = products.id and k.status = 'available') <= coalesce(products.low_stock_threshold, ${f.lowStock.defaultThreshold})`,
        ]
      : []),
    ...(q !== null
      ? [sql<boolean>`(sku like ${`${q.toUpperCase()}%`} escape '\\' or lower(name) like ${`%${q.toLowerCase()}%`} escape '\\')`]
      : []),
  ]);
}

export function createCatalogRepo(db: Database) {
  const search = createSearchRepo(db);
  return {
    ...search,

    findCategories(tx: Executor = db.kysely) {
      return tx.selectFrom('categories').select(['id', 'slug', 'name', 'description']).orderBy('position').orderBy('name').execute();
    },

    /** Every former category slug with the category's current one (see categories.repo.ts). */
    findCategoryRedirects(tx: Executor = db.kysely) {
      return tx
        .selectFrom('category_redirects as r')
        .innerJoin('categories as c', 'c.id', 'r.category_id')
        .select(['r.old_slug', 'c.slug'])
        .execute();
    },

    findCategoryBySlug(slug: string, tx: Executor = db.kysely) {
      return tx
        .selectFrom('categories')
        .select(['id', 'slug', 'name', 'description', 'position'])
        .where('slug', '=', slug)
        .executeTakeFirst();
    },

    async insertCategory(row: { slug: string; name: string; description: string; position: number }, tx: Executor = db.kysely) {
      const { id } = await tx.insertInto('categories').values(row).returning('id').executeTakeFirstOrThrow();
      return id;
    },

    async updateCategory(id: number, patch: { name: string; description: string; position: number }, tx: Executor = db.kysely) {
      await tx.updateTable('categories').set(patch).where('id', '=', id).execute();
    },

    findCategoryIds(slugs: string[], tx: Executor = db.kysely) {
      if (slugs.length === 0) return Promise.resolve([]);
      return tx.selectFrom('categories').select(['id', 'slug']).where('slug', 'in', slugs).execute();
    },

    findProductBySku(sku: string, tx: Executor = db.kysely) {
      return tx.selectFrom('products as p').select(detailColumns).where('p.sku', '=', sku).executeTakeFirst();
    },

    /** Products in any status by id or SKU: the cart checks and prices its lines with them. */
    findProductsByIdsOrSkus(ids: number[], skus: string[], tx: Executor = db.kysely) {
      if (ids.length === 0 && skus.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('products')
        .select(['id', 'sku', 'name', 'type', 'status', 'price', 'currency'])
        .where((eb) => eb.or([...(ids.length ? [eb('id', 'in', ids)] : []), ...(skus.length ? [eb('sku', 'in', skus)] : [])]))
        .execute();
    },

    findExistingSkus(skus: string[], tx: Executor = db.kysely) {
      return tx.selectFrom('products').select('sku').where('sku', 'in', skus).execute();
    },

    findCategorySlugsOfProduct(productId: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('product_categories as pc')
        .innerJoin('categories as c', 'c.id', 'pc.category_id')
        .select(['c.slug', 'c.name'])
        .where('pc.product_id', '=', productId)
        .orderBy('c.position')
        .execute();
    },

    countProducts(tx: Executor = db.kysely) {
      return tx
        .selectFrom('products')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    },

    /** The owner's list: products matching the filter (each part optional), newest first. */
    findProductsForOwner(filter: OwnerProductFilter, limit: number, offset: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('products')
        .select(['id', 'sku', 'name', 'type', 'status', 'price', 'currency', 'created_at', 'updated_at', 'low_stock_threshold'])
        .where((eb) => ownerFilter(eb, filter))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute();
    },

    countProductsForOwner(filter: OwnerProductFilter, tx: Executor = db.kysely) {
      return tx
        .selectFrom('products')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) => ownerFilter(eb, filter))
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    },

    async insertProduct(row: NewProductRow, tx: Executor = db.kysely) {
      const { id } = await tx.insertInto('products').values(row).returning('id').executeTakeFirstOrThrow();
      await search.addSearchWords(wordsOf([row.sku, row.name, row.summary, row.description]), tx);
      return id;
    },

    async updateProduct(id: number, patch: Partial<NewProductRow>, tx: Executor = db.kysely) {
      await tx.updateTable('products').set(patch).where('id', '=', id).execute();
      await search.addSearchWords(wordsOf([patch.sku ?? '', patch.name ?? '', patch.summary ?? '', patch.description ?? '']), tx);
    },

    async deleteProduct(id: number, tx: Executor = db.kysely) {
      await tx.deleteFrom('products').where('id', '=', id).execute();
    },

    async replaceProductCategories(productId: number, categoryIds: number[], tx: Executor = db.kysely) {
      await tx.deleteFrom('product_categories').where('product_id', '=', productId).execute();
      if (categoryIds.length > 0) {
        await tx
          .insertInto('product_categories')
          .values(categoryIds.map((category_id) => ({ product_id: productId, category_id })))
          .execute();
      }
    },

    async replaceProductImages(productId: number, images: { url: string; alt: string }[], tx: Executor = db.kysely) {
      await tx.deleteFrom('product_images').where('product_id', '=', productId).execute();
      if (images.length > 0) {
        await tx
          .insertInto('product_images')
          .values(images.map((img, position) => ({ product_id: productId, ...img, position })))
          .execute();
      }
    },

    /** Images of products in gallery order. */
    findImages(productIds: number[], tx: Executor = db.kysely) {
      if (productIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('product_images')
        .select(['product_id', 'url', 'alt', 'position', 'width', 'height', 'renditions'])
        .where('product_id', 'in', productIds)
        .orderBy('product_id')
        .orderBy('position')
        .execute();
    },

    /** Ids of the newest featured active products (home page). */
    findFeaturedIds(limit: number, tx: Executor = db.kysely): Promise<number[]> {
      return tx
        .selectFrom('products')
        .select('id')
        .where('status', '=', 'active')
        .where('featured', '=', 1)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute()
        .then((rows) => rows.map((r) => r.id));
    },

    /** Ids of the newest active products (home page). */
    findNewArrivalIds(limit: number, tx: Executor = db.kysely): Promise<number[]> {
      return tx
        .selectFrom('products')
        .select('id')
        .where('status', '=', 'active')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute()
        .then((rows) => rows.map((r) => r.id));
    },

    /**
     * Every active product of a category, newest first by id (ids follow creation): the category
     * index and the active-products index alone, without reading product rows. Pages are slices of
     * this list (the caller caches it), because OFFSET paging would walk every skipped row again.
     */
    findActiveIdsInCategory(categoryId: number, tx: Executor = db.kysely): Promise<number[]> {
      return tx
        .selectFrom('product_categories as pc')
        .innerJoin('products as p', 'p.id', 'pc.product_id')
        .select('pc.product_id')
        .where('pc.category_id', '=', categoryId)
        .where('p.status', '=', 'active')
        .orderBy('pc.product_id', 'desc')
        .execute()
        .then((rows) => rows.map((r) => r.product_id));
    },

    /** What the cards of these products show, with their first image (position 0); active products only. */
    findCards(productIds: number[], tx: Executor = db.kysely) {
      if (productIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('products as p')
        .leftJoin('product_images as i', (join) => join.onRef('i.product_id', '=', 'p.id').on('i.position', '=', 0))
        .select([...cardColumns, 'i.url', 'i.alt', 'i.width', 'i.height', 'i.renditions'])
        .where('p.id', 'in', productIds)
        .where('p.status', '=', 'active')
        .execute();
    },

    /**
     * Refreshes the planner's statistics after a bulk load (without them PostgreSQL picks poor
     * plans). PostgreSQL also vacuums: until then new rows are not marked all-visible, and every
     * index-only scan (category lists, stock counts) visits the table for each row, 5 to 10 times
     * slower. VACUUM refuses to run in a transaction, so this takes none.
     */
    async analyze() {
      if (db.dialect === 'sqlite') await sql`analyze`.execute(db.kysely);
      else await sql`vacuum (analyze) products, categories, product_categories, product_images, license_keys`.execute(db.kysely);
    },

    /** Multi-row inserts in chunks (for seeding large catalogs); returns each new id by SKU. */
    async insertProductsBulk(rows: NewProductRow[], tx: Executor = db.kysely): Promise<Map<string, number>> {
      const ids = new Map<string, number>();
      const size = chunkRows(Object.keys(rows[0] ?? {}).length || 1);
      for (let i = 0; i < rows.length; i += size) {
        const inserted = await tx
          .insertInto('products')
          .values(rows.slice(i, i + size))
          .returning(['id', 'sku'])
          .execute();
        for (const r of inserted) ids.set(r.sku, r.id);
      }
      await search.addSearchWords(wordsOf(rows.flatMap((r) => [r.sku, r.name, r.summary, r.description])), tx);
      return ids;
    },

    async insertProductCategoriesBulk(rows: { product_id: number; category_id: number }[], tx: Executor = db.kysely) {
      for (let i = 0; i < rows.length; i += chunkRows(2))
        await tx
          .insertInto('product_categories')
          .values(rows.slice(i, i + chunkRows(2)))
          .execute();
    },

    async insertImagesBulk(rows: NewImageRow[], tx: Executor = db.kysely) {
      for (let i = 0; i < rows.length; i += chunkRows(4))
        await tx
          .insertInto('product_images')
          .values(rows.slice(i, i + chunkRows(4)))
          .execute();
    },
  };
}

export type CatalogRepo = ReturnType<typeof createCatalogRepo>;

/** True when the error is a unique-constraint violation on either engine. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** True when the error is a foreign-key violation on either engine (a row still referenced). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
