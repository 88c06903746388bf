import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import { assetUrl } from '../platform/assets.js';
import { formatMoney } from '../platform/money.js';
import { ItemsTable } from '../orders/items-table.view.js';
import { formatInvoiceNumber, formatOrderNumber } from '../orders/order-number.js';
import { nextOrderState, type OrderState } from '../orders/order-state.js';
import { statusLabel } from '../orders/order-status.js';
import { refundedOfOrder } from '../orders/unit-amounts.js';
import { pricesIncludeTax, reverseChargeDeduction } from '../orders/invoice.js';
import type { OrderItemRow, OrderRow } from '../orders/orders.types.js';
import { FileDownloads } from './file-downloads.view.js';
import { KeyDeliveries } from './key-deliveries.view.js';
import type { OrderPageData } from './order-page.service.js';

const explanations: Partial<Record<OrderState, string>> = {
  pending: 'This order is not paid yet. Pay now to finish it, or cancel it; nothing has been charged.',
  failed: 'The payment did not go through and nothing was charged. You can try paying again.',
  cancelled: 'You cancelled this order; nothing was charged.',
  expired: 'The payment was not completed in time, so the reserved keys went back on sale. You can still pay now while they are in stock.',
  needs_attention: 'Your payment arrived and we are reviewing the order. We will write to you shortly.',
  partially_refunded: 'Part of this order was refunded; the refunded items can no longer be used.',
  refunded: 'This order was refunded; its keys and downloads can no longer be used.',
};

/** The page's own styles and the copy buttons' script (no inline script: the CSP forbids it). */
export const orderPageHead = (
  <>
    <link rel="stylesheet" href={assetUrl('order-page.css')} />
    <script src={assetUrl('copy-key.js')} defer></script>
  </>
);

/**
 * What was refunded, per item and in all: a full refund is the whole total, a partial one whole units
 * at what they were paid, or the credit notes' total when more (a refund of an amount only).
 */
export function refundedAmounts(order: OrderRow, items: OrderItemRow[], creditNotes: Array<{ total: number }> = []) {
  const { perLine, total } = refundedOfOrder(
    order,
    items,
    creditNotes.reduce((n, c) => n + c.total, 0),
  );
  return { perItem: new Map(items.map((i, k) => [i.id, perLine[k]!])), total };
}

/** Pay now and Cancel for an order that ended, or may still end, unpaid. */
function UnpaidActions({ order }: { order: OrderRow }) {
  const payable = order.status === 'pending' || nextOrderState(order.status as OrderState, 'payment_retried').ok;
  if (!payable) return null;
  return (
    <div class="unpaid-actions">
      <form method="post" action={`/orders/${order.id}/pay`}>
        <button type="submit" class="button primary">
          Pay now {formatMoney(order.total, order.currency)}
        </button>
      </form>
      {order.status === 'pending' && (
        <form method="post" action={`/orders/${order.id}/cancel`}>
          <button type="submit" class="button secondary">
            Cancel order
          </button>
        </form>
      )}
    </div>
  );
}

