import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import { ItemsTable } from '../orders/items-table.view.js';
import type { OrderState } from '../orders/order-state.js';
import { statusLabel } from '../orders/order-status.js';
import { FileDownloads } from './file-downloads.view.js';
import { KeyDeliveries } from './key-deliveries.view.js';
import type { OrderPageData } from './order-page.service.js';

const explanations: Partial<Record<OrderState, string>> = {
  pending: 'We are waiting for the payment to be confirmed. This page updates once it is.',
  failed: 'The payment did not go through and nothing was charged. Your cart still holds the products.',
  cancelled: 'You cancelled the payment; nothing was charged.',
  expired: 'The payment was not completed in time, so the reserved keys went back on sale.',
  needs_attention: 'Your payment arrived and we are reviewing the order. We will write to you shortly.',
  partially_refunded: 'Part of this order was refunded; the refunded items can no longer be used.',
  refunded: 'This order was refunded; its keys and downloads can no longer be used.',
};

/** GET /orders/:id: what was bought, what it cost, its state, and its keys and downloads. */
export function OrderPage({ ctx, order, items, deliveries }: { ctx: ViewContext } & OrderPageData) {
  const delivered = items.filter((i) => (deliveries.get(i.id)?.keys.length ?? 0) + (deliveries.get(i.id)?.grants.length ?? 0) > 0);
  const money = (n: number) => formatMoney(n, order.currency);
  const explanation = explanations[order.status as OrderState];
  return (
    <Layout ctx={ctx} title={`Order ${order.id}`}>
      <section class="order" data-order-id={order.id} data-order-status={order.status}>
        <h1>Order {order.id}</h1>
        <dl class="order-facts">
          <dt>Placed</dt>
          <dd>
            <time datetime={new Date(order.created_at).toISOString()}>{new Date(order.created_at).toUTCString()}</time>
          </dd>
          <dt>Status</dt>
          <dd>
            <span class={`status status-${order.status}`}>{statusLabel(order.status)}</span>
          </dd>
          {order.payment_intent && (
            <>
              <dt>Payment reference</dt>
              <dd>{order.payment_intent}</dd>
            </>
          )}
          {order.invoice_number !== null && (
            <>
              <dt>Invoice</dt>
              <dd>No. {order.invoice_number}</dd>
            </>
          )}
        </dl>
        {explanation && (
          <p class="notice" role="status">
            {explanation}
          </p>
        )}
        <ItemsTable
          rows={items.map((item) => ({
            product: (
              <>
                <a href={`/${item.sku.toLowerCase()}`}>{item.name}</a> <span class="sku">{item.sku}</span>
                {item.refunded_quantity > 0 && <span class="refunded"> ({item.refunded_quantity} refunded)</span>}
              </>
            ),
            quantity: item.quantity,
            price: money(item.unit_price),
            amount: money(item.unit_price * item.quantity),
          }))}
          foot={[
            ...(order.tax > 0 ? [{ label: `Tax${order.total === order.subtotal ? ' (included)' : ''}`, value: money(order.tax) }] : []),
            { label: 'Total', value: money(order.total), total: true },
          ]}
        />
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
