import { sql } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';

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
     * Takes up to `quantity` available keys for an order, in one statement. PostgreSQL skips rows
     * another checkout has locked, so racing buyers each get different keys instead of waiting;
     * SQLite has one writer at a time, so a plain subquery is already exclusive. On PostgreSQL the
     * locking subquery sits in `any(array(…))`, which runs it once: inside a plain `in (select …
     * limit n for update skip locked)` it may be re-run per row and take more than n.
     */
    async reserveKeys(productId: number, orderId: string, quantity: number, until: number, tx: Executor): Promise<number[]> {
      const candidates = tx
        .selectFrom('license_keys')
        .select('id')
        .where('product_id', '=', productId)
        .where('status', '=', 'available')
        .orderBy('id')
        .limit(quantity);
      const rows = await tx
        .updateTable('license_keys')
        .set({ status: 'reserved', order_id: orderId, reserved_until: until })
        .where((eb) =>
          db.dialect === 'postgres'
            ? eb('id', '=', sql<number>`any(array(${candidates.forUpdate().skipLocked()}))`)
            : eb('id', 'in', candidates),
        )
        .where('status', '=', 'available')
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },

    async releaseReservation(orderId: string, tx: Executor = db.kysely): Promise<number> {
      const result = await tx
        .updateTable('license_keys')
        .set({ status: 'available', order_id: null, reserved_until: null })
        .where('order_id', '=', orderId)
        .where('status', '=', 'reserved')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
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
     * Active key_lim products with at most `threshold` available keys, fewest first. Pools are only
     * meaningful with their product's type and status, so this one read joins products.
     */
    async findLowPools(threshold: number, limit: number, tx: Executor = db.kysely) {
      const rows = await tx
        .selectFrom('products as p')
        .leftJoin('license_keys as k', (join) => join.onRef('k.product_id', '=', 'p.id').on('k.status', '=', 'available'))
        .select(['p.id', 'p.sku', 'p.name', (eb) => eb.fn.count<number>('k.id').as('available')])
        .where('p.type', '=', 'key_lim')
        .where('p.status', '=', 'active')
        .groupBy(['p.id', 'p.sku', 'p.name'])
        .having((eb) => eb.fn.count('k.id'), '<=', threshold)
        .orderBy('available')
        .orderBy('p.sku')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ ...r, available: Number(r.available) }));
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
