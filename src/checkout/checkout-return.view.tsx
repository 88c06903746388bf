import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import { ItemsTable } from '../orders/items-table.view.js';
import { formatOrderNumber } from '../orders/order-number.js';
import { isPaid, type OrderState } from '../orders/order-state.js';
import type { OrderItemRow, OrderRow } from '../orders/orders.types.js';
import { assetUrl } from '../platform/assets.js';

const headings: Partial<Record<OrderState, string>> = {
  pending: 'Confirming your payment…',
  fulfilled: 'Thank you, your order is ready',
  needs_attention: 'Thank you, your payment arrived',
  failed: 'The payment did not go through',
  cancelled: 'Payment cancelled',
  expired: 'The payment was not completed in time',
};

const messages: Partial<Record<OrderState, string>> = {
  pending: 'Your payment is still being processed. This page refreshes by itself; nothing more to do.',
  fulfilled: 'Your payment is confirmed.',
  needs_attention: 'We are reviewing the order and will write to you shortly; nothing more to do for now.',
  failed: 'Nothing was charged. You can pay again from the order page, or go back to your cart.',
  cancelled: 'Nothing was charged. Your cart still holds the products.',
  expired: 'Nothing was charged. You can pay again from the order page while the products are in stock.',
};

/** What one bought item gives the buyer right now, in words. */
function readiness(item: OrderItemRow, status: OrderState): string {
  const units = item.quantity - item.refunded_quantity;
  if (status === 'pending') return 'Ready as soon as the payment is confirmed.';
  if (status === 'needs_attention') return 'Ready once we have reviewed the order.';
  if (item.type === 'file') return units === 1 ? 'Download ready.' : `${units} downloads ready.`;
  return units === 1 ? 'License key ready to reveal.' : `${units} license keys ready to reveal.`;
}

/**
 * GET /checkout/return: where the gateway sends the buyer back. What was bought and what is ready
 * now (or still pending), where the receipt went, and the way to the order and its invoice; while
 * the payment is processing the page refreshes itself.
 */
export function CheckoutReturnPage({ ctx, order, items }: { ctx: ViewContext; order: OrderRow; items: OrderItemRow[] }) {
  const status = order.status as OrderState;
  const waiting = status === 'pending';
  const paid = isPaid(status);
  const number = formatOrderNumber(order.order_number);
  const money = (n: number) => formatMoney(n, order.currency);
  const heading = headings[status] ?? `Order ${number}`;
  // A free order (a code took off the whole total) was fulfilled at checkout, never paid.
  const message = paid && order.total === 0 ? 'Your order is complete; nothing was charged.' : (messages[status] ?? '');
  return (
    <Layout
      ctx={ctx}
      title={`${heading} — order ${number}`}
      head={
        <>
          {waiting && <meta http-equiv="refresh" content="2" />}
          <link rel="stylesheet" href={assetUrl('order-page.css')} />
        </>
      }
    >
      <section class="checkout-return paid-summary" data-order-id={order.id} data-order-status={order.status} aria-live="polite">
        <h1>{heading}</h1>
        <p class="notice" role="status">
          Order {number}: {message}
        </p>
        {(paid || waiting) && (
          <>
            <h2>{paid ? 'Ready for you' : 'What you bought'}</h2>
            <ul class="ready-list">
              {items.map((item) => (
                <li>
                  <strong>{item.name}</strong>
                  {item.quantity > 1 && ` × ${item.quantity}`}: {readiness(item, status)}
                </li>
              ))}
            </ul>
            <p class="receipt-note">
              {paid ? (
                <>
                  We sent the receipt to <strong>{order.email}</strong>.
                </>
              ) : (
                <>
                  We will send the receipt to <strong>{order.email}</strong> once the payment is confirmed.
                </>
              )}
            </p>
          </>
        )}
        <ItemsTable
          rows={items.map((item) => ({
            product: item.name,
            quantity: item.quantity,
            price: money(item.unit_price),
            amount: money(item.unit_price * item.quantity),
          }))}
          foot={[
            ...(order.discount > 0
              ? [{ label: `Discount${order.discount_code ? ` (code ${order.discount_code})` : ''}`, value: `−${money(order.discount)}` }]
              : []),
            ...(order.tax > 0 ? [{ label: `Tax${order.total === order.subtotal ? ' (included)' : ''}`, value: money(order.tax) }] : []),
            { label: paid ? 'Total paid' : 'Total', value: money(order.total), total: true },
          ]}
        />
        <p class="actions">
          <a class="button primary" href={`/orders/${order.id}`}>
            {paid ? 'Get your keys and downloads' : 'Go to the order'}
          </a>
          {order.invoice_number !== null && (
            <a class="button" href={`/order/${order.id}/invoice`}>
              View invoice
            </a>
          )}
          {(status === 'failed' || status === 'cancelled' || status === 'expired') && (
            <a class="button" href="/cart">
              Back to your cart
            </a>
          )}
        </p>
      </section>
    </Layout>
  );
}
