import { formatMoney } from '../platform/money.js';
import type { CartDiscount } from './cart.discount.js';

/** The cart's subtotal and the code's discount above the total (only with a code that applies). */
export function DiscountRows({ discount, subtotal, currency }: { discount: CartDiscount | null; subtotal: number; currency: string }) {
  if (!discount?.applied) return null;
  return (
    <>
      <tr class="subtotal">
        <th scope="row" colSpan={3}>
          Subtotal
        </th>
        <td class="num" id="cart-subtotal">
          {formatMoney(subtotal, currency)}
        </td>
        <td />
      </tr>
      <tr class="discount">
        <th scope="row" colSpan={3}>
          Discount (code <span class="discount-code">{discount.code}</span>)
        </th>
        <td class="num" id="cart-discount">
          −{formatMoney(discount.total, currency)}
        </td>
        <td />
      </tr>
    </>
  );
}

/** A line's discount under its total: what the code takes off and what the line then costs. */
export function LineDiscount({ amount, lineTotal, currency }: { amount: number; lineTotal: number; currency: string }) {
  if (amount <= 0) return null;
  return (
    <p class="line-discount" data-role="line-discount">
      −{formatMoney(amount, currency)} · now {formatMoney(lineTotal - amount, currency)}
    </p>
  );
}

/**
 * The code form (a plain POST, redirected back with the code's message), or the code the cart
 * carries with its remove button; a code that stopped applying says why instead of a discount.
 */
export function DiscountCodeForm({ discount }: { discount: CartDiscount | null }) {
  if (discount) {
    return (
      <div class="cart-discount" id="cart-discount-code">
        {discount.applied ? (
          <p>
            Discount code <strong class="discount-code">{discount.code}</strong> applied.
          </p>
        ) : (
          <p class="notice error" data-role="discount-error">
            Discount code <strong class="discount-code">{discount.code}</strong>: {discount.error.message}
          </p>
        )}
        <form method="post" action="/cart/discount" class="cart-discount-remove">
          <input type="hidden" name="action" value="remove" />
          <button type="submit" class="button secondary" aria-label={`Remove code ${discount.code}`}>
            Remove code
          </button>
        </form>
      </div>
    );
  }
  return (
    <form method="post" action="/cart/discount" class="cart-discount cart-discount-form">
      <input type="hidden" name="action" value="apply" />
      <label for="discount-code">Discount code</label>
      <input id="discount-code" name="code" type="text" maxLength={60} autoComplete="off" autoCapitalize="characters" spellcheck={false} />
      <button type="submit" class="button secondary">
        Apply
      </button>
    </form>
  );
}
