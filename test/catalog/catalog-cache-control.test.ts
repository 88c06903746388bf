import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeCategory, makeProduct } from '../support/factories.js';

/** The CSRF token the layout puts in a page's head. */
const csrfIn = (html: string) => /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];

describe.each(testDialects)('catalog pages and shared caches on %s', (dialect) => {
  const paths = ['/', '/category/cache-shelf', '/search?q=cached', '/CACHED-1'];
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    const f = catalogFixtures(t.db);
    await makeCategory(f.catalog, { slug: 'cache-shelf', name: 'Cache shelf' });
    await makeProduct(f.catalog, { sku: 'CACHED-1', name: 'Cached tool', categories: ['cache-shelf'] });
  });
  afterAll(() => t.close());

  // A shared cache that kept a first visit would hand every later visitor the first one's CSRF token.
  it('keeps every catalog page, even a first anonymous visit, out of shared caches', async () => {
    for (const path of paths) {
      const first = await t.app.inject(path);
      const second = await t.app.inject(path);
      expect(first.statusCode, path).toBe(200);
      expect(first.headers['cache-control'], path).toBe('private, no-cache');
      expect(first.headers.vary, path).toContain('Cookie');
      const token = csrfIn(first.body);
      expect(token, path).toMatch(/^[\w-]{16,}$/);
      expect(csrfIn(second.body), path).not.toBe(token);
    }
  });
});
