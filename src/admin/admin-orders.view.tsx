import { formatOrderNumber } from '../orders/order-number.js';
import { orderStates } from '../orders/order-state.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import { plural, pluralWord } from '../platform/plural.js';
import { AdminFrame, AdminPagination, When } from './admin-frame.view.js';
import { ownerStatusLabel, ownerStatusLabels } from './admin-query.js';
import type { AdminOrderList } from './admin.service.js';

/** GET /admin/orders: search by number, id or email, filter by status, product and days placed, newest first. */
export function AdminOrdersPage({ ctx, list }: { ctx: ViewContext; list: AdminOrderList }) {
  const { q, status, from, to, sku, orders, pagination } = list;
  const filtered = q !== '' || status !== null || from !== '' || to !== '' || sku !== '';
  return (
    <AdminFrame ctx={ctx} title="Orders" section="orders">
      <form class="admin-filters" method="get" action="/admin/orders" role="search" aria-label="Find orders">
        <div class="field">
          <label for="admin-q">Order number, id or buyer email</label>
          <input
            id="admin-q"
            type="search"
            name="q"
            value={q}
            maxLength={320}
            placeholder="ord_3fa9… or buyer@example.com"
            aria-describedby="admin-q-hint"
          />
        </div>
        <div class="field">
          <label for="admin-status">Status</label>
          <select id="admin-status" name="status">
            <option value="" selected={status === null}>
              Any status
            </option>
            {orderStates.map((s) => (
              <option value={s} selected={s === status}>
                {ownerStatusLabels[s]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="admin-sku">Product SKU</label>
          <input id="admin-sku" type="text" name="sku" value={sku} maxLength={64} autocomplete="off" spellcheck={false} />
        </div>
        <div class="field date-field">
          <label for="admin-from">Placed from</label>
          <input id="admin-from" type="date" name="from" value={from} />
        </div>
        <div class="field date-field">
          <label for="admin-to">to (inclusive, UTC)</label>
          <input id="admin-to" type="date" name="to" value={to} />
        </div>
        <button type="submit">Search</button>
        {filtered && <a href="/admin/orders">Clear</a>}
      </form>
      <p id="admin-q-hint" class="hint">
        Search by an order number (#1042), an order id or its beginning, or a buyer’s whole email address (any case).
      </p>
      <p class="result-count" role="status">
        {pagination.total === 0
          ? 'No orders match.'
          : `${plural(pagination.total, { one: 'order', other: 'orders' })}${filtered ? ` ${pluralWord(pagination.total, { one: 'matches', other: 'match' })}` : ''}.`}
      </p>
      {orders.length > 0 && (
        <table class="admin-table admin-orders stack">
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col">Email</th>
              <th scope="col" class="num">
                Total
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <tr data-order-id={o.id}>
                <td>
                  <a href={`/admin/orders/${o.id}`}>{formatOrderNumber(o.order_number)}</a>
                </td>
                <td data-label="Placed">
                  <When ms={o.created_at} />
                </td>
                <td data-label="Email">{o.email}</td>
                <td class="num" data-label="Total">
                  {formatMoney(o.total, o.currency)}
                </td>
                <td data-label="Status">
                  <span class={`status status-${o.status}`}>{ownerStatusLabel(o.status)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AdminPagination pagination={pagination} path="/admin/orders" params={{ q, status, sku, from, to }} />
    </AdminFrame>
  );
}
