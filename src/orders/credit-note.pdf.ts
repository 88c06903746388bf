import type { CreditNoteData } from './credit-notes.js';
import { renderDocumentPdf } from './document.pdf.js';

/** A credit note as a PDF. */
export async function renderCreditNotePdf(note: CreditNoteData): Promise<Buffer> {
  return renderDocumentPdf({
    title: `Credit note ${note.number}`,
    author: note.seller.name,
    meta: [
      `Date: ${note.date}`,
      `Order: ${note.orderNumber}`,
      ...(note.invoiceNumber ? [`Corrects invoice: ${note.invoiceNumber}`] : []),
      ...(note.refundRef ? [`Refund: ${note.refundRef}`] : []),
    ],
    seller: note.seller,
    buyerLabel: 'Credited to:',
    buyer: note.buyer,
    headings: ['Description', 'Units', 'Net', 'Rate', 'Tax', 'Gross'],
    rows: note.lines.map((l) => [l.description, l.units, l.net, l.rate, l.tax, l.gross]),
    foot: [
      { label: 'Net', value: note.net },
      { label: 'Tax', value: note.tax },
      { label: 'Total refunded', value: note.total, bold: true },
    ],
    tables:
      note.byRate.length > 0
        ? [
            {
              headings: ['Tax summary', 'Net', 'Rate', 'Tax', 'Gross'],
              rows: note.byRate.map((r) => ['', r.net, r.rate, r.tax, r.gross]),
              // under the lines' Net, Rate, Tax and Gross
              columns: [0, 2, 3, 4, 5],
            },
          ]
        : [],
    notes: [...(note.reason ? [`Reason: ${note.reason}`] : []), ...(note.reverseChargeNote ? [note.reverseChargeNote] : [])],
  });
}
