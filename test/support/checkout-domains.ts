import type { CheckoutDiscounts } from '../../src/checkout/checkout.types.js';
import type { Database } from '../../src/platform/db/db.js';
import { ConflictError } from '../../src/platform/errors.js';

/** A code of `memoryDiscounts`, whose state a test may change. */
export interface MemoryCode {
  percent: number;
  /** false: the code ended (quote refuses it) */
  valid: boolean;
  /** redemptions left (redeem refuses the last one gone) */
  usesLeft: number;
  redeemed: string[];
}

/**
 * A stand-in for the discounts domain behind checkout's contract (checkout.types.ts): codes in memory
 * with a percentage off, switched off or used up at will; a cart carries one in its table
 * (cart_discounts), read by checkout with the cart's lines.
 */
export function memoryDiscounts(db: () => Database) {
  const codes = new Map<string, MemoryCode & { id: number }>();
  const discounts: CheckoutDiscounts = {
    quote(code, { lines }) {
      const c = codes.get(code);
      if (!c || !c.valid) return Promise.reject(new ConflictError('discount_expired', 'It has ended.'));
      return Promise.resolve({
        codeId: c.id,
        code,
        perLine: lines.map((l) => Math.round((l.unitPrice * l.quantity * c.percent) / 100)),
      });
    },
    redeem(_tx, { codeId, orderId }) {
      const c = [...codes.values()].find((x) => x.id === codeId)!;
      if (c.usesLeft <= 0) return Promise.reject(new ConflictError('discount_exhausted', 'The code was used up a moment ago.'));
      c.usesLeft--;
      c.redeemed.push(orderId);
      return Promise.resolve();
    },
    retake: () => Promise.resolve(),
  };
  return {
    discounts,
    /** Adds a code and returns its state, which the test may change. */
    add(code: string, percent: number, usesLeft = 100): MemoryCode {
      const c = { id: codes.size + 1, percent, valid: true, usesLeft, redeemed: [] as string[] };
      codes.set(code, c);
      return c;
    },
    applyToCart: (ownerSub: string, code: string) =>
      db()
        .kysely.insertInto('cart_discounts')
        .values({ owner_id: ownerSub, code, added_at: Date.now() })
        .onConflict((oc) => oc.column('owner_id').doUpdateSet({ code }))
        .execute(),
  };
}
