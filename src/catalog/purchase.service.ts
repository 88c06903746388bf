import type { Database, Executor } from '../platform/db/db.js';
import type { ProductType } from '../platform/db/schema.js';
import { createPurchaseRepo } from './purchase.repo.js';

export interface PurchasableProduct {
  id: number;
  sku: string;
  name: string;
  type: ProductType;
  /** only `active` products can be bought */
  active: boolean;
  price: number;
  currency: string;
  downloadLimit: number | null;
  accessDays: number | null;
  activationLimit: number | null;
  /** which of the buyer's country's rates applies ('standard' unless the owner chose another) */
  taxCategory: string;
}

/** Catalog facts for carts and checkout: current prices, types and delivery terms by product id. */
export function createPurchaseService({ db }: { db: Database }) {
  const repo = createPurchaseRepo(db);
  return {
    /** Products by id (missing ids are absent from the map), read inside the caller's transaction if given. */
    async findProducts(ids: number[], tx?: Executor): Promise<Map<number, PurchasableProduct>> {
      const rows = await repo.findProducts([...new Set(ids)], tx);
      return new Map(
        rows.map((r) => [
          r.id,
          {
            id: r.id,
            sku: r.sku,
            name: r.name,
            type: r.type,
            active: r.status === 'active',
            price: r.price,
            currency: r.currency,
            downloadLimit: r.download_limit,
            accessDays: r.access_days,
            activationLimit: r.activation_limit,
            taxCategory: r.tax_category,
          },
        ]),
      );
    },
  };
}

export type PurchaseService = ReturnType<typeof createPurchaseService>;
