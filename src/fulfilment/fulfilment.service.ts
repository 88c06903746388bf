import type { SecretBox } from '../platform/crypto.js';
import type { Database, Executor } from '../platform/db/db.js';
import type { ProductType } from '../platform/db/schema.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import { createFulfilmentRepo, type NewDeliveredKey } from './fulfilment.repo.js';
import type { KeyPoolService } from './key-pool.service.js';
import { applyGrantEvent, judgeGrant, type GrantEvent, type GrantState, type GrantVerdict } from './download-state.js';
import type { KeySigner } from './signed-key.js';

const DAY = 86_400_000;

/** One grant after the owner's reset or extension: `changed`, or why the rules refused (e.g. `revoked`). */
export interface GrantAdjustment {
  itemId: number;
  unit: number;
  outcome: 'changed' | GrantVerdict | 'not_later';
  downloadsUsed: number;
  downloadLimit: number;
  expiresAt: number;
}

/** What fulfilment needs of an order item: the snapshot taken at checkout. */
export interface DeliverableItem {
  id: number;
  product_id: number;
  sku: string;
  type: ProductType;
  quantity: number;
  /** null: the store's defaults */
  download_limit: number | null;
  access_days: number | null;
}

export interface FulfilmentDeps {
  db: Database;
  keyPool: KeyPoolService;
  signer: KeySigner;
  secrets: SecretBox;
  clock?: () => number;
  defaults: { downloadLimit: number; accessDays: number };
}

