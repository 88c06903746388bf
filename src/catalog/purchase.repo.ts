import type { Database, Executor } from '../platform/db/db.js';

/** The product facts a purchase needs, read fresh from the database (never from the request). */
export function createPurchaseRepo(db: Database) {
  return {
    findProducts(ids: number[], tx: Executor = db.kysely) {
      if (ids.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('products')
        .select([
          'id',
          'sku',
          'name',
          'type',
          'status',
          'price',
          'currency',
          'download_limit',
          'access_days',
          'activation_limit',
          'tax_category',
        ])
        .where('id', 'in', ids)
        .execute();
    },
  };
}
