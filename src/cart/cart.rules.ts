import type { CartProduct } from '../catalog/catalog.service.js';
import { LOW_STOCK, MAX_QUANTITY } from '../catalog/stock.js';

/** Most units of one product a cart line may hold: the same bound the product page's quantity field offers. */
export const MAX_LINE_QUANTITY = MAX_QUANTITY;

export type StockStateCode = 'in_stock' | 'low' | 'sold_out' | 'unlimited' | 'unavailable';
export interface LineStock {
  state: StockStateCode;
  /** Keys left, for key_lim products that are still for sale. */
  available?: number;
}
/** Why a line cannot be bought as it is. */
export type LineProblem = 'unavailable' | 'sold_out' | 'exceeds_stock' | 'currency_mismatch';

/** A stored cart line. */
export interface StoredLine {
  productId: number;
  quantity: number;
  addedAt: number;
}

/**
 * A quantity from a form field or JSON value: a whole number from 1 (0 too when `allowZero`, which
 * means "remove") to MAX_LINE_QUANTITY; anything else is null. Decimal digits only, so "1e1",
 * "0x5", "1.0" and " " are refused rather than coerced.
 */
export function parseQuantity(raw: unknown, { allowZero = false } = {}): number | null {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && /^\s*\d{1,6}\s*$/.test(raw)) n = Number(raw);
  else return null;
  if (!Number.isSafeInteger(n) || n < (allowZero ? 0 : 1) || n > MAX_LINE_QUANTITY) return null;
  return n;
}

/** The most units a line of this product may hold right now (0 when sold out). */
export function lineLimit(product: CartProduct): number {
  return product.available === null ? MAX_LINE_QUANTITY : Math.min(MAX_LINE_QUANTITY, product.available);
}

/** Availability as the cart reports it: archived or draft products are `unavailable`. */
export function lineStock(product: CartProduct): LineStock {
  if (product.status !== 'active') return { state: 'unavailable' };
  if (product.available === null) return { state: 'unlimited' };
  const available = Math.max(0, product.available);
  if (available === 0) return { state: 'sold_out', available };
  return { state: available <= LOW_STOCK ? 'low' : 'in_stock', available };
}

/** What stops a line from being bought, most serious first; null when nothing does. */
export function lineProblem(product: CartProduct, quantity: number, cartCurrency: string | null): LineProblem | null {
  if (product.status !== 'active') return 'unavailable';
  if (product.available !== null && product.available <= 0) return 'sold_out';
  if (product.available !== null && quantity > product.available) return 'exceeds_stock';
  if (cartCurrency !== null && product.currency !== cartCurrency) return 'currency_mismatch';
  return null;
}

/**
 * The cart's currency: that of the earliest line whose product is for sale (lines are in the
 * order they were added), so one odd line cannot flip the whole cart; null when none is.
 */
export function cartCurrency(lines: StoredLine[], products: Map<number, CartProduct>, skipProductId?: number): string | null {
  for (const line of lines) {
    const p = products.get(line.productId);
    if (p && p.status === 'active' && p.id !== skipProductId) return p.currency;
  }
  return null;
}

export interface CappedLine {
  sku: string;
  name: string;
  /** units in the user's cart plus the visitor's */
  requested: number;
  kept: number;
  reason: 'quantity_max' | 'stock';
}

/**
 * How a visitor's cart joins the user's at login: quantities of the same product add up, capped by
 * the quantity maximum and (key_lim) the keys left. Nothing is dropped silently: a line is never
 * lowered below what the user's cart already held nor below 1 (a sold-out line stays, marked, for
 * the user to remove), and every cap is reported.
 */
export function planMerge(guest: StoredLine[], user: StoredLine[], products: Map<number, CartProduct>) {
  const held = new Map(user.map((l) => [l.productId, l]));
  const writes: StoredLine[] = [];
  const capped: CappedLine[] = [];
  for (const g of guest) {
    const product = products.get(g.productId);
    if (!product) continue; // deleted since: its line went with it (foreign key cascade)
    const existing = held.get(g.productId);
    const had = existing?.quantity ?? 0;
    const requested = had + g.quantity;
    const stock = product.status === 'active' && product.available !== null ? Math.max(0, product.available) : Infinity;
    const kept = Math.max(Math.min(requested, MAX_LINE_QUANTITY, stock), had, 1);
    if (kept < requested)
      capped.push({
        sku: product.sku,
        name: product.name,
        requested,
        kept,
        reason: stock < Math.min(requested, MAX_LINE_QUANTITY) ? 'stock' : 'quantity_max',
      });
    writes.push({ productId: g.productId, quantity: kept, addedAt: existing?.addedAt ?? g.addedAt });
  }
  return { writes, capped };
}
