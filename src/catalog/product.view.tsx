import { Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import type { ProductPage } from './catalog.service.js';
import { imageSrc, Price, Stock } from './product-list.view.js';

const delivery: Record<ProductPage['type'], string> = {
  key_lim: 'A license key, shown on your order page as soon as payment succeeds.',
  key: 'A license key issued for you, shown on your order page as soon as payment succeeds.',
  file: 'A download from your order page as soon as payment succeeds.',
};

function Gallery({ images }: { images: ProductPage['images'] }) {
  if (images.length === 0) return null;
  return (
    <section class="gallery" aria-label="Images">
      <ul>
        {images.map((img, i) => (
          <li key={i}>
            <img src={imageSrc(img.url)} alt={img.alt} loading={i === 0 ? 'eager' : 'lazy'} decoding="async" />
          </li>
        ))}
      </ul>
    </section>
  );
}

function AddToCart({ product, csrfToken }: { product: ProductPage; csrfToken: string | null }) {
  const soldOut = product.stock.maxQuantity === 0;
  return (
    <form class="add-to-cart" method="post" action="/cart">
      <input type="hidden" name="sku" value={product.sku} />
      {csrfToken && <input type="hidden" name="_csrf" value={csrfToken} />}
      <label for="quantity">Quantity</label>
      <input id="quantity" name="quantity" type="number" inputMode="numeric" min={1} max={Math.max(1, product.stock.maxQuantity)} step={1} value={1} required disabled={soldOut} />
      <button type="submit" class="button primary" disabled={soldOut}>
        {soldOut ? 'Sold out' : 'Add to cart'}
      </button>
    </form>
  );
}

/** A product: gallery, name, price, stock, add to cart, description and specifications. */
export function ProductDetailPage({ ctx, product }: { ctx: ViewContext; product: ProductPage }) {
  return (
    <Layout ctx={ctx} title={product.name} description={product.summary || undefined} head={<link rel="canonical" href={`/${product.sku}`} />}>
      <article class="product-detail">
        <Gallery images={product.images} />
        <div class="product-info">
          <h1>{product.name}</h1>
          {product.summary && <p class="product-summary">{product.summary}</p>}
          <Price amount={product.price} currency={product.currency} />
          <Stock stock={product.stock} />
          <AddToCart product={product} csrfToken={ctx.csrfToken} />
          <p class="delivery">{delivery[product.type]}</p>
          <p class="sku">
            SKU: <span>{product.sku}</span>
          </p>
        </div>
        {product.descriptionHtml && (
          <section class="product-description" aria-labelledby="description-heading">
            <h2 id="description-heading">Description</h2>
            <div class="prose" dangerouslySetInnerHTML={{ __html: product.descriptionHtml }} />
          </section>
        )}
        {product.specs.length > 0 && (
          <section class="specs" aria-labelledby="specs-heading">
            <h2 id="specs-heading">Specifications</h2>
            <table class="specs-table">
              <tbody>
                {product.specs.map(([label, value], i) => (
                  <tr key={i}>
                    <th scope="row">{label}</th>
                    <td>{value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </article>
    </Layout>
  );
}
