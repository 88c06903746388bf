import { renderToString } from 'preact-render-to-string';
import type { FragmentCache } from '../platform/fragments.js';
import { formatMoney } from '../platform/money.js';
import { renderKept } from '../platform/render.js';
import type { CardProduct, ListedProduct } from './catalog.types.js';
import { ProductPicture } from './product-image.view.js';
import type { StockState } from './stock.js';

// Cards are at least 15rem in a grid at most 72rem wide: about a third of the window on wide screens.
const CARD_SIZES = '(min-width: 48rem) 33vw, 100vw';

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
          <ProductPicture class="product-image" image={product.image} sizes={CARD_SIZES} loading="lazy" />
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

/** A card as Preact renders it: what the kept card HTML must equal. */
function Card({ product, stock, headingLevel }: ListedProduct & { headingLevel: 2 | 3 }) {
  return (
    <li class="product-card">
      <article>
        <CardBody product={product} headingLevel={headingLevel} />
        {stock.state !== 'in-stock' && <Stock stock={stock} />}
      </article>
    </li>
  );
}

// Rendering two dozen cards cost more than the rest of a list page's own work, and a card's body
// changes only with the product, so it is kept by product id, update time and heading level. Stock
// is live: its line is kept by what it says (a handful: "Sold out", "Only 1 left" … "Only 5 left").
// Kept flat even for a card shown once: a page's strings live until it is written, long enough under
// load to be promoted, and a flat string is one object where its rope was dozens.
function cardHtml(fragments: FragmentCache, { product, stock }: ListedProduct, headingLevel: 2 | 3): string {
  const body = fragments.html(`card${headingLevel}:${product.id}@${product.updatedAt}`, () =>
    renderKept(<CardBody product={product} headingLevel={headingLevel} />),
  );
  const stockLine =
    stock.state === 'in-stock' ? '' : fragments.html(`stock:${stock.state} ${stock.label}`, () => renderToString(<Stock stock={stock} />));
  return `<li class="product-card"><article>${body}${stockLine}</article></li>`;
}

interface GridProps {
  products: ListedProduct[];
  headingLevel?: 2 | 3;
  fragments: FragmentCache;
}

/** A grid of product cards (`ul.product-grid > li.product-card`); the markup Preact would make, from kept fragments. */
export function ProductGrid({ products, headingLevel = 2, fragments }: GridProps) {
  return (
    <ul class="product-grid" dangerouslySetInnerHTML={{ __html: products.map((p) => cardHtml(fragments, p, headingLevel)).join('') }} />
  );
}

/** The grid rendered element by element, never from kept fragments: what ProductGrid must equal. */
export function DirectProductGrid({ products, headingLevel = 2 }: Omit<GridProps, 'fragments'>) {
  return (
    <ul class="product-grid">
      {products.map((p) => (
        <Card {...p} headingLevel={headingLevel} />
      ))}
    </ul>
  );
}
