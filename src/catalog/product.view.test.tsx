import { describe, expect, it } from 'vitest';
import type { ViewContext } from '../pages/view-context.js';
import { renderDocument } from '../platform/render.js';
import type { ProductDetail } from './catalog.types.js';
import { ProductDetailPage, productPageHtml } from './product.view.js';
import { stockState } from './stock.js';

const product = (overrides: Partial<ProductDetail> = {}): Readonly<ProductDetail> =>
  Object.freeze({
    id: 7,
    sku: 'TPL-1',
    name: 'Template & “Quotes” <Tool>',
    summary: 'Fast <and> "safe"',
    price: 1999,
    currency: 'EUR',
    type: 'key_lim',
    image: null,
    descriptionHtml: '<p>Description</p>',
    specs: [['Platform', 'Linux & <BSD>'] as const],
    images: [{ url: '/img/a.png', alt: 'A "picture"' }],
    ...overrides,
  });

const categories = [{ slug: 'tools', name: 'Tools & more' }];
const visitor = (overrides: Partial<ViewContext> = {}): ViewContext => ({ shopName: 'Shop', categories, user: null, csrfToken: 'salt-token_1', cartCount: 0, path: '/TPL-1', ...overrides });
const direct = (ctx: ViewContext, p: Readonly<ProductDetail>, available: number) => renderDocument(<ProductDetailPage ctx={ctx} page={{ product: p, stock: stockState(p.type, available) }} />);
const templated = (ctx: ViewContext, p: Readonly<ProductDetail>, available: number) => productPageHtml(ctx, { product: p, stock: stockState(p.type, available) });

describe('product page from a template', () => {
  it('is the page rendered directly, with each visitor’s token and the stock of the moment', () => {
    const p = product();
    for (const [token, available] of [['first-token', 12], ['second_token-2', 3], ['third', 0]] as const) {
      const ctx = visitor({ csrfToken: token });
      const html = templated(ctx, p, available);
      expect(html).toBe(direct(ctx, p, available));
      expect(html.split(token)).toHaveLength(3); // the meta tag and the add-to-cart form
    }
    expect(templated(visitor(), p, 0)).toContain('Sold out');
    expect(templated(visitor(), p, 2)).toContain('Only 2 left');
  });

  it('follows a new product object, category list and shop name', () => {
    const p = product();
    templated(visitor(), p, 5);
    const renamed = product({ name: 'Renamed' });
    expect(templated(visitor(), renamed, 5)).toContain('<h1>Renamed</h1>');
    const ctx = visitor({ categories: [{ slug: 'games', name: 'Games' }], shopName: 'Other shop' });
    expect(templated(ctx, p, 5)).toBe(direct(ctx, p, 5));
  });

  it('renders directly for logged-in visitors, a cart with items, another address or an unusual token', () => {
    const p = product();
    for (const ctx of [
      visitor({ user: { name: 'Ann <A>', email: 'ann@example.com' } }),
      visitor({ cartCount: 2 }),
      visitor({ path: '/tpl-1' }),
      visitor({ csrfToken: 'a"b<c' }),
      visitor({ csrfToken: null }),
    ]) {
      expect(templated(ctx, p, 4)).toBe(direct(ctx, p, 4));
    }
    expect(templated(visitor({ cartCount: 2 }), p, 4)).toContain('2 items');
    expect(templated(visitor({ csrfToken: 'a"b<c' }), p, 4)).toContain('a&quot;b&lt;c');
  });
});
