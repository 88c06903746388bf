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
    notes: [...(note.reason ? [`Reason: ${note.reason}`] : []), ...(note.reverseChargeNote ? [note.reverseChargeNote] : [])],
  });
}
