import type { Selectable } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import type { ProductFilesTable } from '../platform/db/schema.js';

export type ProductFileRow = Selectable<ProductFilesTable>;
export type NewProductFile = Omit<ProductFileRow, 'id'>;

/** The files a file product delivers (the bytes live in storage under `storage_key`). */
export function createProductFilesRepo(db: Database) {
  return {
    /** Whether a product exists and is a `file` product (the catalog has no lookup that joins a caller's transaction yet). */
    async isFileProduct(productId: number, tx: Executor = db.kysely): Promise<boolean> {
      const row = await tx.selectFrom('products').select('type').where('id', '=', productId).executeTakeFirst();
      return row?.type === 'file';
    },

    async insertFile(row: NewProductFile, tx: Executor = db.kysely): Promise<ProductFileRow> {
      return tx.insertInto('product_files').values(row).returningAll().executeTakeFirstOrThrow();
    },

    findFile(id: number, tx: Executor = db.kysely) {
      return tx.selectFrom('product_files').selectAll().where('id', '=', id).executeTakeFirst();
    },

    findFilesOfProducts(productIds: number[], tx: Executor = db.kysely) {
      if (productIds.length === 0) return Promise.resolve([]);
      return tx.selectFrom('product_files').selectAll().where('product_id', 'in', productIds).orderBy('product_id').orderBy('id').execute();
    },

    countFilesWithKey(storageKey: string, tx: Executor = db.kysely) {
      return tx
        .selectFrom('product_files')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('storage_key', '=', storageKey)
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    },
  };
}

export type ProductFilesRepo = ReturnType<typeof createProductFilesRepo>;
