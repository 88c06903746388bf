import type { AppError } from '../platform/errors.js';
import type { Cart } from './cart.service.js';

/** The cart's code as the page and the API show it: what it takes off each line, or why it does not apply. */
export type CartDiscount =
  | { code: string; applied: true; /** minor units, in cart line order */ perLine: number[]; total: number; totalAfter: number }
  | { code: string; applied: false; error: { code: string; message: string } };

/**
 * What the cart asks of the discounts domain (built in app.ts from the discounts service, so the
 * cart knows no discount rules). `buyerSub` is the user's subject, or the guest owner id.
 */
export interface CartDiscounts {
  /** the code the cart carries, priced against the cart now; null when it carries none */
  show(ownerId: string, buyerSub: string, cart: Cart): Promise<CartDiscount | null>;
  /** checks `code` against the cart and keeps it; throws the refusal (an AppError with a `discount_*` code) */
  apply(ownerId: string, buyerSub: string, code: string, cart: Cart): Promise<CartDiscount>;
  /** why `code` does not apply to the cart now (after a refused form post), or null when it does */
  explain(buyerSub: string, code: string, cart: Cart): Promise<string | null>;
  remove(ownerId: string): Promise<void>;
  isRefusal(err: unknown): err is AppError;
}

/** Fixed texts for a refusal named in /cart's query string (when it cannot be explained again). */
export const DISCOUNT_NOTICES: Record<string, string> = {
  discount_unknown: 'That discount code is not valid.',
  discount_not_started: 'That discount code is not valid yet.',
  discount_expired: 'That discount code has expired.',
  discount_exhausted: 'That discount code has been used up.',
  discount_used_by_you: 'You have already used that discount code.',
  discount_not_applicable: 'That discount code does not apply to your cart.',
  discount_minimum: 'Your cart is below that discount code’s minimum.',
  discount_missing: 'Please enter a discount code.',
};

/** The code as the redirect may carry it: letters, digits, dashes and underscores only. */
export const cleanCode = (raw: string | undefined) => (raw && /^[A-Za-z0-9_-]{1,60}$/.test(raw.trim()) ? raw.trim() : null);

/** The discount in the JSON cart: null without a code. */
export function discountJson(d: CartDiscount | null) {
  if (!d) return null;
  return d.applied
    ? { code: d.code, applied: true, perLine: d.perLine, total: d.total, totalAfter: d.totalAfter, error: null }
    : { code: d.code, applied: false, perLine: null, total: 0, totalAfter: null, error: d.error };
}
