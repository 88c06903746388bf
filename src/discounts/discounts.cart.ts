import type { CartDiscount, CartDiscounts } from '../cart/cart.discount.js';
import type { Cart } from '../cart/cart.service.js';
import { isDiscountError } from './discount.rules.js';
import type { DiscountsService } from './discounts.service.js';

/** The lines a code is checked against: those that can be bought, in the cart's currency. */
function priced(cart: Cart) {
  const index: number[] = [];
  const lines = cart.lines.flatMap((l, i) =>
    l.problem === null && l.currency === cart.currency
      ? (index.push(i), [{ productId: l.productId, unitPrice: l.unitPrice, quantity: l.quantity }])
      : [],
  );
  return { index, lines, currency: cart.currency ?? 'EUR' };
}

/** The cart's side of discount codes (src/cart/cart.discount.ts), from the discounts service. */
export function createCartDiscounts(
  discounts: Pick<DiscountsService, 'quote' | 'applyToCart' | 'removeFromCart' | 'cartCode'>,
  clock = Date.now,
): CartDiscounts {
  const view = (cart: Cart, code: string, index: number[], perLine: number[]): CartDiscount => {
    const all = cart.lines.map(() => 0);
    index.forEach((at, i) => (all[at] = perLine[i] ?? 0));
    const total = all.reduce((s, d) => s + d, 0);
    return { code, applied: true, perLine: all, total, totalAfter: cart.total - total };
  };

  return {
    async show(ownerId, buyerSub, cart) {
      // The cart read its code with its lines (cart.repo's findLinesWithCode): no query without one.
      const code = cart.code ?? null;
      if (!code || cart.lines.length === 0) return null;
      const { index, lines, currency } = priced(cart);
      try {
        const q = await discounts.quote(code, { userSub: buyerSub, currency, lines, at: clock() });
        return view(cart, q.code, index, q.perLine);
      } catch (err) {
        if (!isDiscountError(err)) throw err;
        return { code, applied: false, error: { code: err.code, message: err.message } };
      }
    },

    async apply(ownerId, buyerSub, code, cart) {
      const { index, lines, currency } = priced(cart);
      const q = await discounts.applyToCart(ownerId, code, { userSub: buyerSub, currency, lines });
      return view(cart, q.code, index, q.perLine);
    },

    async explain(buyerSub, code, cart) {
      const { lines, currency } = priced(cart);
      try {
        await discounts.quote(code, { userSub: buyerSub, currency, lines, at: clock() });
        return null;
      } catch (err) {
        if (!isDiscountError(err)) throw err;
        return err.message;
      }
    },

    remove: (ownerId) => discounts.removeFromCart(ownerId),
    isRefusal: isDiscountError,
  };
}
