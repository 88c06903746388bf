import { renderToString } from 'preact-render-to-string';
import { DirectLayout, Layout } from '../pages/layout.js';
import type { ViewContext } from '../pages/view-context.js';
import type { FragmentCache } from '../platform/fragments.js';
import { renderKept } from '../platform/render.js';
import type { ProductDetail, ProductPage } from './catalog.service.js';
import { ProductPicture } from './product-image.view.js';
import { Price, Stock } from './product-list.view.js';
import type { StockState } from './stock.js';

const delivery: Record<ProductDetail['type'], string> = {
  key_lim: 'A license key, shown on your order page as soon as payment succeeds.',
  key: 'A license key issued for you, shown on your order page as soon as payment succeeds.',
  file: 'A download from your order page as soon as payment succeeds.',
};

// The first image spans the gallery column (about half the page on wide screens); the others are a quarter of it.
const GALLERY_SIZES = '(min-width: 48rem) 50vw, 100vw';
const THUMB_SIZES = '(min-width: 48rem) 12vw, 25vw';

function Gallery({ images }: { images: ProductDetail['images'] }) {
  if (images.length === 0) return null;
  return (
    <section class="gallery" aria-label="Images">
      <ul>
        {images.map((img, i) => (
          <li key={i}>
            <ProductPicture image={img} sizes={i === 0 ? GALLERY_SIZES : THUMB_SIZES} loading={i === 0 ? 'eager' : 'lazy'} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function AddToCart({ sku, stock }: { sku: string; stock: StockState }) {
  const soldOut = stock.maxQuantity === 0;
  return (
    <form class="add-to-cart" method="post" action="/cart">
      <input type="hidden" name="sku" value={sku} />
      <label for="quantity">Quantity</label>
      <input
        id="quantity"
        name="quantity"
        type="number"
        inputMode="numeric"
        min={1}
        max={Math.max(1, stock.maxQuantity)}
        step={1}
        value={1}
        required
        disabled={soldOut}
      />
      <button type="submit" class="button primary" disabled={soldOut}>
        {soldOut ? 'Sold out' : 'Add to cart'}
      </button>
    </form>
  );
}

function Description({ product }: { product: ProductDetail }) {
  return (
    <>
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
    </>
  );
}

function Heading({ product }: { product: ProductDetail }) {
  return (
    <>
      <h1>{product.name}</h1>
      {product.summary && <p class="product-summary">{product.summary}</p>}
      <Price amount={product.price} currency={product.currency} />
    </>
  );
}

function Tail({ product }: { product: ProductDetail }) {
  return (
    <>
      <p class="delivery">{delivery[product.type]}</p>
      <p class="sku">
        SKU: <span>{product.sku}</span>
      </p>
    </>
  );
}

/** What changes from one request to the next: stock and the form. */
function Live({ product, stock, taxNote }: { product: ProductDetail; stock: StockState; taxNote?: string }) {
  return (
    <>
      {taxNote && <p class="tax-note">Price {taxNote}</p>}
      <Stock stock={stock} />
      <AddToCart sku={product.sku} stock={stock} />
    </>
  );
}

interface PageProps {
  ctx: ViewContext;
  page: ProductPage;
}

// The parts of a product's page that are the same for every visitor, kept by product id and update
// time: what comes before the live part and what comes after it.
function fixedParts(fragments: FragmentCache, product: Readonly<ProductDetail>): readonly string[] {
  return fragments.parts(`product:${product.id}@${product.updatedAt}`, () => [
    `${renderKept(<Gallery images={product.images} />)}<div class="product-info">${renderKept(<Heading product={product} />)}`,
    `${renderKept(<Tail product={product} />)}</div>${renderKept(<Description product={product} />)}`,
  ]);
}

/** A product: gallery, name, price, stock, add to cart, description and specifications. */
export function ProductDetailPage({ ctx, page: { product, stock } }: PageProps) {
  const live = renderToString(<Live product={product} stock={stock} taxNote={ctx.taxNote} />);
  return (
    <Layout ctx={ctx} {...headOf(product)}>
      <article class="product-detail" dangerouslySetInnerHTML={{ __html: fixedParts(ctx.fragments, product).join(live) }} />
    </Layout>
  );
}

/** The page rendered element by element, never from kept parts: what ProductDetailPage must equal. */
export function DirectProductDetailPage({ ctx, page: { product, stock } }: PageProps) {
  return (
    <DirectLayout ctx={ctx} {...headOf(product)}>
      <article class="product-detail">
        <Gallery images={product.images} />
        <div class="product-info">
          <Heading product={product} />
          <Live product={product} stock={stock} taxNote={ctx.taxNote} />
          <Tail product={product} />
        </div>
        <Description product={product} />
      </article>
    </DirectLayout>
  );
}

const headOf = (product: ProductDetail) => ({
  title: product.name,
  description: product.summary || undefined,
  head: <link rel="canonical" href={`/${product.sku}`} />,
});
