import type { Database, Executor } from '../platform/db/db.js';

export interface NewActivation {
  delivered_key_id: number;
  instance_id: string;
  instance_name: string;
  created_at: number;
}

/**
 * Licenses are delivered keys seen from vendors' software: activations are this domain's table; the
 * key, its order item (SKU and name as bought) and its product's activation limit are read here
 * joined, because a lookup must be ONE indexed query by key hash whatever the outcome, and an
 * activation must lock the key row inside its own transaction.
 */
export function createLicensesRepo(db: Database) {
  const licenses = (tx: Executor) =>
    tx
      .selectFrom('delivered_keys')
      .innerJoin('order_items', 'order_items.id', 'delivered_keys.order_item_id')
      .innerJoin('products', 'products.id', 'order_items.product_id')
      .select([
        'delivered_keys.id',
        'delivered_keys.status',
        'delivered_keys.key_hash',
        'delivered_keys.unit_index',
        'delivered_keys.created_at',
        'order_items.order_id',
        'order_items.sku',
        'order_items.name',
        'products.activation_limit',
      ]);

  return {
    /**
     * The license whose key has one of these lookup hashes (the key's hash under each configured
     * encryption key: during a rotation a row holds either). One probe of the unique index per hash.
     */
    findLicenseByHash(keyHashes: string[], tx: Executor = db.kysely) {
      return licenses(tx).where('delivered_keys.key_hash', 'in', keyHashes).executeTakeFirst();
    },

    /**
     * The same, with the key row locked until the transaction ends, so activations of one key run
     * one after the other and never overshoot its limit. PostgreSQL takes the row lock; SQLite has
     * one writer, and its single connection already runs transactions one at a time.
     */
    lockLicenseByHash(keyHashes: string[], tx: Executor) {
      const query = licenses(tx).where('delivered_keys.key_hash', 'in', keyHashes);
      return (db.dialect === 'postgres' ? query.forUpdate('delivered_keys') : query).executeTakeFirst();
    },

    /** Licenses of one order, for the owner. */
    findLicensesOfOrder(orderId: string, tx: Executor = db.kysely) {
      return licenses(tx)
        .where('order_items.order_id', '=', orderId)
        .orderBy('delivered_keys.order_item_id')
        .orderBy('delivered_keys.unit_index')
        .execute();
    },

    /** Licenses whose key hash starts with a (hex, so LIKE-safe) prefix, for the owner. */
    findLicensesByHashPrefix(prefix: string, limit: number, tx: Executor = db.kysely) {
      return licenses(tx).where('delivered_keys.key_hash', 'like', `${prefix}%`).orderBy('delivered_keys.id').limit(limit).execute();
    },

    /** Activation limits of delivered keys by id (their products' current limits). */
    findLimits(deliveredKeyIds: number[], tx: Executor = db.kysely) {
      if (deliveredKeyIds.length === 0) return Promise.resolve([]);
      return licenses(tx).where('delivered_keys.id', 'in', deliveredKeyIds).execute();
    },

    /** Active instances of keys, oldest first. */
    findActiveInstances(deliveredKeyIds: number[], tx: Executor = db.kysely) {
      if (deliveredKeyIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('license_activations')
        .select(['delivered_key_id', 'instance_id', 'instance_name', 'created_at'])
        .where('delivered_key_id', 'in', deliveredKeyIds)
        .where('deactivated_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },

    /** Every instance of keys, deactivated ones included, oldest first (the owner's history). */
    findInstances(deliveredKeyIds: number[], tx: Executor = db.kysely) {
      if (deliveredKeyIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('license_activations')
        .select(['delivered_key_id', 'instance_id', 'instance_name', 'created_at', 'deactivated_at'])
        .where('delivered_key_id', 'in', deliveredKeyIds)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
    },

    async insertActivation(row: NewActivation, tx: Executor) {
      await tx.insertInto('license_activations').values(row).execute();
    },

    /** Deactivates an active instance of one of the given keys; false when there is none. */
    async deactivate(deliveredKeyIds: number[], instanceId: string, now: number, tx: Executor = db.kysely): Promise<boolean> {
      const result = await tx
        .updateTable('license_activations')
        .set({ deactivated_at: now })
        .where('delivered_key_id', 'in', deliveredKeyIds.length > 0 ? deliveredKeyIds : [0])
        .where('instance_id', '=', instanceId)
        .where('deactivated_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Deactivates an active instance whatever its key (the owner's command); its row, or undefined. */
    deactivateById(instanceId: string, now: number, tx: Executor = db.kysely) {
      return tx
        .updateTable('license_activations')
        .set({ deactivated_at: now })
        .where('instance_id', '=', instanceId)
        .where('deactivated_at', 'is', null)
        .returning(['delivered_key_id', 'instance_id', 'instance_name', 'created_at'])
        .executeTakeFirst();
    },
  };
}

export type LicensesRepo = ReturnType<typeof createLicensesRepo>;
export type LicenseRow = NonNullable<Awaited<ReturnType<LicensesRepo['findLicenseByHash']>>>;
