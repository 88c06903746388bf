import { Layout } from './layout.js';
import type { ViewContext } from './view-context.js';

const titles: Record<number, string> = {
  400: 'That did not work',
  401: 'Please log in',
  403: 'Not allowed',
  404: 'Page not found',
  405: 'That did not work',
  409: 'That changed in the meantime',
  413: 'Too large',
  415: 'That did not work',
  429: 'Slow down',
};

/** The page a browser sees for any error; only the user-facing message, never internals. */
export function ErrorPage({ ctx, status, message }: { ctx: ViewContext; status: number; message: string }) {
  const title = titles[status] ?? (status >= 500 ? 'Something went wrong' : 'That did not work');
  return (
    <Layout ctx={ctx} title={title}>
      <section class="error-page" aria-labelledby="error-heading">
        <span class="status-code" aria-hidden="true">
          {status}
        </span>
        <h1 id="error-heading">{title}</h1>
        <p class="message">{message}</p>
        {status === 404 && (
          <form class="search" role="search" aria-label="Search the shop from this page" action="/search" method="get">
            <label for="error-search-q" class="visually-hidden">
              Search products
            </label>
            <input id="error-search-q" type="search" name="q" placeholder="Search for a product" maxLength={200} />
            <button type="submit">Search</button>
          </form>
        )}
        <p class="actions">
          <a class="button primary" href="/">
            Back to the shop
          </a>
          {status === 401 && (
            <a class="button" href={`/login?returnTo=${encodeURIComponent(ctx.path)}`}>
              Log in
            </a>
          )}
          {status >= 500 && (
            <a class="button" href="/contact">
              Contact us
            </a>
          )}
        </p>
      </section>
    </Layout>
  );
}
