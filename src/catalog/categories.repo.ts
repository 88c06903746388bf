import type { Database, Executor } from '../platform/db/db.js';

export interface CategoryRecord {
  id: number;
  slug: string;
  name: string;
  description: string;
  position: number;
}

/** The owner's category writes: categories, their order, and the redirects their former slugs leave. */
export function createCategoriesRepo(db: Database) {
  return {
    /** Every category in display order with how many products (any status) it holds: one grouped query. */
    async findWithCounts(tx: Executor = db.kysely) {
      const rows = await tx
        .selectFrom('categories as c')
        .leftJoin('product_categories as pc', 'pc.category_id', 'c.id')
        .select(['c.id', 'c.slug', 'c.name', 'c.description', 'c.position', (eb) => eb.fn.count<number>('pc.product_id').as('products')])
        .groupBy(['c.id', 'c.slug', 'c.name', 'c.description', 'c.position'])
        .orderBy('c.position')
        .orderBy('c.name')
        .orderBy('c.id')
        .execute();
      return rows.map((r) => ({ ...r, products: Number(r.products) }));
    },

    /** Display order, as the header shows it; ties by name, then id, so the order is total. */
    findOrdered(tx: Executor = db.kysely): Promise<CategoryRecord[]> {
      return tx
        .selectFrom('categories')
        .select(['id', 'slug', 'name', 'description', 'position'])
        .orderBy('position')
        .orderBy('name')
        .orderBy('id')
        .execute();
    },

    findById(id: number, tx: Executor = db.kysely): Promise<CategoryRecord | undefined> {
      return tx.selectFrom('categories').select(['id', 'slug', 'name', 'description', 'position']).where('id', '=', id).executeTakeFirst();
    },

    findBySlug(slug: string, tx: Executor = db.kysely): Promise<CategoryRecord | undefined> {
      return tx
        .selectFrom('categories')
        .select(['id', 'slug', 'name', 'description', 'position'])
        .where('slug', '=', slug)
        .executeTakeFirst();
    },

    async findLastPosition(tx: Executor = db.kysely): Promise<number> {
      const row = await tx
        .selectFrom('categories')
        .select((eb) => eb.fn.max<number | null>('position').as('p'))
        .executeTakeFirst();
      return Number(row?.p ?? 0);
    },

    async insert(row: Omit<CategoryRecord, 'id'>, tx: Executor = db.kysely): Promise<number> {
      const { id } = await tx.insertInto('categories').values(row).returning('id').executeTakeFirstOrThrow();
      return id;
    },

    async update(id: number, patch: Partial<Omit<CategoryRecord, 'id'>>, tx: Executor = db.kysely): Promise<void> {
      await tx.updateTable('categories').set(patch).where('id', '=', id).execute();
    },

    async countProducts(id: number, tx: Executor = db.kysely): Promise<number> {
      const row = await tx
        .selectFrom('product_categories')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('category_id', '=', id)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Deletes a category and its redirects; only the caller knows it holds no products. */
    async delete(id: number, tx: Executor = db.kysely): Promise<void> {
      await tx.deleteFrom('category_redirects').where('category_id', '=', id).execute();
      await tx.deleteFrom('categories').where('id', '=', id).execute();
    },

    /** The former slugs of one category, newest first. */
    findRedirectsOf(id: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('category_redirects')
        .select(['old_slug', 'created_at'])
        .where('category_id', '=', id)
        .orderBy('created_at', 'desc')
        .orderBy('old_slug')
        .execute();
    },

    /** Points a former slug at a category (replacing whatever it pointed at before). */
    async upsertRedirect(oldSlug: string, categoryId: number, now: number, tx: Executor = db.kysely): Promise<void> {
      await tx.deleteFrom('category_redirects').where('old_slug', '=', oldSlug).execute();
      await tx.insertInto('category_redirects').values({ old_slug: oldSlug, category_id: categoryId, created_at: now }).execute();
    },

    /** Frees a former slug: a category now has it as its own. */
    async deleteRedirect(oldSlug: string, tx: Executor = db.kysely): Promise<void> {
      await tx.deleteFrom('category_redirects').where('old_slug', '=', oldSlug).execute();
    },

    /** The category ids of each product (discount codes limited to categories ask). */
    findCategoryIdsOfProducts(productIds: number[], tx: Executor = db.kysely) {
      if (productIds.length === 0) return Promise.resolve([]);
      return tx.selectFrom('product_categories').select(['product_id', 'category_id']).where('product_id', 'in', productIds).execute();
    },
  };
}
