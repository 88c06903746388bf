import type { CheckoutDiscounts, CheckoutTax } from '../../src/checkout/checkout.types.js';
import type { Database } from '../../src/platform/db/db.js';
import { ConflictError, ValidationError } from '../../src/platform/errors.js';

/**
 * Stand-ins for the tax and discounts domains behind checkout's contracts (checkout.types.ts), for
 * checkout's tests: tax from the tax_rates table (migration 021's EU rates), the reverse charge for
 * a VAT ID of another EU country; codes in memory with a percentage off, switched off or used up at will.
 */
export function tableTax(db: () => Database, options: { sellerCountry?: string; pricesIncludeTax: boolean }): CheckoutTax {
  const sellerCountry = options.sellerCountry ?? 'DE';
  return {
    // Read on each use: a test switches between inclusive and exclusive prices.
    get pricesIncludeTax() {
      return options.pricesIncludeTax;
    },
    async assess(billing, categories, at) {
      const rows = await db()
        .kysely.selectFrom('tax_rates')
        .select(['category', 'rate_bp', 'valid_from'])
        .where('country', '=', billing.country)
        .where('valid_from', '<=', at)
        .orderBy('valid_from')
        .execute();
      const rates = Object.fromEntries(categories.map((c) => [c, rows.filter((r) => r.category === c).at(-1)?.rate_bp ?? 0]));
      const inEu = rows.length > 0;
      if (billing.vatId && !billing.vatId.startsWith(billing.country === 'GR' ? 'EL' : billing.country))
        throw new ValidationError('This VAT ID is not one of the billing country.', { field: 'vatId' }, 'vat_id_invalid');
      return { rates, reverseCharge: inEu && !!billing.vatId && billing.country !== sellerCountry };
    },
  };
}

export interface MemoryCode {
  percent: number;
  /** false: the code ended (quote refuses it) */
  valid: boolean;
  /** redemptions left (redeem refuses the last one gone) */
  usesLeft: number;
  redeemed: string[];
}

/** Codes in memory; a cart carries one in its table (cart_discounts), read by checkout with the cart's lines. */
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
