import { renderDocumentPdf } from './document.pdf.js';
import type { InvoiceData } from './invoice.js';

/** The same invoice as a PDF. */
export async function renderInvoicePdf(invoice: InvoiceData): Promise<Buffer> {
  return renderDocumentPdf({
    title: `Invoice ${invoice.number}`,
    author: invoice.seller.name,
    meta: [
      `Date: ${invoice.date}`,
      `Date of supply: ${invoice.supplyDate}`,
      `Order: ${invoice.orderNumber}`,
      ...(invoice.discountCode ? [`Discount code: ${invoice.discountCode}`] : []),
    ],
    seller: invoice.seller,
    buyerLabel: 'Billed to:',
    buyer: invoice.buyer,
    headings: invoice.perLine
      ? ['Description', 'Qty', 'Unit price', 'Discount', 'Net', 'Rate', 'Tax', 'Gross']
      : ['Description', 'Quantity', 'Unit price', 'Amount'],
    rows: invoice.lines.map((l) => [
      `${l.description} (${l.sku})${l.refunded > 0 ? `, ${l.refunded} refunded` : ''}`,
      String(l.quantity),
      l.unitPrice,
      ...(invoice.perLine ? [l.discount, l.net, l.rate, l.tax] : []),
      l.gross,
    ]),
    foot: [
      ...(invoice.deducted
        ? [
            { label: 'Prices after discounts (VAT included)', value: invoice.deducted.prices },
            { label: 'VAT included in the prices, deducted (reverse charge)', value: invoice.deducted.vat },
          ]
        : []),
      { label: 'Net', value: invoice.net },
      { label: 'Tax', value: invoice.tax },
      { label: 'Total paid', value: invoice.total, bold: !invoice.refunds },
      ...(invoice.refunds
        ? [
            { label: 'Refunded', value: invoice.refunds.refunded },
            { label: 'Total after refunds', value: invoice.refunds.netTotal, bold: true },
          ]
        : []),
    ],
    tables:
      invoice.byRate.length > 0
        ? [
            {
              headings: ['Tax summary', 'Net', 'Rate', 'Tax', 'Gross'],
              rows: invoice.byRate.map((r) => ['', r.net, r.rate, r.tax, r.gross]),
              // under the lines' Net, Rate, Tax and Gross
              ...(invoice.perLine && { columns: [0, 4, 5, 6, 7] }),
            },
          ]
        : [],
    notes: [
      ...(invoice.taxNote ? [invoice.taxNote] : []),
      ...(invoice.reverseChargeNote ? [invoice.reverseChargeNote] : []),
      ...(invoice.refundNote ? [invoice.refundNote] : []),
      ...invoice.creditNotes.map((c) => `Credit note ${c.number}: ${c.total}`),
    ],
  });
}
