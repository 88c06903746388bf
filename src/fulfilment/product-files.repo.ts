import type { Selectable } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import type { ProductFilesTable } from '../platform/db/schema.js';

export type ProductFileRow = Selectable<ProductFilesTable>;
export type NewProductFile = Omit<ProductFileRow, 'id' | 'removed_at'> & { removed_at?: number | null };

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

    /** A file that is served (a removed one is not). */
    findFile(id: number, tx: Executor = db.kysely) {
      return tx.selectFrom('product_files').selectAll().where('id', '=', id).where('removed_at', 'is', null).executeTakeFirst();
    },

    findFilesOfProducts(productIds: number[], tx: Executor = db.kysely) {
      if (productIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('product_files')
        .selectAll()
        .where('product_id', 'in', productIds)
        .where('removed_at', 'is', null)
        .orderBy('product_id')
        .orderBy('id')
        .execute();
    },

    /** Files served under this storage key (removed ones no longer need the bytes). */
    countFilesWithKey(storageKey: string, tx: Executor = db.kysely) {
      return tx
        .selectFrom('product_files')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('storage_key', '=', storageKey)
        .where('removed_at', 'is', null)
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    },

    /** Points a file at new bytes: the same id, so every grant and link of it serves the new version. */
    updateFile(id: number, patch: Omit<NewProductFile, 'product_id' | 'removed_at'>, tx: Executor = db.kysely) {
      return tx.updateTable('product_files').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    },

    /** Takes a file out of service; the row stays for the download log that refers to it. */
    async markRemoved(id: number, now: number, tx: Executor = db.kysely) {
      await tx.updateTable('product_files').set({ removed_at: now }).where('id', '=', id).where('removed_at', 'is', null).execute();
    },
  };
}

export type ProductFilesRepo = ReturnType<typeof createProductFilesRepo>;
