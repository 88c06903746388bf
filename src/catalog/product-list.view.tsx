import { assetUrl } from '../platform/assets.js';
import { formatMoney } from '../platform/money.js';
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
