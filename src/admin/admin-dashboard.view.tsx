import { formatOrderNumber } from '../orders/order-number.js';
import { TableScroll } from '../pages/table-scroll.view.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import { plural } from '../platform/plural.js';
import { AdminFrame, When } from './admin-frame.view.js';
import { ownerStatusLabel } from './admin-query.js';
import type { AdminDashboard } from './admin.service.js';
import type { SalesReport } from './admin-reports.service.js';
import { SalesReportSection } from './admin-reports.view.js';

/** GET /admin: what needs the owner now, and how the shop is doing. */
export function AdminDashboardPage({ ctx, dashboard, report }: { ctx: ViewContext; dashboard: AdminDashboard; report: SalesReport }) {
  const { statusCounts, attention, unsentMail, lowStock, lowStockThreshold } = dashboard;
  return (
    <AdminFrame ctx={ctx} title="Dashboard" section="dashboard">
      <section class="admin-panel" aria-labelledby="attention-title">
        <h2 id="attention-title">Orders that need attention</h2>
        {attention.length === 0 ? (
          <p class="empty">No order needs attention.</p>
        ) : (
          <TableScroll label="Table of orders that need attention">
            <table class="admin-table attention">
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Email</th>
                  <th scope="col" class="num">
                    Total
                  </th>
                  <th scope="col">Why</th>
                  <th scope="col">Since</th>
                </tr>
              </thead>
              <tbody>
                {attention.map((o) => (
                  <tr data-order-id={o.id}>
                    <td>
                      <a href={`/admin/orders/${o.id}`}>{formatOrderNumber(o.order_number)}</a>
                    </td>
                    <td>{o.email}</td>
                    <td class="num">{formatMoney(o.total, o.currency)}</td>
                    <td class="attention-reason">{o.attention_reason ?? 'No reason recorded: see the order’s events.'}</td>
                    <td>
                      <When ms={o.updated_at} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>

      <SalesReportSection report={report} />

      <div class="admin-panels">
        <section class="admin-panel" aria-labelledby="status-title">
          <h2 id="status-title">Orders by status</h2>
          <TableScroll label="Table of orders by status">
            <table class="admin-table status-counts">
              <tbody>
                {statusCounts.map(({ status, count }) => (
                  <tr data-status={status}>
                    <th scope="row">
                      <a href={`/admin/orders?status=${status}`}>{ownerStatusLabel(status)}</a>
                    </th>
                    <td class="num">{count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </section>

        <section class="admin-panel" aria-labelledby="mail-title">
          <h2 id="mail-title">Mail</h2>
          <p class="unsent-mail">
            {unsentMail === 0
              ? 'Every mail has been sent.'
              : `${plural(unsentMail, { one: 'mail is', other: 'mails are' })} waiting in the outbox.`}
          </p>
        </section>

        <section class="admin-panel" aria-labelledby="stock-title">
          <h2 id="stock-title">Low on keys</h2>
          {lowStock.length === 0 ? (
            <p class="empty">Every active key pool is above its low-stock threshold ({lowStockThreshold} unless set).</p>
          ) : (
            <TableScroll label="Table of products low on keys">
              <table class="admin-table low-stock">
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col" class="num">
                      Keys left
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {lowStock.map((p) => (
                    <tr data-sku={p.sku}>
                      <td>
                        {p.name} <span class="sku">{p.sku}</span>
                      </td>
                      <td class={p.available === 0 ? 'num sold-out' : 'num low'}>{p.available}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
          <p>
            <a href="/admin/products?status=active">All active products</a>
          </p>
        </section>
      </div>

      <p class="admin-links">
        <a href="/admin/orders">Search orders</a> · <a href="/admin/products">Products</a> · <a href="/admin/messages">Contact messages</a>
      </p>
    </AdminFrame>
  );
}
