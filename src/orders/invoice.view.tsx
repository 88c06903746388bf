import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import type { InvoiceData } from './invoice.js';
import { ItemsTable } from './items-table.view.js';

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
              Order: {invoice.orderNumber}
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
        <ItemsTable
          headings={['Description', 'Quantity', 'Unit price', 'Amount']}
          rows={invoice.lines.map((l) => ({
            product: (
              <>
                {l.description} <span class="sku">{l.sku}</span>
              </>
            ),
            quantity: l.quantity,
            price: l.unitPrice,
            amount: l.amount,
          }))}
          foot={[
            { label: 'Net', value: invoice.net },
            { label: 'Tax', value: invoice.tax },
            { label: 'Total paid', value: invoice.total, total: true },
          ]}
        />
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
