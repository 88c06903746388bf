import { Layout } from './layout.js';
import type { ViewContext } from './view-context.js';

const titles: Record<number, string> = {
  400: 'That did not work',
  401: 'Please log in',
  404: 'Page not found',
  413: 'Too large',
  429: 'Slow down',
};

/** The page a browser sees for any error; only the user-facing message, never internals. */
export function ErrorPage({ ctx, status, message }: { ctx: ViewContext; status: number; message: string }) {
  const title = titles[status] ?? (status >= 500 ? 'Something went wrong' : 'That did not work');
  return (
    <Layout ctx={ctx} title={title}>
      <section class="error-page">
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <a href="/">Back to the shop</a>
        </p>
      </section>
    </Layout>
  );
}