/** Delivers what a paid order bought and revokes what a refund takes back. */
export function createFulfilmentService({ db, keyPool, signer, secrets, clock = Date.now, defaults }: FulfilmentDeps) {
  const repo = createFulfilmentRepo(db);
  return {
    /**
     * Inside the paying transaction: pool keys (reserved at checkout, or taken now for a late
     * payment), freshly signed keys, and download grants, one per unit. Returns false, having taken
     * nothing, when the pool no longer holds enough keys; the database's unique constraints make a
     * second delivery of the same units fail rather than double up.
     */
    async deliverOrder(tx: Executor, orderId: string, items: DeliverableItem[]): Promise<boolean> {
      const now = clock();
      const poolItems = items.filter((i) => i.type === 'key_lim');
      // A payment that arrives after its reservation was released must take keys afresh. Only key_lim
      // items ever hold pool keys: an order without one asks the pool nothing.
      const held = poolItems.length > 0 ? await keyPool.countReserved(orderId, tx) : new Map<number, number>();
      try {
        for (const item of poolItems) {
          const missing = item.quantity - (held.get(item.product_id) ?? 0);
          if (missing > 0) await keyPool.reserveKeys(tx, { productId: item.product_id, orderId, quantity: missing, until: now });
        }
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'out_of_stock')) throw err;
        await keyPool.releaseReservation(orderId, tx);
        return false;
      }
      const byProduct = Map.groupBy(poolItems.length > 0 ? await keyPool.sellReserved(orderId, tx) : [], (k) => k.productId);
      // One order item per product (the cart holds a product once), so grouping by product is exact.
      const keys: NewDeliveredKey[] = poolItems.flatMap((item) =>
        (byProduct.get(item.product_id) ?? []).map((k, unit) => ({
          order_item_id: item.id,
          unit_index: unit,
          license_key_id: k.licenseKeyId,
          key_encrypted: secrets.seal(k.key),
          key_hash: k.keyHash,
          created_at: now,
        })),
      );
      for (const item of items.filter((i) => i.type === 'key')) {
        for (let unit = 0; unit < item.quantity; unit++) {
          const key = signer.issue(item.sku, now);
          keys.push({
            order_item_id: item.id,
            unit_index: unit,
            license_key_id: null,
            key_encrypted: secrets.seal(key),
            key_hash: secrets.hash(key),
            created_at: now,
          });
        }
      }
      await repo.insertDeliveredKeys(keys, tx);
      const grants = items
        .filter((i) => i.type === 'file')
        .flatMap((item) => {
          const limit = item.download_limit ?? defaults.downloadLimit;
          const expiresAt = now + (item.access_days ?? defaults.accessDays) * DAY;
          return Array.from({ length: item.quantity }, (_, unit) => ({
            order_item_id: item.id,
            unit_index: unit,
            product_id: item.product_id,
            download_limit: limit,
            expires_at: expiresAt,
            created_at: now,
          }));
        });
      await repo.insertGrants(grants, tx);
      return true;
    },

    /** Revokes `units` units of an item: their keys (a pool key never returns to the pool) and grants. */
    async revokeUnits(tx: Executor, itemId: number, units: number): Promise<void> {
      const poolKeys = await repo.revokeUnits(itemId, units, tx);
      await keyPool.revokeKeys(poolKeys, tx);
    },

    /**
     * A delivered key in clear, for the order's owner (the caller has checked ownership). Each
     * reveal is logged; a refunded unit's key is never shown again.
     */
    async revealKey(itemId: number, unit: number, viewer: { sub: string; ip: string }): Promise<string> {
      const key = await repo.findDeliveredKey(itemId, unit);
      if (!key) throw new NotFoundError('There is no such license key in this order.', 'key_not_found');
      if (key.status !== 'active') throw new AppError('key_revoked', 'This license key was refunded and can no longer be used.', 410);
      await db.transaction((tx) => repo.recordReveal(key.id, viewer.sub, viewer.ip, clock(), tx));
      return secrets.open(key.key_encrypted);
    },

    /**
     * The owner resets an order's download grants (downloads back to zero) or extends them (`days`
     * more from their expiry, or from now if it has passed), through the grant rules in one
     * transaction: revoked grants are left as they are and reported. `then` runs in that transaction
     * with the grants before and after (the admin's audit row).
     */
    async adjustGrants(
      itemIds: number[],
      change: { type: 'reset' } | { type: 'extend'; days: number },
      then?: (tx: Executor, results: GrantAdjustment[], before: GrantAdjustment[]) => Promise<void>,
    ): Promise<GrantAdjustment[]> {
      const now = clock();
      return db.transaction(async (tx) => {
        const results: GrantAdjustment[] = [];
        const before: GrantAdjustment[] = [];
        for (const g of await repo.findGrants(itemIds, tx)) {
          const state: GrantState = {
            status: g.status,
            downloadsUsed: g.downloads_used,
            downloadLimit: g.download_limit,
            expiresAt: g.expires_at,
          };
          const event: GrantEvent =
            change.type === 'reset' ? change : { type: 'extend', expiresAt: Math.max(g.expires_at, now) + change.days * DAY };
          const step = applyGrantEvent(state, event, now);
          if (step.ok) await repo.updateGrant(g.id, { downloads_used: step.next.downloadsUsed, expires_at: step.next.expiresAt }, tx);
          const after = step.ok ? step.next : state;
          before.push({
            itemId: g.order_item_id,
            unit: g.unit_index,
            outcome: judgeGrant(state, now),
            downloadsUsed: state.downloadsUsed,
            downloadLimit: state.downloadLimit,
            expiresAt: state.expiresAt,
          });
          results.push({
            itemId: g.order_item_id,
            unit: g.unit_index,
            outcome: step.ok ? 'changed' : step.reason,
            downloadsUsed: after.downloadsUsed,
            downloadLimit: after.downloadLimit,
            expiresAt: after.expiresAt,
          });
        }
        await then?.(tx, results, before);
        return results;
      });
    },

    /**
     * The keys among `keys` that their buyer already revealed (logged once, when first asked), in
     * clear by delivered key id: a revealed key stays on the order page, so Reload and Back need no
     * second request. Refunded keys are never opened again.
     */
    openRevealedKeys(keys: ReadonlyArray<{ id: number; status: string; revealed_at: number | null; key_encrypted: string }>) {
      return new Map(keys.filter((k) => k.status === 'active' && k.revealed_at !== null).map((k) => [k.id, secrets.open(k.key_encrypted)]));
    },

    /**
     * The active keys of an order's items in clear, inside the paying transaction, for the receipt
     * mail when the owner chose to mail keys (MAIL_INCLUDE_KEYS); the order page stays their record.
     */
    async keysForMail(tx: Executor, itemIds: number[]): Promise<{ itemId: number; unit: number; key: string }[]> {
      const keys = await repo.findDeliveredKeys(itemIds, tx);
      return keys
        .filter((k) => k.status === 'active')
        .map((k) => ({ itemId: k.order_item_id, unit: k.unit_index, key: secrets.open(k.key_encrypted) }));
    },

    /** Delivered keys and grants of an order's items, for its page. */
    async findDeliveries(itemIds: number[]) {
      const [keys, grants] = await Promise.all([repo.findDeliveredKeys(itemIds), repo.findGrants(itemIds)]);
      return { keys, grants };
    },
  };
}

export type FulfilmentService = ReturnType<typeof createFulfilmentService>;
