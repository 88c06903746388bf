import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import type { Pagination } from '../platform/pagination.js';
import { plural } from '../platform/plural.js';
import type { ListedProduct, NavCategory, SearchResults } from './catalog.service.js';
import { PageHeadLinks, PaginationNav } from '../pages/pagination.view.js';
import { ProductGrid } from './product-list.view.js';

/** Home: featured products and new arrivals. */
export function HomePage({ ctx, featured, newArrivals }: { ctx: ViewContext; featured: ListedProduct[]; newArrivals: ListedProduct[] }) {
  return (
    <Layout ctx={ctx} title={ctx.shopName} description={`${ctx.shopName}: license keys and downloads, delivered instantly.`}>
      <h1 class="page-title">{ctx.shopName}</h1>
      {featured.length === 0 && newArrivals.length === 0 ? (
        <p class="empty-state">There are no products in the shop yet. Please come back soon.</p>
      ) : (
        <>
          {featured.length > 0 && (
            <section class="featured" aria-labelledby="featured-heading">
              <h2 id="featured-heading">Featured</h2>
              <ProductGrid products={featured} headingLevel={3} fragments={ctx.fragments} />
            </section>
          )}
          {newArrivals.length > 0 && (
            <section class="new-arrivals" aria-labelledby="new-arrivals-heading">
              <h2 id="new-arrivals-heading">New arrivals</h2>
              <ProductGrid products={newArrivals} headingLevel={3} fragments={ctx.fragments} />
            </section>
          )}
        </>
      )}
    </Layout>
  );
}

/** URL of page n of a category; page 1 has no query string so it has one canonical address. */
export const categoryPageHref = (slug: string) => (n: number) => (n === 1 ? `/category/${slug}` : `/category/${slug}?page=${n}`);

/** A category's products, one page at a time. */
export function CategoryPage(props: {
  ctx: ViewContext;
  category: NavCategory & { description: string };
  products: ListedProduct[];
  pagination: Pagination;
}) {
  const { ctx, category, products, pagination } = props;
  const href = categoryPageHref(category.slug);
  const title = pagination.page > 1 ? `${category.name} (page ${pagination.page})` : category.name;
  return (
    <Layout
      ctx={ctx}
      title={title}
      description={category.description || undefined}
      head={<PageHeadLinks pagination={pagination} href={href} />}
    >
      <header class="category-header">
        <h1>{category.name}</h1>
        {category.description && <p class="category-description">{category.description}</p>}
        {pagination.total > 0 && (
          <p class="result-count">
            {plural(pagination.total, { one: 'product', other: 'products' })}
            {pagination.pageCount > 1 && `, page ${pagination.page} of ${pagination.pageCount}`}
          </p>
        )}
      </header>
      {products.length === 0 ? (
        <p class="empty-state">
          There are no products in {category.name} yet. <a href="/">Browse the shop</a> or use the search above.
        </p>
      ) : (
        <ProductGrid products={products} fragments={ctx.fragments} />
      )}
      <PaginationNav pagination={pagination} href={href} />
    </Layout>
  );
}

/** URL of page n of the results for a query. */
export const searchPageHref = (query: string) => (n: number) =>
  `/search?${new URLSearchParams(n === 1 ? { q: query } : { q: query, page: String(n) })}`;

/** Search results, or a hint when there is nothing to search for or nothing matched. */
export function SearchPage({ ctx, query, products, pagination, capped, suggestion }: SearchResults & { ctx: ViewContext }) {
  const href = searchPageHref(query);
  return (
    <Layout
      ctx={ctx}
      title={query ? `Search: ${query}` : 'Search'}
      head={pagination && <PageHeadLinks pagination={pagination} href={href} />}
    >
      <section class="search-results">
        <h1>{query ? `Results for “${query}”` : 'Search'}</h1>
        {!query || !pagination ? (
          <p class="empty-state">Type something to search: a product name, a word from its description, or a SKU.</p>
        ) : products.length === 0 ? (
          <p class="empty-state">
            No products match “{query}”. Try fewer or shorter words, or <a href="/">browse the shop</a>.
          </p>
        ) : (
          <>
            {suggestion && (
              <p class="search-suggestion">
                Nothing matches “{query}” exactly. Did you mean <a href={searchPageHref(suggestion)(1)}>{suggestion}</a>? Showing close
                matches.
              </p>
            )}
            <p class="result-count">
              {capped ? `Over ${pagination.total}` : pagination.total} {pagination.total === 1 ? 'product' : 'products'} found
              {pagination.pageCount > 1 && `, page ${pagination.page} of ${pagination.pageCount}`}
            </p>
            {capped && (
              <p class="search-hint">Many products match; showing the best matches among the newest. Add a word to narrow the search.</p>
            )}
            <ProductGrid products={products} fragments={ctx.fragments} />
            <PaginationNav pagination={pagination} href={href} />
          </>
        )}
      </section>
    </Layout>
  );
}
