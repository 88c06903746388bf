import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import { ItemsTable } from '../orders/items-table.view.js';
import type { ReviewLine } from './checkout.service.js';
import type { Totals } from '../orders/pricing.js';

interface CheckoutPageProps {
  ctx: ViewContext;
  review: { lines: ReviewLine[]; totals: Totals; currency: string } | null;
  /** why the cart cannot be bought as it is */
  problem?: string;
  idempotencyKey: string;
  pricesIncludeTax: boolean;
}

/** GET /checkout: the final summary and the button that goes to payment. */
export function CheckoutPage({ ctx, review, problem, idempotencyKey, pricesIncludeTax }: CheckoutPageProps) {
  const money = (n: number) => formatMoney(n, review?.currency ?? 'EUR');
  return (
    <Layout ctx={ctx} title="Checkout">
      <section class="checkout">
        <h1>Checkout</h1>
        {problem && (
          <p class="notice error" role="alert">
            {problem} <a href="/cart">Back to your cart</a>
          </p>
        )}
        {review && (
          <>
            <ItemsTable
              rows={review.lines.map((l) => ({
                product: l.product.name,
                quantity: l.quantity,
                price: money(l.product.price),
                amount: money(l.lineTotal),
              }))}
              foot={[
                ...(review.totals.tax > 0
                  ? [{ label: `Tax${pricesIncludeTax ? ' (included)' : ''}`, value: money(review.totals.tax) }]
                  : []),
                { label: 'Total to pay', value: money(review.totals.total), total: true },
              ]}
            />
            <p>
              Keys and downloads are delivered to your order page as soon as the payment is confirmed. Pool keys are held for you while you
              pay.
            </p>
            <form method="post" action="/checkout" class="checkout-form">
              <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
              <input type="hidden" name="reviewedTotal" value={String(review.totals.total)} />
              <input type="hidden" name="reviewedCurrency" value={review.currency} />
              <button type="submit" class="button primary">
                Pay {money(review.totals.total)}
              </button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}
