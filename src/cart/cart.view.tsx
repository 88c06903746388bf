import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import { DiscountCodeForm, DiscountRows, LineDiscount } from './cart-discount.view.js';
import type { CartDiscount } from './cart.discount.js';
import { lineWarning } from './cart.present.js';
import { MAX_LINE_QUANTITY } from './cart.rules.js';
import type { Cart, CartLine, MergeReport } from './cart.service.js';

const typeLabel: Record<CartLine['type'], string> = {
  key_lim: 'License key',
  key: 'License key',
  file: 'Download',
};

/** `stock` classes the catalog's pages use too. */
function stockClass(line: CartLine): string {
  if (line.problem === 'unavailable' || line.problem === 'sold_out') return 'stock sold-out';
  return line.problem || line.stock.state === 'low' ? 'stock low-stock' : 'stock in-stock';
}

function Hidden({ action, sku }: { action: 'update' | 'remove'; sku: string }) {
  return (
    <>
      <input type="hidden" name="action" value={action} />
      <input type="hidden" name="sku" value={sku} />
    </>
  );
}

function Line({ line, currency, discount = 0 }: { line: CartLine; currency: string | null; discount?: number }) {
  const warning = lineWarning(line, currency);
  const max = line.stock.available === undefined ? MAX_LINE_QUANTITY : Math.max(1, Math.min(MAX_LINE_QUANTITY, line.stock.available));
  const inputId = `quantity-${line.sku}`;
  return (
    <tr data-sku={line.sku} class={line.problem ? 'cart-line has-problem' : 'cart-line'}>
      <td class="cart-product">
        <a href={`/${line.sku}`}>{line.name}</a>
        <p class="cart-type">{typeLabel[line.type]}</p>
        {/* A slot even without a warning: public/cart.js fills it in place. */}
        <div data-role="warning">{warning && <p class={stockClass(line)}>{warning}</p>}</div>
      </td>
      <td class="num" data-label="Price" data-role="unit-price">
        {formatMoney(line.unitPrice, line.currency)}
      </td>
      <td class="cart-quantity" data-label="Quantity">
        <form method="post" action="/cart" class="cart-update">
          <Hidden action="update" sku={line.sku} />
          <label for={inputId} class="visually-hidden">
            Quantity of {line.name}
          </label>
          <input id={inputId} name="quantity" type="number" inputMode="numeric" min={1} max={max} step={1} value={line.quantity} required />
          <button type="submit" class="button secondary">
            Update
          </button>
        </form>
      </td>
      <td class="num" data-label="Total" data-role="line-total">
        {formatMoney(line.lineTotal, line.currency)}
        <LineDiscount amount={discount} lineTotal={line.lineTotal} currency={line.currency} />
      </td>
      <td class="cart-remove">
        <form method="post" action="/cart" class="cart-remove-form">
          <Hidden action="remove" sku={line.sku} />
          <button type="submit" class="button secondary" aria-label={`Remove ${line.name}`}>
            Remove
          </button>
        </form>
      </td>
    </tr>
  );
}

function MergeNotice({ merged, lines }: { merged: MergeReport; lines: CartLine[] }) {
  if (merged.merged === 0) return null;
  // A report carried over from the login callback names products by SKU only.
  const nameOf = (sku: string, name: string) => lines.find((l) => l.sku === sku)?.name ?? name;
  return (
    <div class="notice">
      <p>We added the products you chose before logging in to your cart.</p>
      {merged.capped.length > 0 && (
        <ul>
          {merged.capped.map((c) => (
            <li>
              {nameOf(c.sku, c.name)}: {c.kept} kept of {c.requested} (
              {c.reason === 'stock' ? 'that is all we have left' : `at most ${MAX_LINE_QUANTITY} per product`}).
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface CartPageProps {
  ctx: ViewContext;
  cart: Cart;
  notice: { kind: 'success' | 'error'; text: string } | null;
  merged: MergeReport | null;
  /** the cart's code, priced now (null: none) */
  discount?: CartDiscount | null;
  /** whether the discount code form shows (the discounts domain is wired) */
  codes?: boolean;
}

/** GET /cart: lines with current prices and stock, quantity and remove forms, the total, and the way to checkout. */
export function CartPage({ ctx, cart, notice, merged, discount = null, codes = false }: CartPageProps) {
  const empty = cart.lines.length === 0;
  const applied = discount?.applied ? discount : null;
  return (
    <Layout ctx={ctx} title="Your cart">
      {/* With a code, public/cart.js leaves the forms to post: the discount is priced on the server. */}
      <section class="cart" id="cart" data-empty={empty ? 'true' : 'false'} data-discount={discount ? 'true' : undefined}>
        <h1>Your cart</h1>
        <div id="cart-status" role="status" aria-live="polite">
          {notice && <p class={`notice ${notice.kind}`}>{notice.text}</p>}
        </div>
        {merged && <MergeNotice merged={merged} lines={cart.lines} />}
        {empty ? (
          <div class="empty-state cart-empty">
            <p>Your cart is empty.</p>
            <a class="button primary" href="/">
              Browse the shop
            </a>
          </div>
        ) : (
          <>
            <table class="order-items cart-items stack">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col" class="num">
                    Price
                  </th>
                  <th scope="col">Quantity</th>
                  <th scope="col" class="num">
                    Total
                  </th>
                  <th scope="col">
                    <span class="visually-hidden">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {cart.lines.map((line, i) => (
                  <Line key={line.sku} line={line} currency={cart.currency} discount={applied?.perLine[i]} />
                ))}
              </tbody>
              <tfoot>
                <DiscountRows discount={discount} subtotal={cart.total} currency={cart.currency ?? 'EUR'} />
                <tr class="total">
                  <th scope="row" colSpan={3}>
                    Total{ctx.taxNote && ` ${ctx.taxNote}`}
                  </th>
                  <td class="num" id="cart-total">
                    {formatMoney(applied ? applied.totalAfter : cart.total, cart.currency ?? 'EUR')}
                  </td>
                  <td />
                </tr>
              </tfoot>
            </table>
            {codes && <DiscountCodeForm discount={discount} />}
            <p class="notice error" id="cart-problems" hidden={cart.canCheckout}>
              Some products cannot be bought as they are; please fix the marked lines before you check out.
            </p>
            <p class="cart-actions">
              <a class="button primary" href="/checkout">
                Proceed to checkout
              </a>{' '}
              <a href="/">Continue shopping</a>
            </p>
          </>
        )}
      </section>
    </Layout>
  );
}