/** GET /orders/:id: what was bought, what it cost (and what was refunded), its state, and its keys and downloads. */
export function OrderPage({ ctx, order, items, deliveries, creditNotes = [] }: { ctx: ViewContext } & OrderPageData) {
  const delivered = items.filter((i) => (deliveries.get(i.id)?.keys.length ?? 0) + (deliveries.get(i.id)?.grants.length ?? 0) > 0);
  const money = (n: number) => formatMoney(n, order.currency);
  const explanation = explanations[order.status as OrderState];
  const number = formatOrderNumber(order.order_number);
  const refunded = refundedAmounts(order, items, creditNotes);
  const deducted = reverseChargeDeduction(order, items);
  return (
    <Layout ctx={ctx} title={`Order ${number}`} head={orderPageHead}>
      <section class="order" data-order-id={order.id} data-order-status={order.status}>
        <h1>Order {number}</h1>
        <dl class="order-facts">
          <dt>Placed</dt>
          <dd>
            <time datetime={new Date(order.created_at).toISOString()}>{new Date(order.created_at).toUTCString()}</time>
          </dd>
          <dt>Status</dt>
          <dd>
            <span class={`status status-${order.status}`}>{statusLabel(order.status)}</span>
          </dd>
          {order.invoice_number !== null && (
            <>
              <dt>Invoice</dt>
              <dd>{formatInvoiceNumber(order.invoice_number, order.invoice_series)}</dd>
            </>
          )}
        </dl>
        {explanation && (
          <p class="notice" role="status">
            {explanation}
          </p>
        )}
        <UnpaidActions order={order} />
        <ItemsTable
          rows={items.map((item) => ({
            product: (
              <>
                <a href={`/${item.sku.toLowerCase()}`}>{item.name}</a> <span class="sku">{item.sku}</span>
                {/* Price × quantity is not the line's total with a code: say what it took off. */}
                {item.discount > 0 && <small class="line-note"> (discount −{money(item.discount)})</small>}
                {item.refunded_quantity > 0 && (
                  <span class="refunded">
                    {' '}
                    ({item.refunded_quantity} of {item.quantity} refunded:{' '}
                    <span class="amount">−{money(refunded.perItem.get(item.id) ?? 0)}</span>)
                  </span>
                )}
              </>
            ),
            quantity: item.quantity,
            price: money(item.unit_price),
            // What the line was paid (after its discount) when checkout priced it per line.
            amount: money(item.gross ?? item.unit_price * item.quantity),
          }))}
          foot={[
            ...(deducted
              ? [
                  { label: 'Prices after discounts (VAT included)', value: money(deducted.prices) },
                  { label: 'VAT included in the prices, deducted (reverse charge)', value: `−${money(deducted.vat)}` },
                ]
              : []),
            // "Tax" above "Total" reads as added unless it says it is part of it (a code makes total ≠ subtotal).
            ...(order.tax > 0 ? [{ label: `Tax${pricesIncludeTax(order) ? ' (included)' : ''}`, value: money(order.tax) }] : []),
            { label: 'Total', value: money(order.total), total: refunded.total === 0 },
            ...(refunded.total > 0
              ? [
                  { label: 'Refunded', value: `−${money(refunded.total)}` },
                  { label: 'Total after refunds', value: money(order.total - refunded.total), total: true },
                ]
              : []),
          ]}
        />
        {order.reverse_charge === 1 && (
          <p class="reverse-charge">
            Reverse charge: no VAT was charged{order.prices_include_tax === 1 && '; the VAT included in the prices was deducted'}. You
            account for the VAT yourself.
          </p>
        )}
        {creditNotes.length > 0 && (
          <section class="order-credit-notes" aria-labelledby="credit-notes-title">
            <h2 id="credit-notes-title">Credit notes</h2>
            <ul>
              {creditNotes.map((c) => (
                <li>
                  <a href={c.path}>Credit note {c.printed}</a>: −{money(c.total)}
                </li>
              ))}
            </ul>
          </section>
        )}
        {delivered.length > 0 && (
          <section class="order-deliveries" aria-labelledby="deliveries-title">
            <h2 id="deliveries-title">Your license keys and downloads</h2>
            {delivered.map((item) => {
              const d = deliveries.get(item.id)!;
              return (
                <div class="order-delivery" id={`item-${item.id}`}>
                  <h3>{item.name}</h3>
                  {d.keys.length > 0 && <KeyDeliveries orderId={order.id} itemId={item.id} keys={d.keys} />}
                  {d.grants.length > 0 && <FileDownloads orderId={order.id} itemId={item.id} grants={d.grants} files={d.files} />}
                </div>
              );
            })}
          </section>
        )}
        <p class="actions">
          {order.invoice_number !== null && (
            <>
              <a class="button" href={`/order/${order.id}/invoice`}>
                View invoice
              </a>{' '}
            </>
          )}
          <a href="/orders">All your orders</a>
        </p>
      </section>
    </Layout>
  );
}
