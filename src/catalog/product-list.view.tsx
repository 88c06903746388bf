import { assetUrl } from '../platform/assets.js';
import { formatMoney } from '../platform/money.js';
import { pageWindow, type Pagination } from '../platform/pagination.js';
import type { ProductCard } from './catalog.service.js';
import type { StockState } from './stock.js';

/** An image URL as the page should use it: files under /assets/ get their cache-busting version. */
export function imageSrc(url: string): string {
  return url.startsWith('/assets/') ? assetUrl(url.slice('/assets/'.length)) : url;
}

/** The price in the product's currency. */
export function Price({ amount, currency }: { amount: number; currency: string }) {
  return <p class="price">{formatMoney(amount, currency)}</p>;
}

/** "In stock", "Only 3 left" or "Sold out"; the class says which (`stock in-stock|low-stock|sold-out`). */
export function Stock({ stock }: { stock: StockState }) {
  return <p class={`stock ${stock.state}`}>{stock.label}</p>;
}

function Card({ product, headingLevel }: { product: ProductCard; headingLevel: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <li class="product-card">
      <article>
        <a class="product-link" href={`/${product.sku}`}>
          {product.image ? (
            <img class="product-image" src={imageSrc(product.image.url)} alt={product.image.alt} loading="lazy" decoding="async" />
          ) : (
            <span class="product-image placeholder" aria-hidden="true" />
          )}
          <Heading class="product-name">{product.name}</Heading>
        </a>
        {product.summary && <p class="summary">{product.summary}</p>}
        <Price amount={product.price} currency={product.currency} />
        {product.stock.state !== 'in-stock' && <Stock stock={product.stock} />}
      </article>
    </li>
  );
}

/** A grid of product cards (`ul.product-grid > li.product-card`). */
export function ProductGrid({ products, headingLevel = 2 }: { products: ProductCard[]; headingLevel?: 2 | 3 }) {
  return (
    <ul class="product-grid">
      {products.map((p) => (
        <Card key={p.id} product={p} headingLevel={headingLevel} />
      ))}
    </ul>
  );
}

/** Links for page N of a list, given how to build a page's URL. */
export function pageLinks(pagination: Pagination, href: (page: number) => string) {
  return {
    prev: pagination.hasPrev ? href(pagination.page - 1) : null,
    next: pagination.hasNext ? href(pagination.page + 1) : null,
  };
}

/** `<link rel=prev/next>` for the document head. */
export function PageHeadLinks({ pagination, href }: { pagination: Pagination; href: (page: number) => string }) {
  const { prev, next } = pageLinks(pagination, href);
  return (
    <>
      {prev && <link rel="prev" href={prev} />}
      {next && <link rel="next" href={next} />}
    </>
  );
}

/** Previous / numbered / next links (`nav.pagination`); the current page is marked aria-current. */
export function PaginationNav({ pagination, href }: { pagination: Pagination; href: (page: number) => string }) {
  if (pagination.pageCount <= 1) return null;
  const { prev, next } = pageLinks(pagination, href);
  return (
    <nav class="pagination" aria-label="Pages">
      <ul>
        <li class="prev">{prev ? <a href={prev} rel="prev">Previous</a> : <span aria-disabled="true">Previous</span>}</li>
        {pageWindow(pagination.page, pagination.pageCount).map((n, i) =>
          n === 'gap' ? (
            <li key={`gap-${i}`} class="gap" aria-hidden="true">…</li>
          ) : (
            <li key={n}>
              <a href={href(n)} aria-current={n === pagination.page ? 'page' : undefined} aria-label={`Page ${n}`}>
                {n}
              </a>
            </li>
          ),
        )}
        <li class="next">{next ? <a href={next} rel="next">Next</a> : <span aria-disabled="true">Next</span>}</li>
      </ul>
    </nav>
  );
}
