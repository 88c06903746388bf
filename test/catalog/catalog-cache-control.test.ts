import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeCategory, makeProduct } from '../support/factories.js';

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

  // No page carries a per-visitor secret: what one anonymous visitor gets, every other one may be given.
  it('gives every anonymous visitor the same catalog page, with no cookie, for shared caches', async () => {
    for (const path of paths) {
      const first = await t.app.inject(path);
      const second = await t.app.inject(path);
      expect(first.statusCode, path).toBe(200);
      expect(first.headers['set-cookie'], path).toBeUndefined();
      expect(first.headers['cache-control'], path).toBe('public, max-age=60');
      expect(first.headers.vary, path).toContain('Cookie');
      expect(second.body, path).toBe(first.body);
      expect(first.body, path).not.toMatch(/csrf/i);
    }
  });
});
