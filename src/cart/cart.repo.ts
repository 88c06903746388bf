import { sql } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import type { StoredLine } from './cart.rules.js';

/** The `user_cart` table: one row per owner and product. */
export function createCartRepo(db: Database) {
  return {
    /** An owner's lines in the order they were added. */
    async findLines(userId: string, tx: Executor = db.kysely): Promise<StoredLine[]> {
      const rows = await tx
        .selectFrom('user_cart')
        .select(['product_id', 'quantity', 'added_at'])
        .where('user_id', '=', userId)
        .orderBy('added_at')
        .orderBy('product_id')
        .execute();
      return rows.map((r) => ({ productId: r.product_id, quantity: r.quantity, addedAt: Number(r.added_at) }));
    },

    /**
     * The lines and, in the same statement, the discount code the cart carries (`cart_discounts`,
     * written by src/discounts): a cart page or poll costs no extra round trip for it.
     */
    async findLinesWithCode(userId: string, tx: Executor = db.kysely): Promise<{ lines: StoredLine[]; code: string | null }> {
      const rows = await tx
        .selectFrom('user_cart')
        .select((eb) => [
          'product_id',
          'quantity',
          'added_at',
          eb.selectFrom('cart_discounts').select('code').where('owner_id', '=', userId).as('discount_code'),
        ])
        .where('user_id', '=', userId)
        .orderBy('added_at')
        .orderBy('product_id')
        .execute();
      return {
        lines: rows.map((r) => ({ productId: r.product_id, quantity: r.quantity, addedAt: Number(r.added_at) })),
        code: rows[0]?.discount_code ?? null,
      };
    },

    /**
     * Adds units to a line (a new line if there is none) in one statement, so two adds at once both
     * count; an existing line only grows while it stays within `limit`. Returns the new quantity,
     * or null when the limit refused it.
     */
    async addQuantity(
      userId: string,
      productId: number,
      quantity: number,
      limit: number,
      now: number,
      tx: Executor = db.kysely,
    ): Promise<number | null> {
      const row = await tx
        .insertInto('user_cart')
        .values({ user_id: userId, product_id: productId, quantity, added_at: now })
        .onConflict((oc) =>
          oc
            .columns(['user_id', 'product_id'])
            .doUpdateSet({ quantity: sql<number>`user_cart.quantity + excluded.quantity` })
            .where(sql<boolean>`user_cart.quantity + excluded.quantity <= ${limit}`),
        )
        .returning('quantity')
        .executeTakeFirst();
      return row ? row.quantity : null;
    },

    /** Sets the quantity of an existing line; false when there is no such line. */
    async updateQuantity(userId: string, productId: number, quantity: number, tx: Executor = db.kysely): Promise<boolean> {
      const result = await tx
        .updateTable('user_cart')
        .set({ quantity })
        .where('user_id', '=', userId)
        .where('product_id', '=', productId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Writes a line with exactly this quantity, whether or not it existed. */
    async upsertLine(userId: string, line: StoredLine, tx: Executor = db.kysely): Promise<void> {
      await tx
        .insertInto('user_cart')
        .values({ user_id: userId, product_id: line.productId, quantity: line.quantity, added_at: line.addedAt })
        .onConflict((oc) => oc.columns(['user_id', 'product_id']).doUpdateSet({ quantity: line.quantity }))
        .execute();
    },

    async deleteLines(userId: string, productIds: number[], tx: Executor = db.kysely): Promise<void> {
      if (productIds.length === 0) return;
      await tx.deleteFrom('user_cart').where('user_id', '=', userId).where('product_id', 'in', productIds).execute();
    },

    async deleteCart(userId: string, tx: Executor = db.kysely): Promise<void> {
      await tx.deleteFrom('user_cart').where('user_id', '=', userId).execute();
    },

    /** The visitor's discount code goes with their cart at login, unless the user's cart has one: one statement. */
    async moveCode(fromId: string, toId: string, tx: Executor = db.kysely): Promise<void> {
      await tx
        .updateTable('cart_discounts')
        .set({ owner_id: toId })
        .where('owner_id', '=', fromId)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('cart_discounts as mine').select('mine.owner_id').where('mine.owner_id', '=', toId))))
        .execute();
    },

    /** Units across all lines (the header badge). */
    async countUnits(userId: string, tx: Executor = db.kysely): Promise<number> {
      const row = await tx
        .selectFrom('user_cart')
        .select((eb) => eb.fn.sum<number | string | null>('quantity').as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
  };
}
