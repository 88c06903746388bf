import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import { BuyerAddress, DocumentTable, SellerAddress } from './document-table.view.js';
import type { InvoiceData } from './invoice.js';

/** GET /order/:id/invoice: a printable invoice (the print stylesheet hides the site around it). */
export function InvoicePage({ ctx, invoice }: { ctx: ViewContext; invoice: InvoiceData }) {
  const foot = [
    ...(invoice.deducted
      ? [
          { label: 'Prices after discounts (VAT included)', value: invoice.deducted.prices },
          { label: 'VAT included in the prices, deducted (reverse charge)', value: invoice.deducted.vat },
        ]
      : []),
    { label: 'Net', value: invoice.net },
    { label: 'Tax', value: invoice.tax },
    { label: 'Total paid', value: invoice.total, total: !invoice.refunds },
    ...(invoice.refunds
      ? [
          { label: 'Refunded', value: invoice.refunds.refunded },
          { label: 'Total after refunds', value: invoice.refunds.netTotal, total: true },
        ]
      : []),
  ];
  return (
    <Layout ctx={ctx} title={`Invoice ${invoice.number}`}>
      <article class="invoice">
        <header class="invoice-head">
          <div>
            <h1>
              Invoice <span class="doc-number">{invoice.number}</span>
            </h1>
            <p>
              Date: <time datetime={invoice.date}>{invoice.date}</time>
              <br />
              Date of supply: <time datetime={invoice.supplyDate}>{invoice.supplyDate}</time>
              <br />
              Order: {invoice.orderNumber}
              {invoice.discountCode && (
                <>
                  <br />
                  Discount code: {invoice.discountCode}
                </>
              )}
            </p>
          </div>
          <SellerAddress seller={invoice.seller} />
        </header>
        <BuyerAddress label="Billed to:" lines={invoice.buyer} />
        <DocumentTable
          headings={
            invoice.perLine
              ? ['Description', 'Quantity', 'Unit price', 'Discount', 'Net', 'Rate', 'Tax', 'Gross']
              : ['Description', 'Quantity', 'Unit price', 'Amount']
          }
          rows={invoice.lines.map((l) => [
            <>
              {l.description} <span class="sku">{l.sku}</span>
              {l.refunded > 0 && <span class="refunded"> ({l.refunded} refunded)</span>}
            </>,
            l.quantity,
            l.unitPrice,
            ...(invoice.perLine ? [l.discount, l.net, l.rate, l.tax] : []),
            l.gross,
          ])}
          foot={foot}
        />
        {invoice.byRate.length > 0 && (
          <DocumentTable
            caption="Tax summary"
            headings={['Rate', 'Net', 'Tax', 'Gross']}
            rows={invoice.byRate.map((r) => [r.rate, r.net, r.tax, r.gross])}
          />
        )}
        {invoice.taxNote && <p>{invoice.taxNote}</p>}
        {invoice.reverseChargeNote && <p class="notice">{invoice.reverseChargeNote}</p>}
        {invoice.refundNote && <p class="notice">{invoice.refundNote}</p>}
        {invoice.creditNotes.length > 0 && (
          <ul class="credit-notes">
            {invoice.creditNotes.map((c) => (
              <li>
                <a href={c.path}>Credit note {c.number}</a> ({c.total})
              </li>
            ))}
          </ul>
        )}
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
