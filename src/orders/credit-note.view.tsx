import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import type { CreditNoteData } from './credit-notes.js';
import { formatMoney } from '../platform/money.js';
import { BuyerAddress, DocumentTable, SellerAddress } from './document-table.view.js';

/** GET /orders/:id/credit-notes/:number: a printable credit note, the document of one refund. */
export function CreditNotePage({ ctx, note }: { ctx: ViewContext; note: CreditNoteData }) {
  return (
    <Layout ctx={ctx} title={`Credit note ${note.number}`}>
      <article class="invoice credit-note">
        <header class="invoice-head">
          <div>
            <h1>
              Credit note <span class="doc-number">{note.number}</span>
            </h1>
            <p>
              Date: <time datetime={note.date}>{note.date}</time>
              <br />
              Order: {note.orderNumber}
              {note.invoiceNumber && (
                <>
                  <br />
                  Corrects invoice: {note.invoiceNumber}
                </>
              )}
              {note.refundRef && (
                <>
                  <br />
                  Refund: {note.refundRef}
                </>
              )}
            </p>
          </div>
          <SellerAddress seller={note.seller} />
        </header>
        <BuyerAddress label="Credited to:" lines={note.buyer} />
        <DocumentTable
          headings={['Description', 'Units', 'Net', 'Rate', 'Tax', 'Gross']}
          rows={note.lines.map((l) => [l.description, l.units, l.net, l.rate, l.tax, l.gross])}
          foot={[
            { label: 'Net', value: note.net },
            { label: 'Tax', value: note.tax },
            { label: 'Total refunded', value: note.total, total: true },
          ]}
        />
        {note.byRate.length > 0 && (
          <DocumentTable
            caption="Tax summary"
            headings={['Rate', 'Net', 'Tax', 'Gross']}
            rows={note.byRate.map((r) => [r.rate, r.net, r.tax, r.gross])}
          />
        )}
        {note.reason && <p>Reason: {note.reason}</p>}
        {note.reverseChargeNote && <p class="notice">{note.reverseChargeNote}</p>}
        <p class="actions">
          <a class="button" href={`/orders/${note.orderId}/credit-notes/${encodeURIComponent(note.number)}.pdf`}>
            Download PDF
          </a>{' '}
          <a href={`/orders/${note.orderId}`}>Back to the order</a>
        </p>
      </article>
    </Layout>
  );
}

/** An order's credit notes as links with their totals, comma-separated (the owner's order view). */
export function CreditNoteLinks({ notes, currency }: { notes: Array<{ printed: string; path: string; total: number }>; currency: string }) {
  return (
    <>
      {notes.map((c, i) => (
        <>
          {i > 0 && ', '}
          <a href={c.path}>{c.printed}</a> ({formatMoney(c.total, currency)})
        </>
      ))}
    </>
  );
}
