import { sql } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';

/** What a reservation saw of its pool, read in the same statement that picked the keys. */
export interface PoolGlance {
  /** available keys before this reservation, counted up to `threshold + quantity + 1` */
  seen: number;
  threshold: number;
  /** whether the low-stock mail is armed (none sent since the pool was last above the threshold) */
  armed: boolean;
}

/** The key_lim pools: license_keys rows, encrypted, found by keyed hash. */
export function createKeyPoolRepo(db: Database) {
  return {
    async findExistingHashes(hashes: string[], tx: Executor = db.kysely): Promise<Set<string>> {
      const found = new Set<string>();
      // Chunked so a 100k-key import stays under every driver's parameter limit.
      for (let i = 0; i < hashes.length; i += 500) {
        const rows = await tx
          .selectFrom('license_keys')
          .select('key_hash')
          .where('key_hash', 'in', hashes.slice(i, i + 500))
          .execute();
        for (const row of rows) found.add(row.key_hash);
      }
      return found;
    },

    async insertKeys(
      rows: { product_id: number; key_encrypted: string; key_hash: string; created_at: number }[],
      tx: Executor = db.kysely,
    ) {
      for (let i = 0; i < rows.length; i += 500) {
        await tx
          .insertInto('license_keys')
          .values(rows.slice(i, i + 500).map((r) => ({ ...r, status: 'available' as const })))
          .execute();
      }
    },

    /**
     * Takes up to `quantity` available keys for an order. PostgreSQL skips rows another checkout has
     * locked, so racing buyers each get different keys instead of waiting; SQLite has one writer at a
     * time, so a plain select is already exclusive. Lock first, then update exactly those ids: inside
     * `update … where id in (select … limit n for update skip locked)` PostgreSQL may re-run the
     * subquery per row and take more than n.
     */
    async reserveKeys(
      productId: number,
      orderId: string,
      quantity: number,
      until: number,
      defaultThreshold: number,
      tx: Executor,
    ): Promise<{ ids: number[]; glance: PoolGlance | null }> {
      const threshold = sql<number>`(select coalesce(low_stock_threshold, ${defaultThreshold}) from products where id = ${productId})`;
      // The low-stock rule's inputs ride along as scalar subqueries: no statement of its own on the
      // common path. The count stops at threshold + quantity + 1, so a big pool costs no more than a small one.
      const candidates = tx
        .selectFrom('license_keys')
        .select([
          'id',
          sql<number>`(select count(*) from (select 1 from license_keys where product_id = ${productId} and status = 'available' limit ${threshold} + ${quantity + 1}) as pool)`.as(
            'seen',
          ),
          threshold.as('threshold'),
          sql<number>`(select case when low_stock_notified_at is null then 1 else 0 end from products where id = ${productId})`.as('armed'),
        ])
        .where('product_id', '=', productId)
        .where('status', '=', 'available')
        .orderBy('id')
        .limit(quantity);
      const picked = await (db.dialect === 'postgres' ? candidates.forUpdate().skipLocked() : candidates).execute();
      if (picked.length === 0) return { ids: [], glance: null };
      const rows = await tx
        .updateTable('license_keys')
        .set({ status: 'reserved', order_id: orderId, reserved_until: until })
        .where(
          'id',
          'in',
          picked.map((r) => r.id),
        )
        .where('status', '=', 'available')
        .returning('id')
        .execute();
      const first = picked[0]!;
      return {
        ids: rows.map((r) => r.id),
        glance: { seen: Number(first.seen), threshold: Number(first.threshold), armed: Number(first.armed) === 1 },
      };
    },

    /**
     * Marks the low-stock mail sent, only if it was still armed: of two sales crossing at once, one
     * sees a row updated (and mails), the other none. Returns the product for the mail, or undefined.
     */
    disarmLowStock(productId: number, now: number, tx: Executor) {
      return tx
        .updateTable('products')
        .set({ low_stock_notified_at: now })
        .where('id', '=', productId)
        .where('low_stock_notified_at', 'is', null)
        .returning(['id', 'sku', 'name'])
        .executeTakeFirst();
    },

    /**
     * Re-arms the low-stock mail of these products where the pool is above the threshold again. The
     * count runs only for products that were mailed (the cheap condition first), whose pools are small.
     */
    async rearmLowStock(productIds: number[], defaultThreshold: number, tx: Executor = db.kysely) {
      if (productIds.length === 0) return;
      await tx
        .updateTable('products')
        .set({ low_stock_notified_at: null })
        .where('id', 'in', productIds)
        .where('low_stock_notified_at', 'is not', null)
        .where(
          sql<boolean>`(select count(*) from license_keys k where k.product_id = products.id and k.status = 'available') > coalesce(products.low_stock_threshold, ${defaultThreshold})`,
        )
        .execute();
    },

    async updateLowStockThreshold(productId: number, threshold: number | null, tx: Executor = db.kysely) {
      await tx.updateTable('products').set({ low_stock_threshold: threshold }).where('id', '=', productId).execute();
    },

    findLowStockSettings(productId: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('products')
        .select(['low_stock_threshold', 'low_stock_notified_at'])
        .where('id', '=', productId)
        .executeTakeFirst();
    },

    /** Returns an order's reserved keys to their pools; the product of each key released. */
    async releaseReservation(orderId: string, tx: Executor = db.kysely): Promise<number[]> {
      const rows = await tx
        .updateTable('license_keys')
        .set({ status: 'available', order_id: null, reserved_until: null })
        .where('order_id', '=', orderId)
        .where('status', '=', 'reserved')
        .returning('product_id')
        .execute();
      return rows.map((r) => r.product_id);
    },

    async markSold(orderId: string, now: number, tx: Executor) {
      return tx
        .updateTable('license_keys')
        .set({ status: 'sold', sold_at: now, reserved_until: null })
        .where('order_id', '=', orderId)
        .where('status', '=', 'reserved')
        .returning(['id', 'product_id', 'key_encrypted', 'key_hash'])
        .execute();
    },

    async markRevoked(keyIds: number[], tx: Executor) {
      if (keyIds.length === 0) return;
      await tx.updateTable('license_keys').set({ status: 'revoked' }).where('id', 'in', keyIds).execute();
    },

    async countReserved(orderId: string, tx: Executor): Promise<Map<number, number>> {
      const rows = await tx
        .selectFrom('license_keys')
        .select(['product_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('order_id', '=', orderId)
        .where('status', '=', 'reserved')
        .groupBy('product_id')
        .execute();
      return new Map(rows.map((r) => [r.product_id, Number(r.n)]));
    },

    /** Keys per product and status, in one grouped query for a whole page of products. */
    countByStatus(productIds: number[], tx: Executor = db.kysely) {
      if (productIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('license_keys')
        .select(['product_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('product_id', 'in', productIds)
        .groupBy(['product_id', 'status'])
        .execute();
    },

    /**
     * Active key_lim products with at most their own threshold of available keys (the default where
     * none is set), fewest first. Pools are only meaningful with their product's type and status,
     * so this one read joins products.
     */
    async findLowPools(defaultThreshold: number, limit: number, tx: Executor = db.kysely) {
      const rows = await tx
        .selectFrom('products as p')
        .leftJoin('license_keys as k', (join) => join.onRef('k.product_id', '=', 'p.id').on('k.status', '=', 'available'))
        .select(['p.id', 'p.sku', 'p.name', 'p.low_stock_threshold', (eb) => eb.fn.count<number>('k.id').as('available')])
        .where('p.type', '=', 'key_lim')
        .where('p.status', '=', 'active')
        .groupBy(['p.id', 'p.sku', 'p.name', 'p.low_stock_threshold'])
        .having((eb) => eb(eb.fn.count('k.id'), '<=', eb.fn.coalesce('p.low_stock_threshold', sql.lit(defaultThreshold))))
        .orderBy('available')
        .orderBy('p.sku')
        .limit(limit)
        .execute();
      return rows.map(({ low_stock_threshold, ...r }) => ({
        ...r,
        available: Number(r.available),
        threshold: low_stock_threshold ?? defaultThreshold,
      }));
    },

    async countAvailable(productIds: number[], tx: Executor = db.kysely): Promise<Map<number, number>> {
      const counts = new Map<number, number>(productIds.map((id) => [id, 0]));
      if (productIds.length === 0) return counts;
      const rows = await tx
        .selectFrom('license_keys')
        .select(['product_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('product_id', 'in', productIds)
        .where('status', '=', 'available')
        .groupBy('product_id')
        .execute();
      for (const row of rows) counts.set(row.product_id, Number(row.n));
      return counts;
    },
  };
}
