import { TableScroll } from '../pages/table-scroll.view.js';
import { formatMoney } from '../platform/money.js';
import { plural } from '../platform/plural.js';
import { RevenueChart, shortDate } from './admin-reports-chart.view.js';
import type { CurrencyReport, SalesReport } from './admin-reports.service.js';

/** The period links (no script: each is a page of its own), the current one marked. */
function PeriodSwitch({ report }: { report: SalesReport }) {
  return (
    <nav class="period-switch" aria-label="Report period">
      <ul>
        {report.periods.map((p) => (
          <li>
            <a href={`/admin?days=${p}`} aria-current={p === report.days ? 'page' : undefined}>
              {p} days
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** One currency: its totals, the chart and, for screen readers and the curious, every day's numbers. */
function CurrencySales({ report, period }: { report: CurrencyReport; period: string }) {
  const { currency, totals, days } = report;
  const money = (n: number) => formatMoney(n, currency);
  const label =
    `Net sales per day in ${currency}, ${period}: ${money(totals.net)} net of ${money(totals.refunded)} refunded` +
    `, and ${money(totals.donations)} in donations.`;
  return (
    <section class="currency-sales" data-currency={currency} aria-labelledby={`sales-${currency}`}>
      <h3 id={`sales-${currency}`}>{currency}</h3>
      <dl class="sales-totals">
        <div>
          <dt>Sales (gross)</dt>
          <dd data-total="gross">{money(totals.gross)}</dd>
        </div>
        <div>
          <dt>Refunded</dt>
          <dd data-total="refunded">{money(totals.refunded)}</dd>
        </div>
        <div>
          <dt>Net of refunds</dt>
          <dd data-total="net">{money(totals.net)}</dd>
        </div>
        <div>
          <dt>Paid orders</dt>
          <dd data-total="orders">{totals.orders}</dd>
        </div>
        <div>
          <dt>Donations</dt>
          <dd data-total="donations">{money(totals.donations)}</dd>
        </div>
      </dl>
      <figure class="chart">
        <RevenueChart currency={currency} label={label} days={days} />
        <figcaption>
          <span class="key key-sales">Bars: net sales per day</span>
          {totals.donations > 0 && (
            <>
              {' '}
              <span class="key key-donations">dots: donations</span>
            </>
          )}
        </figcaption>
      </figure>
      <details class="chart-numbers">
        <summary>Numbers per day ({currency})</summary>
        <TableScroll label={`Table of sales per day in ${currency}`}>
          <table class="admin-table sales-days">
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col" class="num">
                  Orders
                </th>
                <th scope="col" class="num">
                  Gross
                </th>
                <th scope="col" class="num">
                  Refunded
                </th>
                <th scope="col" class="num">
                  Net
                </th>
                <th scope="col" class="num">
                  Donations
                </th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr data-date={d.date}>
                  <th scope="row">
                    <time datetime={d.date}>{shortDate(d.date)}</time>
                  </th>
                  <td class="num">{d.orders}</td>
                  <td class="num">{money(d.gross)}</td>
                  <td class="num">{money(d.refunded)}</td>
                  <td class="num">{money(d.net)}</td>
                  <td class="num">{money(d.donations)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </details>
    </section>
  );
}

/** The dashboard's sales panel: period switch, a chart per currency, the best-selling products. */
export function SalesReportSection({ report }: { report: SalesReport }) {
  const period = `${report.firstDate} to ${report.lastDate} (UTC)`;
  return (
    <section class="admin-panel sales-report" aria-labelledby="sales-title">
      <h2 id="sales-title">Sales in the last {report.days} days</h2>
      <PeriodSwitch report={report} />
      <p class="hint">
        {period}. Orders count on the day they were paid, less what has been refunded of them since; amounts include tax. Donations are not
        sales and are shown apart.
      </p>
      {report.currencies.map((c) => (
        <CurrencySales report={c} period={period} />
      ))}

      <h3 id="products-title">Top products</h3>
      {report.products.length === 0 ? (
        <p class="empty">No products sold in these {report.days} days.</p>
      ) : (
        <TableScroll label="Table of top products">
          <table class="admin-table top-products">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col" class="num">
                  Units sold
                </th>
                <th scope="col" class="num">
                  Refunded
                </th>
                <th scope="col" class="num">
                  Net
                </th>
              </tr>
            </thead>
            <tbody>
              {report.products.map((p) => (
                <tr data-product={p.sku} data-currency={p.currency}>
                  <td>
                    {p.name} <span class="sku">{p.sku}</span>
                  </td>
                  <td class="num">{p.units}</td>
                  <td class="num">{p.refundedUnits}</td>
                  <td class="num">{formatMoney(p.net, p.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <p class="hint">
        {plural(report.products.length, { one: 'product', other: 'products' })} by net sales, the shop’s currency first.{' '}
        <a href="/admin/exports">Export orders or sales lines as CSV</a>
      </p>
    </section>
  );
}
