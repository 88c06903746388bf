import type { Database, Executor } from '../platform/db/db.js';

/** The key_lim pools: license_keys rows, encrypted, found by keyed hash. */
export function createKeyPoolRepo(db: Database) {
  return {
    async findExistingHashes(hashes: string[], tx: Executor = db.kysely): Promise<Set<string>> {
      const found = new Set<string>();
      // Chunked so a 100k-key import stays under every driver's parameter limit.
      for (let i = 0; i < hashes.length; i += 500) {
        const rows = await tx.selectFrom('license_keys').select('key_hash').where('key_hash', 'in', hashes.slice(i, i + 500)).execute();
        for (const row of rows) found.add(row.key_hash);
      }
      return found;
    },

    async insertKeys(rows: { product_id: number; key_encrypted: string; key_hash: string; created_at: number }[], tx: Executor = db.kysely) {
      for (let i = 0; i < rows.length; i += 500) {
        await tx.insertInto('license_keys').values(rows.slice(i, i + 500).map((r) => ({ ...r, status: 'available' as const }))).execute();
      }
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
