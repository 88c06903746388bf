import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import type { ViewContext } from '../pages/view-context.js';
import { createFragmentCache } from '../platform/fragments.js';
import type { CardProduct, ListedProduct, ProductDetail } from './catalog.types.js';
import { DirectProductGrid, ProductGrid } from './product-list.view.js';
import { DirectProductDetailPage, ProductDetailPage } from './product.view.js';
import { stockState } from './stock.js';

const newFragments = () => createFragmentCache({ max: 1000, maxChars: 1_000_000, idleMs: 60_000 });

const card = (overrides: Partial<CardProduct> = {}): CardProduct => ({
  id: 7,
  updatedAt: 1_700_000_000_000,
  sku: 'TOOL-7',
  name: 'Tool "7" & <co>',
  summary: 'Sharp — ü & <b>bold</b>',
  price: 1999,
  currency: 'EUR',
  type: 'key_lim',
  image: { url: '/assets/logo.svg', alt: 'A "logo" & more' },
  ...overrides,
});

const detail = (overrides: Partial<ProductDetail> = {}): ProductDetail => ({
  ...card(),
  images: [
    { url: '/assets/logo.svg', alt: 'A "logo" & more' },
    { url: 'https://cdn.example.com/b.png?x=1&y=2', alt: 'Second' },
  ],
  descriptionHtml: '<p>Made by <strong>hand</strong>.</p>',
  specs: [
    ['Platform', 'Windows & macOS'],
    ['Licence', '“Perpetual”'],
  ],
  ...overrides,
});

const listed = (product: CardProduct, available?: number): ListedProduct => ({ product, stock: stockState(product.type, available) });

describe('product cards from kept fragments', () => {
  const products = [
    listed(card(), 3),
    listed(card({ id: 8, sku: 'NO-IMG', image: null, summary: '' }), 0),
    listed(card({ id: 9, sku: 'PLENTY', type: 'key', currency: 'JPY', price: 1500 })),
    listed(card({ id: 10, sku: 'LOTS' }), 50),
  ];

  it('are the grid rendered element by element, at either heading level, on every request', () => {
    const fragments = newFragments();
    for (const headingLevel of [2, 3] as const) {
      const direct = renderToString(<DirectProductGrid products={products} headingLevel={headingLevel} />);
      // The first request keeps nothing, the second keeps the cards, the third is served from them.
      for (let request = 0; request < 3; request++) {
        expect(renderToString(<ProductGrid products={products} headingLevel={headingLevel} fragments={fragments} />)).toBe(direct);
      }
      expect(direct).toContain(`<h${headingLevel} class="product-name">Tool &quot;7&quot; &amp; &lt;co></h${headingLevel}>`);
    }
    expect(fragments.size).toBeGreaterThan(0);
  });

  it('follow a product’s change and live stock, never showing kept HTML of an older version', () => {
    const fragments = newFragments();
    const grid = (items: ListedProduct[]) => renderToString(<ProductGrid products={items} fragments={fragments} />);
    for (let request = 0; request < 3; request++) grid([listed(card(), 3)]);
    const renamed = [listed(card({ name: 'Renamed', price: 2500, updatedAt: 1_700_000_000_001 }), 0)];
    expect(grid(renamed)).toBe(renderToString(<DirectProductGrid products={renamed} />));
    expect(grid(renamed)).toContain('Renamed');
    expect(grid(renamed)).toContain('Sold out');
    expect(grid(renamed)).not.toContain('Tool');
  });
});

describe('product pages from kept parts', () => {
  const ctx = (overrides: Partial<ViewContext> = {}): ViewContext => ({
    shopName: 'Shop',
    categories: [{ slug: 'tools', name: 'Tools' }],
    user: null,
    cartCount: 0,
    path: '/TOOL-7',
    fragments: newFragments(),
    ...overrides,
  });

  it('are the page rendered element by element, for visitors, buyers, stock states and products without extras', () => {
    const pages = [
      detail(),
      detail({ id: 8, images: [], image: null, summary: '', descriptionHtml: '', specs: [], type: 'file' }),
      detail({ id: 9, type: 'key', currency: 'JPY', price: 1500 }),
    ];
    for (const product of pages) {
      for (const context of [ctx(), ctx({ user: { name: 'Ann <A>', email: 'a@example.com' }, cartCount: 2 }), ctx({ cartCount: 1 })]) {
        for (const available of [0, 2, 40]) {
          const page = { product, stock: stockState(product.type, available) };
          const direct = renderToString(<DirectProductDetailPage ctx={context} page={page} />);
          for (let request = 0; request < 3; request++)
            expect(renderToString(<ProductDetailPage ctx={context} page={page} />)).toBe(direct);
        }
      }
    }
  });

  it('show a product’s new version at once, and each request’s own stock', () => {
    const context = ctx();
    const render = (product: ProductDetail, available: number) =>
      renderToString(<ProductDetailPage ctx={context} page={{ product, stock: stockState(product.type, available) }} />);
    for (let request = 0; request < 3; request++) render(detail(), 3);
    const changed = render(detail({ name: 'New name', descriptionHtml: '<p>New text</p>', updatedAt: 1_700_000_000_001 }), 1);
    expect(changed).toContain('<h1>New name</h1>');
    expect(changed).toContain('New text');
    expect(changed).not.toContain('hand');
    expect(changed).toContain('Only 1 left');
    expect(changed).not.toContain('_csrf');
  });
});
