import type { AppError } from '../platform/errors.js';
import { formatMoney } from '../platform/money.js';
import type { CartErrorCode } from './cart.errors.js';
import { MAX_LINE_QUANTITY } from './cart.rules.js';
import type { Cart, CartLine } from './cart.service.js';

/** The warning a line shows under its name (the page and the JSON API say the same); null when all is well. */
export function lineWarning(line: CartLine, cartCurrency: string | null): string | null {
  switch (line.problem) {
    case 'unavailable':
      return 'No longer available — remove it to check out.';
    case 'sold_out':
      return 'Sold out — remove it to check out.';
    case 'exceeds_stock':
      return `Only ${line.stock.available} left — lower the quantity to check out.`;
    case 'currency_mismatch':
      return `Priced in ${line.currency}, the rest of your cart in ${cartCurrency} — remove it to check out.`;
    default:
      return line.stock.state === 'low' ? `Only ${line.stock.available} left` : null;
  }
}

/** The JSON API's answer: the whole cart as it is now. */
export function cartJson(cart: Cart) {
  return {
    items: cart.lines.map((l) => ({
      sku: l.sku,
      name: l.name,
      type: l.type,
      unitPrice: l.unitPrice,
      quantity: l.quantity,
      lineTotal: l.lineTotal,
      stock: l.stock,
      url: `/${l.sku}`,
      currency: l.currency,
      formattedUnitPrice: formatMoney(l.unitPrice, l.currency),
      formattedLineTotal: formatMoney(l.lineTotal, l.currency),
      /** why this line cannot be bought as it is: unavailable, sold_out, exceeds_stock, currency_mismatch */
      problem: l.problem,
      warning: lineWarning(l, cart.currency),
    })),
    currency: cart.currency,
    total: cart.total,
    count: cart.count,
    formattedTotal: cart.currency ? formatMoney(cart.total, cart.currency) : null,
    canCheckout: cart.canCheckout,
  };
}

/** The JSON API's cart, as clients (public/cart.js, tests) read it. */
export type CartJson = ReturnType<typeof cartJson>;

export type CartAction = 'add' | 'update' | 'remove';
export const NOTICE_FOR_ACTION: Record<CartAction, string> = { add: 'added', update: 'updated', remove: 'removed' };

const notices: Record<string, string> = {
  added: 'Added to your cart.',
  updated: 'Quantity updated.',
  removed: 'Removed from your cart.',
  discount_applied: 'Discount code applied.',
  discount_removed: 'Discount code removed.',
};

const errors: Record<CartErrorCode, string> = {
  product_not_found: 'We could not find that product, or it is no longer for sale.',
  not_in_cart: 'That product is not in your cart any more.',
  out_of_stock: 'Sorry, that product is sold out.',
  quantity_invalid: `Please choose a quantity from 1 to ${MAX_LINE_QUANTITY}; a cart holds at most ${MAX_LINE_QUANTITY} of each product.`,
  quantity_exceeds_stock: 'There are not enough keys left for that quantity; please choose fewer.',
  currency_mismatch: 'That product is priced in a different currency from your cart. Please check out or empty your cart first.',
};

/** The query string of the redirect after a refused form post: the code, and for stock the numbers (integers only). */
export function errorQuery(err: AppError): string {
  const q = new URLSearchParams({ error: err.code });
  const { available, inCart } = err.details ?? {};
  if (err.code === 'quantity_exceeds_stock' && typeof available === 'number' && typeof inCart === 'number') {
    q.set('left', String(available));
    q.set('held', String(inCart));
  }
  return q.toString();
}

const count = (raw: string | undefined) => (raw !== undefined && /^\d{1,6}$/.test(raw) ? Number(raw) : null);

/**
 * The notice for /cart's query string. Only fixed texts (and numbers parsed as integers) are shown,
 * never text from the URL; unknown codes show nothing.
 */
export function pageNotice(query: {
  notice?: string;
  error?: string;
  left?: string;
  held?: string;
}): { kind: 'success' | 'error'; text: string } | null {
  if (query.error !== undefined) {
    if (!Object.hasOwn(errors, query.error)) return query.error ? { kind: 'error', text: 'That did not work. Please try again.' } : null;
    const left = count(query.left);
    const held = count(query.held);
    if (query.error === 'quantity_exceeds_stock' && left !== null) {
      return {
        kind: 'error',
        text: `Only ${left} ${left === 1 ? 'is' : 'are'} left${held ? `, and your cart already holds ${held}` : ''}; please choose fewer.`,
      };
    }
    return { kind: 'error', text: errors[query.error as CartErrorCode] };
  }
  if (query.notice !== undefined && Object.hasOwn(notices, query.notice)) return { kind: 'success', text: notices[query.notice]! };
  return null;
}
