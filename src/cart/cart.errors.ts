import { AppError, ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import { MAX_LINE_QUANTITY } from './cart.rules.js';

/** The cart's refusals, each with a stable code (the page maps codes to fixed notices, the API sends them as JSON). */
export const cartErrors = {
  productNotFound: () => new NotFoundError('We could not find that product, or it is no longer for sale.', 'product_not_found'),
  notInCart: () => new NotFoundError('That product is not in your cart.', 'not_in_cart'),
  outOfStock: (name: string) => new ConflictError('out_of_stock', `“${name}” is sold out.`, { available: 0 }),
  quantityInvalid: () =>
    new ValidationError(
      `The quantity must be a whole number from 1 to ${MAX_LINE_QUANTITY}.`,
      { min: 1, max: MAX_LINE_QUANTITY },
      'quantity_invalid',
    ),
  quantityOverMax: (name: string, inCart: number) =>
    new ValidationError(
      `You can have at most ${MAX_LINE_QUANTITY} of “${name}” in your cart; it already holds ${inCart}.`,
      { max: MAX_LINE_QUANTITY, inCart },
      'quantity_invalid',
    ),
  quantityExceedsStock: (name: string, available: number, inCart: number) =>
    new ConflictError(
      'quantity_exceeds_stock',
      `Only ${available} of “${name}” ${available === 1 ? 'is' : 'are'} left${inCart > 0 ? `, and your cart already holds ${inCart}` : ''}.`,
      { available, inCart },
    ),
  currencyMismatch: (name: string, currency: string, cartCurrency: string) =>
    new ConflictError(
      'currency_mismatch',
      `“${name}” is priced in ${currency}, but your cart is in ${cartCurrency}. Please check out or empty your cart first.`,
      { currency, cartCurrency },
    ),
};

/** Codes the cart page explains with a fixed message after a redirect. */
export const CART_ERROR_CODES = [
  'product_not_found',
  'not_in_cart',
  'out_of_stock',
  'quantity_invalid',
  'quantity_exceeds_stock',
  'currency_mismatch',
] as const;
export type CartErrorCode = (typeof CART_ERROR_CODES)[number];

/** True for the refusals above: shown as a notice on /cart rather than an error page. */
export function isCartError(err: unknown): err is AppError & { code: CartErrorCode } {
  return err instanceof AppError && (CART_ERROR_CODES as readonly string[]).includes(err.code);
}
