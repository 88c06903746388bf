import { formatOrderNumber } from '../orders/order-number.js';
import type { Spent } from '../orders/customers.service.js';
import type { ViewContext } from '../pages/view-context.js';
import { formatMoney } from '../platform/money.js';
import { plural } from '../platform/plural.js';
import { AdminFrame, AdminPagination, When } from './admin-frame.view.js';
import type { AdminCustomersService } from './admin-customers.service.js';
import { ownerStatusLabel } from './admin-query.js';

type CustomerList = Awaited<ReturnType<AdminCustomersService['listCustomers']>>;
type CustomerDetail = Awaited<ReturnType<AdminCustomersService['getCustomer']>>;

const SPENT_NOTE =
  'Spent: fulfilled, partially refunded and refunded orders, less what was refunded (tax included); pending, failed, cancelled, expired and needs-attention orders count as orders only.';

export const customerHref = (email: string) => `/admin/customers/${encodeURIComponent(email)}`;

function SpentCell({ spent }: { spent: Spent[] }) {
  if (spent.length === 0) return <span class="none">—</span>;
  return <>{spent.map((s, i) => (i === 0 ? formatMoney(s.amount, s.currency) : ` + ${formatMoney(s.amount, s.currency)}`))}</>;
}

/** GET /admin/customers: buyers by email address with order count, money spent and last order. */
export function AdminCustomersPage({ ctx, list }: { ctx: ViewContext; list: CustomerList }) {
  const { q, customers, pagination } = list;
  return (
    <AdminFrame ctx={ctx} title="Customers" section="customers">
      <form class="admin-filters" method="get" action="/admin/customers" role="search" aria-label="Find customers">
        <div class="field">
          <label for="admin-customer-q">Email begins with</label>
          <input id="admin-customer-q" type="search" name="q" value={q} maxLength={320} placeholder="ada@ or ada@example.com" />
        </div>
        <button type="submit">Search</button>
        {q !== '' && <a href="/admin/customers">Clear</a>}
      </form>
      <p class="result-count" role="status">
        {pagination.total === 0
          ? 'No customers match.'
          : `${plural(pagination.total, { one: 'customer', other: 'customers' })}${q ? ' match' : ''}, by email address.`}
      </p>
      <p class="hint">{SPENT_NOTE}</p>
      {customers.length > 0 && (
        <table class="admin-table admin-customers stack">
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col" class="num">
                Orders
              </th>
              <th scope="col" class="num">
                Spent
              </th>
              <th scope="col">Last order</th>
            </tr>
          </thead>
          <tbody>
            {customers.map((c) => (
              <tr data-email={c.email}>
                <td>
                  <a href={customerHref(c.email)}>{c.email}</a>
                </td>
                <td class="num" data-label="Orders">
                  {c.orders}
                </td>
                <td class="num" data-label="Spent">
                  <SpentCell spent={c.spent} />
                </td>
                <td data-label="Last order">
                  <When ms={c.lastOrderAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <AdminPagination pagination={pagination} path="/admin/customers" params={{ q }} />
    </AdminFrame>
  );
}

/** GET /admin/customers/:email: one buyer's orders, newest first, each linking to its admin page. */
export function AdminCustomerPage({ ctx, detail }: { ctx: ViewContext; detail: CustomerDetail }) {
  const { customer: c, pagination } = detail;
  return (
    <AdminFrame ctx={ctx} title={c.email} section="customers">
      <p>
        <a href="/admin/customers">All customers</a>
      </p>
      <dl class="admin-facts customer-facts">
        <dt>Orders</dt>
        <dd>{c.orders}</dd>
        <dt>Spent</dt>
        <dd>
          <SpentCell spent={c.spent} />
        </dd>
        <dt>Last order</dt>
        <dd>
          <When ms={c.lastOrderAt} />
        </dd>
      </dl>
      <p class="hint">{SPENT_NOTE}</p>
      <table class="admin-table admin-customer-orders stack">
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Placed</th>
            <th scope="col" class="num">
              Total
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {c.orderList.map((o) => (
            <tr data-order-id={o.id}>
              <td>
                <a href={`/admin/orders/${o.id}`}>{formatOrderNumber(o.order_number)}</a>
              </td>
              <td data-label="Placed">
                <When ms={o.created_at} />
              </td>
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
      <AdminPagination pagination={pagination} path={customerHref(c.email)} params={{}} />
    </AdminFrame>
  );
}
