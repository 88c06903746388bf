import type { Database, Executor } from '../platform/db/db.js';
import type { SecretBox } from '../platform/crypto.js';
import type { LicenseKeyStatus } from '../platform/db/schema.js';
import type { LoadingCache } from '../platform/cache.js';
import { ConflictError, ValidationError } from '../platform/errors.js';
import type { MailSettings } from '../platform/mail/mail-blocks.js';
import type { MailService } from '../platform/mail/mail.service.js';
import { createKeyPoolRepo } from './key-pool.repo.js';
import { lowStockMail } from './low-stock-mail.js';

/** The longest key a pool accepts. */
export const MAX_KEY_LENGTH = 500;
/** A key_lim product without its own threshold is low at this many available keys or fewer. */
export const DEFAULT_LOW_STOCK = 5;
/** The largest low-stock threshold the owner may set. */
export const MAX_LOW_STOCK = 100_000;

/** Where the low-stock mail goes: the shop owner's address, through the outbox. */
export interface LowStockAlerts {
  mail: Pick<MailService, 'enqueue'>;
  to: string;
  settings: MailSettings;
}

/** How many keys of a pool are in each state. */
export type PoolCounts = Record<LicenseKeyStatus, number>;

/** Finite key pools for key_lim products: import (encrypted, never duplicated) and stock counts. */
export function createKeyPoolService({
  db,
  secrets,
  clock = Date.now,
  shownStock,
  alerts,
}: {
  db: Database;
  secrets: SecretBox;
  clock?: () => number;
  /** The owner's low-stock mail; without it (tools, seeding) the crossing is still recorded, no mail is queued. */
  alerts?: LowStockAlerts;
  /** The counts catalog pages show, by product (src/caches.ts); without it they are counted every time. */
  shownStock?: LoadingCache<number, number>;
}) {
  const repo = createKeyPoolRepo(db);
  // Dropped when the change is made, inside its transaction: a page read before the commit may keep
  // the old count, for one TTL at most.
  const changed = <T>(result: T): T => (shownStock?.clear(), result);
  return {
    /**
     * Adds keys to a product's pool, all or nothing: a blank or over-long key, or one repeated
     * within the input or already in any pool, refuses the whole import and names the culprits.
     */
    async importKeys(productId: number, rawKeys: string[], tx?: Executor): Promise<{ added: number }> {
      const keys = rawKeys.map((k) => k.trim());
      const invalid = keys.flatMap((k, i) => (k.length === 0 || k.length > MAX_KEY_LENGTH ? [i + 1] : []));
      if (invalid.length > 0)
        throw new ValidationError(`Keys must be 1 to ${MAX_KEY_LENGTH} characters (entries ${invalid.slice(0, 20).join(', ')}).`, {
          entries: invalid,
        });
      const seen = new Set<string>();
      const repeated = keys.filter((k) => (seen.has(k) ? true : (seen.add(k), false)));
      if (repeated.length > 0)
        throw new ConflictError('duplicate_keys', `${repeated.length} keys appear more than once in the input.`, {
          duplicates: repeated.slice(0, 20),
        });
      const hashed = keys.map((k) => ({ key: k, hash: secrets.hash(k) }));
      const run = async (t: Executor) => {
        const existing = await repo.findExistingHashes(
          hashed.map((h) => h.hash),
          t,
        );
        if (existing.size > 0) {
          const dupes = hashed.filter((h) => existing.has(h.hash)).map((h) => h.key);
          throw new ConflictError('duplicate_keys', `${dupes.length} keys are already in a pool.`, { duplicates: dupes.slice(0, 20) });
        }
        const now = clock();
        await repo.insertKeys(
          hashed.map((h) => ({ product_id: productId, key_encrypted: secrets.seal(h.key), key_hash: h.hash, created_at: now })),
          t,
        );
        await repo.rearmLowStock([productId], DEFAULT_LOW_STOCK, t);
        return changed({ added: keys.length });
      };
      return tx ? run(tx) : db.transaction(run);
    },

    /** Which of these keys are already in a pool (any product, any status): for reporting an import's duplicates. */
    async findKeysInPools(rawKeys: string[], tx?: Executor): Promise<Set<string>> {
      const hashed = rawKeys.map((k) => ({ key: k.trim(), hash: secrets.hash(k.trim()) }));
      const existing = await repo.findExistingHashes(
        hashed.map((h) => h.hash),
        tx,
      );
      return new Set(hashed.filter((h) => existing.has(h.hash)).map((h) => h.key));
    },

    /**
     * Reserves `quantity` keys of a product for an order inside the checkout's transaction; throws
     * `out_of_stock` (and the caller's transaction rolls back) when fewer are left. A reservation
     * that leaves the pool at or below its threshold queues the owner's low-stock mail, once.
     */
    async reserveKeys(
      tx: Executor,
      input: { productId: number; orderId: string; quantity: number; until: number; name?: string },
    ): Promise<number[]> {
      const { ids, glance } = await repo.reserveKeys(input.productId, input.orderId, input.quantity, input.until, DEFAULT_LOW_STOCK, tx);
      changed(ids);
      if (ids.length < input.quantity) {
        const what = input.name ? `“${input.name}”` : 'This product';
        throw new ConflictError('out_of_stock', ids.length === 0 ? `${what} is sold out.` : `Only ${ids.length} of ${what} left.`, {
          productId: input.productId,
          available: ids.length,
        });
      }
      const left = glance ? glance.seen - ids.length : null;
      if (glance?.armed && left !== null && left <= glance.threshold) {
        const product = await repo.disarmLowStock(input.productId, clock(), tx);
        if (product && alerts)
          await alerts.mail.enqueue(
            lowStockMail(alerts.to, { ...product, available: left, threshold: glance.threshold }, alerts.settings),
            tx,
          );
      }
      return ids;
    },

    /** Returns an order's reserved keys to the pool (failed, cancelled or expired order); re-arms the low-stock mail above the threshold. */
    async releaseReservation(orderId: string, tx?: Executor): Promise<number> {
      const products = await repo.releaseReservation(orderId, tx);
      await repo.rearmLowStock([...new Set(products)], DEFAULT_LOW_STOCK, tx);
      return changed(products.length);
    },

    /** A product's low-stock threshold (its own, or null for the default) and the one in force. */
    async getLowStockSettings(productId: number, tx?: Executor) {
      const row = await repo.findLowStockSettings(productId, tx);
      const own = row?.low_stock_threshold ?? null;
      return { own, threshold: own ?? DEFAULT_LOW_STOCK, shopDefault: DEFAULT_LOW_STOCK, notifiedAt: row?.low_stock_notified_at ?? null };
    },

    /** Sets a product's threshold (null: the default); the mail is armed again when the pool is above the new one. */
    async setLowStockThreshold(productId: number, threshold: number | null, tx: Executor): Promise<void> {
      if (threshold !== null && !(Number.isInteger(threshold) && threshold >= 0 && threshold <= MAX_LOW_STOCK))
        throw new ValidationError(`The threshold must be a whole number from 0 to ${MAX_LOW_STOCK}.`, undefined, 'invalid_threshold');
      await repo.updateLowStockThreshold(productId, threshold, tx);
      await repo.rearmLowStock([productId], DEFAULT_LOW_STOCK, tx);
    },

    /** Keys an order holds reserved, per product. */
    countReserved(orderId: string, tx: Executor): Promise<Map<number, number>> {
      return repo.countReserved(orderId, tx);
    },

    /** Turns an order's reserved keys into sold ones and hands them over, decrypted, for delivery. */
    async sellReserved(orderId: string, tx: Executor) {
      const rows = await repo.markSold(orderId, clock(), tx);
      return rows.map((r) => ({ licenseKeyId: r.id, productId: r.product_id, key: secrets.open(r.key_encrypted), keyHash: r.key_hash }));
    },

    /** Refunded keys leave the pool for good: a revoked key is never sold again. */
    revokeKeys(keyIds: number[], tx: Executor): Promise<void> {
      return repo.markRevoked(keyIds, tx);
    },

    /** Pool counts per product by key status (all four, zeros included), in one query. */
    async countByStatus(productIds: number[]): Promise<Map<number, PoolCounts>> {
      const counts = new Map<number, PoolCounts>(productIds.map((id) => [id, { available: 0, reserved: 0, sold: 0, revoked: 0 }]));
      for (const row of await repo.countByStatus(productIds)) counts.get(row.product_id)![row.status] = Number(row.n);
      return counts;
    },

    /** Active key_lim products at or below their own threshold (or the default), fewest first. */
    findLowPools: (limit = 20) => repo.findLowPools(DEFAULT_LOW_STOCK, limit),

    /** Unsold, unreserved keys per product (products without a pool count 0). */
    countAvailable(productIds: number[]): Promise<Map<number, number>> {
      return repo.countAvailable(productIds);
    },

    /**
     * The counts catalog pages show, kept for a moment: changes made here are seen at once, changes
     * by another instance within the cache's TTL. Cart and checkout count with countAvailable.
     */
    async countAvailableShown(productIds: readonly number[]): Promise<Map<number, number>> {
      if (!shownStock) return repo.countAvailable([...productIds]);
      const counts = await shownStock.getAll(productIds, (ids) => repo.countAvailable([...ids]), 0);
      return new Map(productIds.map((id, i) => [id, counts[i]!]));
    },
  };
}

export type KeyPoolService = ReturnType<typeof createKeyPoolService>;
