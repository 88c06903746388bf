import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import type { InvoiceData } from './invoice.js';

/** GET /order/:id/invoice: a printable invoice (the print stylesheet hides the site around it). */
export function InvoicePage({ ctx, invoice }: { ctx: ViewContext; invoice: InvoiceData }) {
  return (
    <Layout ctx={ctx} title={`Invoice ${invoice.number}`}>
      <article class="invoice">
        <header class="invoice-head">
          <div>
            <h1>Invoice {invoice.number}</h1>
            <p>
              Date: <time datetime={invoice.date}>{invoice.date}</time>
              <br />
              Order: {invoice.orderId}
            </p>
          </div>
          <address class="seller">
            <strong>{invoice.seller.name}</strong>
            {invoice.seller.addressLines.map((line) => (
              <>
                <br />
                {line}
              </>
            ))}
            {invoice.seller.taxId && (
              <>
                <br />
                Tax ID: {invoice.seller.taxId}
              </>
            )}
          </address>
        </header>
        <p class="buyer">
          Billed to: <strong>{invoice.buyerEmail}</strong>
        </p>
        <table class="order-items">
          <thead>
            <tr>
              <th scope="col">Description</th>
              <th scope="col" class="num">Quantity</th>
              <th scope="col" class="num">Unit price</th>
              <th scope="col" class="num">Amount</th>
            </tr>
          </thead>
          <tbody>
            {invoice.lines.map((l) => (
              <tr>
                <td>
                  {l.description} <span class="sku">{l.sku}</span>
                </td>
                <td class="num">{l.quantity}</td>
                <td class="num">{l.unitPrice}</td>
                <td class="num">{l.amount}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                Net
              </th>
              <td class="num">{invoice.net}</td>
            </tr>
            <tr>
              <th scope="row" colSpan={3}>
                Tax
              </th>
              <td class="num">{invoice.tax}</td>
            </tr>
            <tr class="total">
              <th scope="row" colSpan={3}>
                Total paid
              </th>
              <td class="num">{invoice.total}</td>
            </tr>
          </tfoot>
        </table>
        <p>{invoice.taxNote}</p>
        {invoice.refundNote && <p class="notice">{invoice.refundNote}</p>}
        <p class="actions">
          <a class="button" href={`/order/${invoice.orderId}/invoice?format=pdf`}>
            Download PDF
          </a>{' '}
          <a href={`/orders/${invoice.orderId}`}>Back to the order</a>
        </p>
      </article>
    </Layout>
  );
}
