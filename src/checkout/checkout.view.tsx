import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import type { OrderRow } from '../orders/orders.types.js';
import { ItemsTable } from '../orders/items-table.view.js';
import { statusLabel } from '../orders/order-status.js';
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

const returnMessages: Record<string, string> = {
  pending: 'We are waiting for the payment to be confirmed. This page refreshes by itself.',
  fulfilled: 'Thank you! Your payment is confirmed and your order is ready.',
  needs_attention: 'Your payment arrived; we are reviewing the order and will write to you shortly.',
  failed: 'The payment did not go through and nothing was charged. Your cart still holds the products.',
  cancelled: 'You cancelled the payment; nothing was charged. Your cart still holds the products.',
  expired: 'The payment was not completed in time. Your cart still holds the products.',
};

/** GET /checkout/return: where the gateway sends the buyer back; refreshes until the payment is settled. */
export function CheckoutReturnPage({ ctx, order }: { ctx: ViewContext; order: OrderRow }) {
  const waiting = order.status === 'pending';
  return (
    <Layout
      ctx={ctx}
      title={waiting ? 'Confirming your payment' : statusLabel(order.status)}
      head={waiting ? <meta http-equiv="refresh" content="2" /> : undefined}
    >
      <section class="checkout-return" data-order-id={order.id} data-order-status={order.status} aria-live="polite">
        <h1>{waiting ? 'Confirming your payment…' : statusLabel(order.status)}</h1>
        <p class="notice" role="status">
          {returnMessages[order.status] ?? statusLabel(order.status)}
        </p>
        <p>
          <a class="button primary" href={`/orders/${order.id}`}>
            View order {order.id}
          </a>
          {(order.status === 'failed' || order.status === 'cancelled' || order.status === 'expired') && (
            <>
              {' '}
              <a class="button" href="/cart">
                Back to your cart
              </a>
            </>
          )}
        </p>
      </section>
    </Layout>
  );
}
