import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeCategory, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';

const SHARED = 'public, max-age=0, s-maxage=30, stale-while-revalidate=30';

describe.each(testDialects)('catalog pages and shared caches on %s', (dialect) => {
  const paths = ['/', '/category/cache-shelf', '/search?q=cached', '/CACHED-1', '/about'];
  let idp: TestIdp;
  let t: TestApp;
  let f: CatalogFixtures;
  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    f = catalogFixtures(t.db);
    await makeCategory(f.catalog, { slug: 'cache-shelf', name: 'Cache shelf' });
    await makeProduct(f.catalog, { sku: 'CACHED-1', name: 'Cached tool', categories: ['cache-shelf'] });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  // No page carries a per-visitor secret: what one anonymous visitor gets, every other one may be given.
  it('gives every anonymous visitor the same page, with no cookie, a shared Cache-Control and a strong ETag', async () => {
    for (const path of paths) {
      const first = await t.app.inject(path);
      const second = await t.app.inject(path);
      expect(first.statusCode, path).toBe(200);
      expect(first.headers['set-cookie'], path).toBeUndefined();
      expect(first.headers['cache-control'], path).toBe(SHARED);
      expect(first.headers.vary, path).toContain('Cookie');
      expect(first.headers.etag, path).toMatch(/^"[\w-]{20,}"$/);
      expect(second.headers.etag, path).toBe(first.headers.etag);
      expect(second.body, path).toBe(first.body);
      expect(first.body, path).not.toMatch(/csrf/i);
      expect(second.headers['x-request-id'], path).not.toBe(first.headers['x-request-id']);
    }
  });

  it('answers If-None-Match with 304 and no body, before and after the page is kept', async () => {
    const page = await t.app.inject('/search?q=cached');
    for (let i = 0; i < 3; i++) {
      const again = await t.app.inject({ url: '/search?q=cached', headers: { 'if-none-match': page.headers.etag as string } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(page.headers.etag);
    }
    const other = await t.app.inject({ url: '/search?q=cached', headers: { 'if-none-match': '"something-else"' } });
    expect(other.statusCode).toBe(200);
    expect(other.body).toBe(page.body);
  });

  it('answers a kept page from memory without a query, whatever the order of its query parameters', async () => {
    await t.app.inject('/search?q=cached&page=1');
    await t.app.inject('/search?page=1&q=cached');
    const before = t.db.statementCount();
    const kept = await t.app.inject('/search?q=cached&page=1');
    expect(kept.statusCode).toBe(200);
    expect(kept.body).toContain('Cached tool');
    expect(t.db.statementCount()).toBe(before);
  });

  it('shows a price change and new stock to the next anonymous visitor', async () => {
    const limited = await makeKeyLimProduct(f, 2, { sku: 'CACHED-LIM', name: 'Cached limited', categories: ['cache-shelf'] });
    for (let i = 0; i < 3; i++) await t.app.inject('/CACHED-1');
    await f.catalog.updateProduct('CACHED-1', { price: 4321 });
    expect((await t.app.inject('/CACHED-1')).body).toContain('43.21');

    for (let i = 0; i < 3; i++) expect((await t.app.inject(`/${limited.sku}`)).body).toMatch(/Only 2 left/);
    await f.keyPool.importKeys(limited.id, ['KEY-CACHED-EXTRA']);
    expect((await t.app.inject(`/${limited.sku}`)).body).toMatch(/Only 3 left/);
  });

  it('never gives a kept page to a logged-in visitor or one with a cart, and keeps nothing of theirs', async () => {
    for (let i = 0; i < 3; i++) await t.app.inject('/');
    const shared = await t.app.inject('/');
    const login = await loginAs(t.app, 'demo');
    const mine = await t.app.inject({ url: '/', headers: login.headers });
    expect(mine.headers['cache-control']).toBe('private, no-store');
    expect(mine.headers.etag).toBeUndefined();
    expect(mine.body).not.toBe(shared.body);
    expect(mine.body).toContain(login.user.name);

    const add = await t.app.inject({ method: 'POST', url: '/api/cart/add', payload: { sku: 'CACHED-1', quantity: 1 } });
    expect(add.statusCode).toBe(200);
    const cart = String(add.headers['set-cookie']).split(';')[0]!;
    for (const path of paths) {
      const withCart = await t.app.inject({ url: path, headers: { cookie: cart } });
      expect(withCart.headers['cache-control'], path).toBe('private, no-store');
      expect(withCart.body, path).not.toBe((await t.app.inject(path)).body);
    }
    // What they were shown was not kept for the next anonymous visitor.
    const after = await t.app.inject('/');
    expect(after.body).not.toContain(login.user.name);
    expect(after.headers['cache-control']).toBe(SHARED);
    // Their other pages are private too.
    expect((await t.app.inject({ url: '/contact', headers: { cookie: cart } })).headers['cache-control']).toMatch(/no-store/);
  });
});
