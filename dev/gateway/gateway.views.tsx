import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { formatAmount, type SessionRecord } from './gateway.objects.js';

/** The stylesheet of the hosted pages (served at /pay/gateway.css: the pages carry no inline style). */
export const GATEWAY_CSS = `
body{font-family:system-ui,sans-serif;background:#f0f2f5;color:#1a1f36;margin:0}
main{max-width:30rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:.5rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}
table{width:100%;border-collapse:collapse;margin:1rem 0}
th,td{text-align:left;padding:.4rem 0;border-bottom:1px solid #e3e8ee}
td.num,th.num{text-align:right}
tfoot td{font-weight:700;border-bottom:0}
.notice{background:#fff6d6;padding:.6rem;border-radius:.25rem;font-size:.9rem}
.error{background:#fde8e8;color:#a1161a;padding:.6rem;border-radius:.25rem}
.actions{display:flex;gap:.6rem;flex-wrap:wrap;margin-top:1.2rem}
button{padding:.6rem 1rem;font-size:1rem;border:0;border-radius:.25rem;cursor:pointer;background:#e4e6eb;color:#1a1f36}
button.pay{background:#635bff;color:#fff}
button.decline{background:#a1161a;color:#fff}
`;

/** A full document; Preact escapes every interpolated value. */
export function renderPage(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}

/** The page's icon: browsers ask for one, and a 404 would be noise in every browser test. */
export const GATEWAY_ICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#635bff"/><rect x="6" y="10" width="20" height="13" rx="2" fill="#fff"/><rect x="6" y="13" width="20" height="3" fill="#635bff"/></svg>';

function Frame({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${title} · Development payment gateway`}</title>
        <link rel="stylesheet" href="/pay/gateway.css" />
        <link rel="icon" href="/pay/gateway.svg" type="image/svg+xml" />
      </head>
      <body>
        <main>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

/** The hosted payment page of an open session: what is bought, the total, and Pay / Decline / Cancel. */
export function PaymentPage({ session, declined }: { session: SessionRecord; declined: boolean }) {
  const money = (minor: number) => formatAmount(minor, session.currency);
  const donation = session.submit_type === 'donate';
  return (
    <Frame title={donation ? 'Donate' : 'Pay'}>
      <p class="notice">Development payment gateway: no card is charged and no money moves.</p>
      {declined && (
        <p class="error" role="alert">
          Your card was declined. Try again, or cancel and return to the shop.
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Item</th>
            <th class="num">Qty</th>
            <th class="num">Amount</th>
          </tr>
        </thead>
        <tbody>
          {session.line_items.map((item) => (
            <tr>
              <td>{item.name}</td>
              <td class="num">{item.quantity}</td>
              <td class="num">{money(item.unit_amount * item.quantity)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          {session.amount_tax !== null && (
            <tr>
              <td colSpan={2}>Tax (automatic tax, {session.metadata.billing_country ?? 'no country'})</td>
              <td class="num">{money(session.amount_tax)}</td>
            </tr>
          )}
          <tr>
            <td colSpan={2}>Total</td>
            <td class="num" data-testid="total">
              {money(session.amount_total)}
            </td>
          </tr>
        </tfoot>
      </table>
      {session.customer_email && <p>Receipt to {session.customer_email}</p>}
      <form method="post" action={`/pay/${encodeURIComponent(session.id)}`}>
        <div class="actions">
          <button type="submit" name="action" value="pay" class="pay">
            {`${donation ? 'Donate' : 'Pay'} ${money(session.amount_total)}`}
          </button>
          <button type="submit" name="action" value="decline" class="decline">
            Decline (test card)
          </button>
          <button type="submit" name="action" value="cancel">
            Cancel
          </button>
        </div>
      </form>
    </Frame>
  );
}

/** A session that can no longer be paid: complete or expired, with the way back to the shop. */
export function ClosedPage({ session, returnUrl }: { session: SessionRecord; returnUrl: string | null }) {
  const complete = session.status === 'complete';
  return (
    <Frame title={complete ? 'Payment complete' : 'This payment page has expired'}>
      <p>{complete ? 'This payment has already been made.' : 'The time to pay has run out. Start the checkout again from the shop.'}</p>
      {returnUrl && (
        <p>
          <a href={returnUrl}>Return to the shop</a>
        </p>
      )}
    </Frame>
  );
}

export function NotFoundPage() {
  return (
    <Frame title="Payment page not found">
      <p>This payment page does not exist. Start the checkout again from the shop.</p>
    </Frame>
  );
}

export function ErrorPage({ message }: { message: string }) {
  return (
    <Frame title="Something went wrong">
      <p role="alert">{message}</p>
    </Frame>
  );
}
