import type { Database } from '../platform/db/db.js';
import { createCatalogRepo } from './catalog.repo.js';

/** Browsing the catalog. */
export function createCatalogService({ db }: { db: Database }) {
  const repo = createCatalogRepo(db);
  return {
    /** Categories for the site header. */
    async listNavCategories() {
      const rows = await repo.findCategories();
      return rows.map(({ slug, name }) => ({ slug, name }));
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
