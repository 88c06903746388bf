import type { Database, Executor } from '../platform/db/db.js';

const imageColumns = ['id', 'product_id', 'url', 'alt', 'position', 'width', 'height', 'renditions'] as const;

/** A product's gallery rows, uploaded or given as URLs; the owner's image page writes them. */
export function createProductImagesRepo(db: Database) {
  return {
    /** The product's images in gallery order. */
    findByProduct(productId: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('product_images')
        .select(imageColumns)
        .where('product_id', '=', productId)
        .orderBy('position')
        .orderBy('id')
        .execute();
    },

    async insert(
      row: { product_id: number; url: string; alt: string; position: number; width: number; height: number; renditions: string },
      tx: Executor = db.kysely,
    ): Promise<number> {
      const { id } = await tx.insertInto('product_images').values(row).returning('id').executeTakeFirstOrThrow();
      return id;
    },

    async updateAlt(id: number, alt: string, tx: Executor = db.kysely) {
      await tx.updateTable('product_images').set({ alt }).where('id', '=', id).execute();
    },

    /** Positions 0, 1, 2… in the order given (the card shows position 0, so there are never gaps). */
    async updatePositions(ids: number[], tx: Executor = db.kysely) {
      for (const [position, id] of ids.entries()) await tx.updateTable('product_images').set({ position }).where('id', '=', id).execute();
    },

    async delete(id: number, tx: Executor = db.kysely) {
      await tx.deleteFrom('product_images').where('id', '=', id).execute();
    },

    /** How many images (of any product) show this URL. */
    countUsing(url: string, tx: Executor = db.kysely) {
      return tx
        .selectFrom('product_images')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('url', '=', url)
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    },

    /** Moves the product's update time on: pages and cards are kept by product id and update time. */
    async touchProduct(productId: number, updatedAt: number, tx: Executor = db.kysely) {
      await tx.updateTable('products').set({ updated_at: updatedAt }).where('id', '=', productId).execute();
    },

    /** Product rows locked for the change, so two owners' edits of one gallery run one after the other. */
    findProductForUpdate(sku: string, tx: Executor) {
      const query = tx.selectFrom('products').select(['id', 'sku', 'name', 'updated_at']).where('sku', '=', sku);
      return (db.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
    },

    findProduct(sku: string, tx: Executor = db.kysely) {
      return tx.selectFrom('products').select(['id', 'sku', 'name', 'updated_at']).where('sku', '=', sku).executeTakeFirst();
    },
  };
}

export type ProductImagesRepo = ReturnType<typeof createProductImagesRepo>;
