import type { Database, Executor } from '../platform/db/db.js';

/** Catalog tables: products, categories and their links. */
export function createCatalogRepo(db: Database) {
  return {
    findCategories(tx: Executor = db.kysely) {
      return tx.selectFrom('categories').select(['id', 'slug', 'name', 'description']).orderBy('position').orderBy('name').execute();
    },
  };
}

export type CatalogRepo = ReturnType<typeof createCatalogRepo>;
