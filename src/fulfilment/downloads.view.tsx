import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';

/** Why a link or a download was refused, with the way back: the order page, where a new link can be made. */
export function DownloadProblemPage({
  ctx,
  status,
  title,
  message,
  orderId,
}: {
  ctx: ViewContext;
  status: number;
  title: string;
  message: string;
  orderId: string | null;
}) {
  return (
    <Layout ctx={ctx} title={title}>
      <section class="error-page download-problem" aria-labelledby="error-heading">
        <span class="status-code" aria-hidden="true">
          {status}
        </span>
        <h1 id="error-heading">{title}</h1>
        <p class="message">{message}</p>
        <p class="actions">
          {orderId ? (
            <a class="button primary" href={`/orders/${orderId}`}>
              Go to your order
            </a>
          ) : (
            <a class="button primary" href="/orders">
              Your orders
            </a>
          )}
          {status === 403 || status >= 500 ? (
            <a class="button" href="/contact">
              Contact us
            </a>
          ) : null}
        </p>
      </section>
    </Layout>
  );
}
