import type { Insertable, Selectable } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import type { DiscountCodesTable } from '../platform/db/schema.js';

export type DiscountRow = Selectable<DiscountCodesTable>;
export type NewDiscountRow = Insertable<DiscountCodesTable>;

/** True when the error is a unique violation on either engine (a code taken meanwhile). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Discount codes, their redemptions (one per order) and the code each cart carries. */
export function createDiscountsRepo(db: Database) {
  return {
    findByCode(code: string, tx: Executor = db.kysely): Promise<DiscountRow | undefined> {
      return tx.selectFrom('discount_codes').selectAll().where('code', '=', code).executeTakeFirst();
    },

    findById(id: number, tx: Executor = db.kysely): Promise<DiscountRow | undefined> {
      return tx.selectFrom('discount_codes').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Every code, newest first (an owner's shop has tens, not thousands). */
    findAll(tx: Executor = db.kysely): Promise<DiscountRow[]> {
      return tx.selectFrom('discount_codes').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    },

    async insert(row: NewDiscountRow, tx: Executor = db.kysely): Promise<number> {
      const { id } = await tx.insertInto('discount_codes').values(row).returning('id').executeTakeFirstOrThrow();
      return Number(id);
    },

    /** Disables a code still enabled; false when it already was. */
    async disable(id: number, at: number, tx: Executor = db.kysely): Promise<boolean> {
      const r = await tx
        .updateTable('discount_codes')
        .set({ disabled_at: at })
        .where('id', '=', id)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /**
     * Takes one use in one conditional update: the row lock it takes (PostgreSQL) or the write lock
     * (SQLite) makes concurrent redemptions queue, and each re-checks `uses < max_uses` after the
     * one before it; false when none is left.
     */
    async takeUse(id: number, tx: Executor): Promise<boolean> {
      const r = await tx
        .updateTable('discount_codes')
        .set((eb) => ({ uses: eb('uses', '+', 1) }))
        .where('id', '=', id)
        .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async giveBackUse(id: number, tx: Executor): Promise<void> {
      await tx
        .updateTable('discount_codes')
        .set((eb) => ({ uses: eb('uses', '-', 1) }))
        .where('id', '=', id)
        .where('uses', '>', 0)
        .execute();
    },

    async countHeld(codeId: number, userSub: string, tx: Executor = db.kysely): Promise<number> {
      const r = await tx
        .selectFrom('discount_redemptions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('code_id', '=', codeId)
        .where('user_sub', '=', userSub)
        .where('status', '=', 'held')
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async insertRedemption(row: { code_id: number; order_id: string; user_sub: string; created_at: number }, tx: Executor): Promise<void> {
      await tx
        .insertInto('discount_redemptions')
        .values({ ...row, status: 'held', released_at: null })
        .execute();
    },

    /** Marks the order's held redemption released; its code's id, or undefined when there was none held. */
    async releaseRedemption(orderId: string, at: number, tx: Executor): Promise<number | undefined> {
      const r = await tx
        .updateTable('discount_redemptions')
        .set({ status: 'released', released_at: at })
        .where('order_id', '=', orderId)
        .where('status', '=', 'held')
        .returning('code_id')
        .executeTakeFirst();
      return r?.code_id;
    },

    /** Marks the order's released redemption held again (its order is paid again); false when there was none released. */
    async holdRedemptionAgain(orderId: string, tx: Executor): Promise<boolean> {
      const r = await tx
        .updateTable('discount_redemptions')
        .set({ status: 'held', released_at: null })
        .where('order_id', '=', orderId)
        .where('status', '=', 'released')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    findRedemption(orderId: string, tx: Executor = db.kysely) {
      return tx.selectFrom('discount_redemptions').selectAll().where('order_id', '=', orderId).executeTakeFirst();
    },

    async findCartCode(ownerId: string, tx: Executor = db.kysely): Promise<string | null> {
      const r = await tx.selectFrom('cart_discounts').select('code').where('owner_id', '=', ownerId).executeTakeFirst();
      return r?.code ?? null;
    },

    async setCartCode(ownerId: string, code: string, at: number, tx: Executor = db.kysely): Promise<void> {
      await tx
        .insertInto('cart_discounts')
        .values({ owner_id: ownerId, code, added_at: at })
        .onConflict((oc) => oc.column('owner_id').doUpdateSet({ code, added_at: at }))
        .execute();
    },

    /** Takes `code` out of the cart (another code put in since stays). */
    async deleteCartCodeIf(ownerId: string, code: string, tx: Executor): Promise<void> {
      await tx.deleteFrom('cart_discounts').where('owner_id', '=', ownerId).where('code', '=', code).execute();
    },

    async deleteCartCode(ownerId: string, tx: Executor = db.kysely): Promise<void> {
      await tx.deleteFrom('cart_discounts').where('owner_id', '=', ownerId).execute();
    },
  };
}

export type DiscountsRepo = ReturnType<typeof createDiscountsRepo>;
