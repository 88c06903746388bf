import type { Database, Executor } from '../platform/db/db.js';

export interface NewDeliveredKey {
  order_item_id: number;
  unit_index: number;
  license_key_id: number | null;
  key_encrypted: string;
  key_hash: string;
  created_at: number;
}

export interface NewGrant {
  order_item_id: number;
  unit_index: number;
  product_id: number;
  download_limit: number;
  expires_at: number;
  created_at: number;
}

/** What buyers received: delivered keys (one per unit) and download grants (one per unit). */
export function createFulfilmentRepo(db: Database) {
  return {
    async insertDeliveredKeys(rows: NewDeliveredKey[], tx: Executor) {
      if (rows.length > 0)
        await tx
          .insertInto('delivered_keys')
          .values(rows.map((r) => ({ ...r, status: 'active' as const })))
          .execute();
    },

    async insertGrants(rows: NewGrant[], tx: Executor) {
      if (rows.length > 0)
        await tx
          .insertInto('download_grants')
          .values(rows.map((r) => ({ ...r, downloads_used: 0, status: 'active' as const })))
          .execute();
    },

    findDeliveredKeys(itemIds: number[], tx: Executor = db.kysely) {
      if (itemIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('delivered_keys')
        .selectAll()
        .where('order_item_id', 'in', itemIds)
        .orderBy('order_item_id')
        .orderBy('unit_index')
        .execute();
    },

    findGrants(itemIds: number[], tx: Executor = db.kysely) {
      if (itemIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('download_grants')
        .selectAll()
        .where('order_item_id', 'in', itemIds)
        .orderBy('order_item_id')
        .orderBy('unit_index')
        .execute();
    },

    /** The owner's reset or extension; a grant revoked meanwhile is left alone. */
    async updateGrant(id: number, patch: { downloads_used: number; expires_at: number }, tx: Executor) {
      await tx.updateTable('download_grants').set(patch).where('id', '=', id).where('status', '=', 'active').execute();
    },

    findDeliveredKey(itemId: number, unit: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('delivered_keys')
        .selectAll()
        .where('order_item_id', '=', itemId)
        .where('unit_index', '=', unit)
        .executeTakeFirst();
    },

    async recordReveal(deliveredKeyId: number, userSub: string, ip: string, now: number, tx: Executor) {
      await tx.insertInto('key_reveals').values({ delivered_key_id: deliveredKeyId, user_sub: userSub, ip, created_at: now }).execute();
      await tx.updateTable('delivered_keys').set({ revealed_at: now }).where('id', '=', deliveredKeyId).execute();
    },

    /** Revokes the highest-numbered active units of an item; returns the pool keys they held. */
    async revokeUnits(itemId: number, units: number, tx: Executor): Promise<number[]> {
      const keys = await tx
        .selectFrom('delivered_keys')
        .select(['id', 'license_key_id'])
        .where('order_item_id', '=', itemId)
        .where('status', '=', 'active')
        .orderBy('unit_index', 'desc')
        .limit(units)
        .execute();
      if (keys.length > 0)
        await tx
          .updateTable('delivered_keys')
          .set({ status: 'revoked' })
          .where(
            'id',
            'in',
            keys.map((k) => k.id),
          )
          .execute();
      const grants = await tx
        .selectFrom('download_grants')
        .select('id')
        .where('order_item_id', '=', itemId)
        .where('status', '=', 'active')
        .orderBy('unit_index', 'desc')
        .limit(units)
        .execute();
      if (grants.length > 0)
        await tx
          .updateTable('download_grants')
          .set({ status: 'revoked' })
          .where(
            'id',
            'in',
            grants.map((g) => g.id),
          )
          .execute();
      return keys.flatMap((k) => (k.license_key_id === null ? [] : [k.license_key_id]));
    },
  };
}

export type FulfilmentRepo = ReturnType<typeof createFulfilmentRepo>;
