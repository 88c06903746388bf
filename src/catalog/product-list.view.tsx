import { renderToString } from 'preact-render-to-string';
import { assetUrl } from '../platform/assets.js';
import { formatMoney } from '../platform/money.js';
import { renderKept } from '../platform/render.js';
import type { CardProduct, ListedProduct } from './catalog.types.js';
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

/** A card's link, summary and price: everything on it but the stock line. */
function CardBody({ product, headingLevel }: { product: CardProduct; headingLevel: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <>
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
    </>
  );
}

/**
 * Card bodies rendered once per card object and heading level. Rendering two dozen cards cost more
 * than the rest of a list page's own work, and a body never changes: the catalog hands out the same
 * frozen card while it is cached and a new object after any change, and entries go when it does.
 */
const bodies = new WeakMap<Readonly<CardProduct>, Partial<Record<2 | 3, string>>>();

function cardHtml({ product, stock }: ListedProduct, headingLevel: 2 | 3): string {
  let rendered = bodies.get(product);
  if (!rendered) bodies.set(product, (rendered = {}));
  // Flat even for a card shown once: a page's strings live until it is written, long enough under
  // load to be promoted, and a flat string is one object where its rope was dozens (flattening only
  // cards shown twice cost a third of category pages' throughput, in old-generation collections).
  const body = (rendered[headingLevel] ??= renderKept(<CardBody product={product} headingLevel={headingLevel} />));
  return `<li class="product-card"><article>${body}${stock.state === 'in-stock' ? '' : stockLine(stock)}</article></li>`;
}

// Stock is live, so its line is looked up every time, by what it says: a handful of lines
// ("Sold out", "Only 1 left" … "Only 5 left").
const stockLines = new Map<string, string>();
function stockLine(stock: StockState): string {
  const key = `${stock.state} ${stock.label}`;
  let html = stockLines.get(key);
  if (html === undefined) stockLines.set(key, (html = renderToString(<Stock stock={stock} />)));
  return html;
}

/** A grid of product cards (`ul.product-grid > li.product-card`); the markup Preact would make, from memoised parts. */
export function ProductGrid({ products, headingLevel = 2 }: { products: ListedProduct[]; headingLevel?: 2 | 3 }) {
  return <ul class="product-grid" dangerouslySetInnerHTML={{ __html: products.map((p) => cardHtml(p, headingLevel)).join('') }} />;
}
