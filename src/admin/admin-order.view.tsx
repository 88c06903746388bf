import type { GrantVerdict } from '../fulfilment/download-state.js';
import { CreditNoteLinks } from '../orders/credit-note.view.js';
import { formatInvoiceNumber, formatOrderNumber } from '../orders/order-number.js';
import { TableScroll } from '../pages/table-scroll.view.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import { AdminFrame, When } from './admin-frame.view.js';
import { ownerStatusLabel } from './admin-query.js';
import type { AdminOrderDetail } from './admin.service.js';
import { doneMessages, OrderActions, refundedSoFar, ResolveAttention, type FailedAction } from './admin-order-actions.view.js';

const grantLabels: Record<GrantVerdict, string> = {
  available: 'Available',
  revoked: 'Revoked (refunded)',
  access_expired: 'Access expired',
  limit_reached: 'Limit reached',
};

const typeLabels: Record<string, string> = { key_lim: 'Key from pool', key: 'Signed key', file: 'Download' };

/** GET /admin/orders/:id: the order, its items, what was delivered (states only), and its history. */
export function AdminOrderPage({
  ctx,
  detail,
  done,
  failed,
}: {
  ctx: ViewContext;
  detail: AdminOrderDetail;
  /** `?done=`: the action that just succeeded */
  done?: string | undefined;
  /** an action refused, shown again with its messages */
  failed?: FailedAction;
}) {
  const { order, items, events, payments, keys, grants } = detail;
  const refunded = refundedSoFar(detail);
  const doneMessage = done ? doneMessages[done] : undefined;
  const money = (n: number) => formatMoney(n, order.currency);
  const itemOf = new Map(items.map((i) => [i.id, i]));
  const itemLabel = (id: number) => itemOf.get(id)?.sku ?? `item ${id}`;
  return (
    <AdminFrame ctx={ctx} title={`Order ${formatOrderNumber(order.order_number)}`} section="orders">
      {doneMessage && (
        <p class="notice success" role="status">
          {doneMessage}
        </p>
      )}
      {failed && (
        <p class="notice error" role="alert">
          Nothing was done. <a href={`#action-${failed.form}`}>See why beside the form</a>.
        </p>
      )}
      <dl class="order-facts admin-facts">
        <dt>Order id</dt>
        <dd>
          <code>{order.id}</code>
        </dd>
        <dt>Status</dt>
        <dd>
          <span class={`status status-${order.status}`}>{ownerStatusLabel(order.status)}</span>
        </dd>
        <dt>Placed</dt>
        <dd>
          <When ms={order.created_at} />
        </dd>
        <dt>Last change</dt>
        <dd>
          <When ms={order.updated_at} />
        </dd>
        <dt>Buyer</dt>
        <dd>
          {order.email} <span class="sku">{order.user_sub}</span>
        </dd>
        <dt>Paid</dt>
        <dd>
          <When ms={order.paid_at} />
        </dd>
        <dt>Payment</dt>
        <dd>
          {order.payment_provider ?? '—'}
          {order.payment_ref && (
            <>
              {' '}
              · session <code>{order.payment_ref}</code>
            </>
          )}
          {order.payment_intent && (
            <>
              {' '}
              · payment <code>{order.payment_intent}</code>
            </>
          )}
        </dd>
        <dt>Invoice</dt>
        <dd>{order.invoice_number === null ? '—' : formatInvoiceNumber(order.invoice_number, order.invoice_series)}</dd>
        <dt>Refunded</dt>
        <dd class="refunded-so-far">
          {refunded.units === 0 && order.status !== 'refunded'
            ? '—'
            : `${money(refunded.amount)} (${refunded.units} ${refunded.units === 1 ? 'unit' : 'units'})`}
        </dd>
        <dt>Credit notes</dt>
        <dd class="credit-notes">
          {detail.creditNotes.length === 0 ? '—' : <CreditNoteLinks notes={detail.creditNotes} currency={order.currency} />}
        </dd>
      </dl>
      {order.attention_reason && (
        <p class="notice error attention-reason" role="status">
          <strong>Needs attention:</strong> {order.attention_reason}
        </p>
      )}
      {(order.status === 'needs_attention' || failed?.form === 'resolve') && <ResolveAttention detail={detail} failed={failed} />}

      <h2>Items</h2>
      <TableScroll label="Items">
        <table class="admin-table order-items">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Type</th>
              <th scope="col" class="num">
                Unit price
              </th>
              <th scope="col" class="num">
                Quantity
              </th>
              <th scope="col" class="num">
                Refunded
              </th>
              <th scope="col" class="num">
                Line total
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr data-item-id={item.id}>
                <td>
                  {item.name} <span class="sku">{item.sku}</span>
                </td>
                <td>{typeLabels[item.type] ?? item.type}</td>
                <td class="num">{money(item.unit_price)}</td>
                <td class="num">{item.quantity}</td>
                <td class={item.refunded_quantity > 0 ? 'num refunded' : 'num'}>{item.refunded_quantity}</td>
                <td class="num">{money(item.unit_price * item.quantity)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={5}>
                Subtotal
              </th>
              <td class="num">{money(order.subtotal)}</td>
            </tr>
            <tr>
              <th scope="row" colSpan={5}>
                Tax{order.total === order.subtotal && order.tax > 0 ? ' (included)' : ''}
              </th>
              <td class="num">{money(order.tax)}</td>
            </tr>
            <tr class="total">
              <th scope="row" colSpan={5}>
                Total
              </th>
              <td class="num">{money(order.total)}</td>
            </tr>
          </tfoot>
        </table>
      </TableScroll>

      <h2>Delivered keys</h2>
      {keys.length === 0 ? (
        <p class="empty">No keys delivered.</p>
      ) : (
        <TableScroll label="Delivered keys">
          <table class="admin-table delivered-keys">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" class="num">
                  Unit
                </th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Revealed by the buyer</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr data-item-id={k.itemId} data-unit={k.unit} data-key-status={k.status}>
                  <td>{itemLabel(k.itemId)}</td>
                  <td class="num">{k.unit + 1}</td>
                  <td>{k.source === 'pool' ? 'From the pool' : 'Signed'}</td>
                  <td>{k.status === 'active' ? 'Active' : 'Revoked (refunded)'}</td>
                  <td>{k.revealedAt === null ? 'Not yet' : <When ms={k.revealedAt} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <h2>Download grants</h2>
      {grants.length === 0 ? (
        <p class="empty">No download grants.</p>
      ) : (
        <TableScroll label="Download grants">
          <table class="admin-table download-grants">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" class="num">
                  Unit
                </th>
                <th scope="col" class="num">
                  Downloads
                </th>
                <th scope="col">Access until</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {grants.map((g) => (
                <tr data-item-id={g.itemId} data-unit={g.unit} data-grant={g.verdict}>
                  <td>{itemLabel(g.itemId)}</td>
                  <td class="num">{g.unit + 1}</td>
                  <td class="num">{`${g.downloadsUsed} / ${g.downloadLimit}`}</td>
                  <td>
                    <When ms={g.expiresAt} />
                  </td>
                  <td>{grantLabels[g.verdict]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}

      <OrderActions detail={detail} failed={failed} />

      <h2>Order events</h2>
      <TableScroll label="Order events">
        <table class="admin-table order-events">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Change</th>
              <th scope="col">Event</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr data-event={e.event}>
                <td>
                  <When ms={e.created_at} />
                </td>
                <td>{e.to_status === null ? `${e.from_status ?? '—'} (unchanged)` : `${e.from_status ?? '—'} → ${e.to_status}`}</td>
                <td>{e.event}</td>
                <td class="detail">{e.detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>

      <h2>Payment events</h2>
      {payments.length === 0 ? (
        <p class="empty">No events from the payment gateway.</p>
      ) : (
        <TableScroll label="Payment events">
          <table class="admin-table payment-events">
            <thead>
              <tr>
                <th scope="col">Gateway event</th>
                <th scope="col">Type</th>
                <th scope="col">Outcome</th>
                <th scope="col">Received</th>
                <th scope="col">Processed</th>
              </tr>
            </thead>
            <tbody>
              {payments.map((p) => (
                <tr data-event-id={p.event_id}>
                  <td>
                    <code>{p.event_id}</code>
                  </td>
                  <td>{p.type}</td>
                  <td>{p.outcome ?? 'not processed'}</td>
                  <td>
                    <When ms={p.received_at} />
                  </td>
                  <td>{p.processed_at === null ? 'Not yet' : <When ms={p.processed_at} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <p class="actions">
        <a href="/admin/orders">All orders</a> · <a href={`/admin/orders?q=${encodeURIComponent(order.email)}`}>Orders by {order.email}</a>
      </p>
    </AdminFrame>
  );
}
