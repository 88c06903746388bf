import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { createFragmentCache } from '../platform/fragments.js';
import { DirectLayout, Layout } from './layout.js';
import type { ViewContext } from './view-context.js';

const fragments = createFragmentCache({ max: 100, maxChars: 1_000_000, idleMs: 60_000 });

const visitor = (overrides: Partial<ViewContext> = {}): ViewContext => ({
  shopName: 'Shop & Co',
  categories: [
    { slug: 'tools', name: 'Tools & <more>' },
    { slug: 'games', name: '“Games”' },
  ],
  user: null,
  cartCount: 0,
  path: '/',
  fragments,
  ...overrides,
});

/**
 * The same page through the layout (from its template and kept fragments where it applies) and
 * rendered element by element. The layout renders it three times: a first request keeps nothing,
 * a second keeps its fragments, a third is served from them; all three must be the same.
 */
const both = (ctx: ViewContext, title = 'Results for “a & b” <c>', description?: string) => {
  const [first, second, templated, direct] = [Layout, Layout, Layout, DirectLayout].map((L) =>
    renderToString(
      <L ctx={ctx} title={title} description={description} head={<link rel="next" href="/search?q=a&page=2" />}>
        <h1>Body with "quotes" & {'<tags>'}</h1>
        <p>{ctx.searchQuery}</p>
      </L>,
    ),
  );
  expect(first).toBe(templated);
  expect(second).toBe(templated);
  return { templated, direct };
};

describe('layout for visitors from a template', () => {
  it('is the layout rendered element by element, for any title, description, query and path, with no per-visitor secret', () => {
    const cases: [ViewContext, string?, string?][] = [
      [visitor()],
      [visitor({ searchQuery: 'a "b" & <c> \u2014 ü' }), 'Search'],
      [visitor({ path: '/category/tools' }), 'Tools & <more>', 'All the "tools" & more'],
      [visitor({ path: '/some path/ü?x=1&y="2"' }), 'Shop & Co'],
    ];
    for (const [ctx, title, description] of cases) {
      const { templated, direct } = both(ctx, title, description);
      expect(templated).toBe(direct);
      expect(templated).not.toMatch(/csrf/i);
    }
    expect(both(visitor({ path: '/category/tools' })).templated).toContain('<a href="/category/tools" aria-current="page">');
    expect(both(visitor({ searchQuery: 'x"y' })).templated).toContain('value="x&quot;y"');
  });

  it('is not used for logged-in visitors or a cart with items, whose pages differ', () => {
    for (const ctx of [visitor({ user: { name: 'Ann <A>', email: 'a@example.com', isOwner: true } }), visitor({ cartCount: 3 })]) {
      const { templated, direct } = both(ctx);
      expect(templated).toBe(direct);
    }
    expect(both(visitor({ user: { name: 'Ann <A>', email: 'a@example.com', isOwner: true } })).templated).toContain('Ann &lt;A>');
    expect(both(visitor({ cartCount: 3 })).templated).toContain('aria-label="3 items"');
  });

  it('follows the categories and the shop name: their kept HTML is keyed by them, not reused for others', () => {
    const before = both(visitor());
    expect(before.templated).toBe(before.direct);
    const renamed = both(visitor({ shopName: 'Other shop', categories: [{ slug: 'tools', name: 'Renamed tools' }] }));
    expect(renamed.templated).toBe(renamed.direct);
    expect(renamed.templated).toContain('Renamed tools');
    expect(renamed.templated).toContain('© Other shop');
    expect(renamed.templated).not.toContain('Games');
  });
});
