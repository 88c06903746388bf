import { DEFAULT_LOW_STOCK } from '../fulfilment/key-pool.service.js';
import type { ProductType } from '../platform/db/schema.js';
import type { ShownStock } from '../platform/page-cache.js';

/** How many of a product a buyer can put in the cart at once. */
export const MAX_QUANTITY = 10;
/** At or below this many keys left, the page says "Only N left". */
export const LOW_STOCK = DEFAULT_LOW_STOCK;

export interface StockState {
  /** CSS hook and meaning: `in-stock`, `low-stock` or `sold-out`. */
  state: 'in-stock' | 'low-stock' | 'sold-out';
  label: string;
  /** Keys left for key_lim; null when unlimited (key, file). */
  available: number | null;
  /** Largest quantity the add-to-cart form offers (0 when sold out). */
  maxQuantity: number;
}

/** What the shop shows about availability: key_lim counts its pool, key and file never run out. */
export function stockState(type: ProductType, available: number | undefined): StockState {
  if (type !== 'key_lim') return { state: 'in-stock', label: 'In stock', available: null, maxQuantity: MAX_QUANTITY };
  const n = Math.max(0, available ?? 0);
  if (n === 0) return { state: 'sold-out', label: 'Sold out', available: 0, maxQuantity: 0 };
  const maxQuantity = Math.min(n, MAX_QUANTITY);
  return n <= LOW_STOCK
    ? { state: 'low-stock', label: `Only ${n} left`, available: n, maxQuantity }
    : { state: 'in-stock', label: 'In stock', available: n, maxQuantity };
}

/** What a page shows of a pool's stock, as one string: a kept page is shown again only while the pools still say the same. */
export const shownStockLabel = (stock: StockState): string => `${stock.label}|${stock.maxQuantity}`;

/** The stock these products' page shows (their pools'; other products never run out). */
export function shownStockOf(items: readonly { product: { id: number; type: ProductType }; stock: StockState }[]): ShownStock {
  const limited = items.filter((i) => i.product.type === 'key_lim');
  return { ids: limited.map((i) => i.product.id), shown: limited.map((i) => shownStockLabel(i.stock)) };
}
