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

  it('gives logged-in visitors and carts with items the same frame, with the badge and account links filled in', () => {
    const ann = { name: 'Ann <A> & "co"', email: 'a@example.com' };
    const owner = { name: 'Olga', email: 'o@example.com', isOwner: true };
    const cases: [ViewContext, string?, string?][] = [];
    for (const user of [null, ann, owner, { name: '', email: 'n@example.com' }, { ...ann, isOwner: false }])
      for (const cartCount of [0, 1, 2, 37])
        for (const more of [{}, { searchQuery: 'x "y" & <z>' }, { path: '/category/games' }, { path: '/some path/ü?x=1&y="2"' }])
          cases.push([visitor({ user, cartCount, ...more }), 'Tools & <more>', cartCount === 2 ? 'All the "tools"' : undefined]);
    for (const [ctx, title, description] of cases) {
      const { templated, direct } = both(ctx, title, description);
      expect(templated).toBe(direct);
    }
    const page = (ctx: ViewContext) => both(ctx).templated;
    expect(page(visitor({ user: ann }))).toContain('<a href="/profile">Ann &lt;A> &amp; &quot;co&quot;</a>');
    expect(page(visitor({ user: ann }))).toContain('<script src="/auth/session.js" defer></script><link rel="next"');
    expect(page(visitor({ user: ann }))).not.toContain('href="/admin"');
    expect(page(visitor({ user: owner }))).toContain('<a href="/admin">Admin</a>');
    expect(page(visitor({ user: { name: '', email: 'n@example.com' } }))).toContain('<a href="/profile">Profile</a>');
    expect(page(visitor({ cartCount: 1 }))).toContain('<span class="badge" aria-label="1 item">1</span>');
    expect(page(visitor({ user: ann, cartCount: 37 }))).toContain('<span class="badge" aria-label="37 items">37</span>');
    expect(page(visitor({ user: ann, cartCount: 0 }))).not.toContain('class="badge"');
    expect(page(visitor({ path: '/a b' }))).toContain('<a href="/login?returnTo=%2Fa%20b">Log in</a>');
    expect(page(visitor({ user: ann }))).not.toContain('/login?');
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
