import { PaginationNav } from '../pages/pagination.view.js';
import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import type { Pagination } from '../platform/pagination.js';
import type { OrderRow } from './orders.repo.js';
import { formatOrderNumber } from './order-number.js';
import { statusLabel } from './order-status.js';

const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** GET /orders: the buyer's orders, newest first. */
export function OrdersPage({ ctx, orders, pagination }: { ctx: ViewContext; orders: OrderRow[]; pagination: Pagination }) {
  return (
    <Layout ctx={ctx} title="Your orders">
      <section class="orders">
        <h1>Your orders</h1>
        {orders.length === 0 ? (
          <p class="empty">
            You have no orders yet. <a href="/">Browse the shop</a>.
          </p>
        ) : (
          <table class="orders-table stack">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Date</th>
                <th scope="col" class="num">
                  Total
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {orders.map((o) => (
                <tr>
                  <td>
                    <a href={`/orders/${o.id}`}>{formatOrderNumber(o.order_number)}</a>
                  </td>
                  <td data-label="Date">
                    <time datetime={new Date(o.created_at).toISOString()}>{date(o.created_at)}</time>
                  </td>
                  <td class="num" data-label="Total">
                    {formatMoney(o.total, o.currency)}
                  </td>
                  <td data-label="Status">
                    <span class={`status status-${o.status}`}>{statusLabel(o.status)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <PaginationNav pagination={pagination} href={(n) => `/orders?page=${n}`} />
      </section>
    </Layout>
  );
}
