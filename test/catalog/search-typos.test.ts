import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct, type CatalogFixtures } from '../support/factories.js';

const main = (body: string) => /<main id="main">([\s\S]*)<\/main>/.exec(body)?.[1] ?? '';
const search = (t: TestApp, q: string) => t.app.inject({ url: '/search', query: { q } });
/** SKUs of the result cards, in order. */
const skus = (body: string) => [...main(body).matchAll(/<a class="product-link" href="\/([^"]+)"/g)].map((m) => m[1]);
/** The "Did you mean" link's target and text, or null when the page has none. */
const didYouMean = (body: string) => {
  const m = /Did you mean <a href="([^"]+)">([^<]+)<\/a>/.exec(main(body));
  return m ? { href: m[1]!.replaceAll('&amp;', '&'), text: m[2] } : null;
};

describe.each(testDialects)('search forgiving typos and accents on %s', (dialect) => {
  let t: TestApp;
  let f: CatalogFixtures;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    f = catalogFixtures(t.db);
    await makeProduct(f.catalog, { sku: 'VF-1', name: 'VectorForge Studio', summary: 'Vector drawing.', description: 'Paths and shapes.' });
    await makeProduct(f.catalog, { sku: 'PG-1', name: 'PostgreSQL Handbook', summary: 'Databases.', description: 'Tuning postgres.' });
    await makeProduct(f.catalog, { sku: 'TAC-1', name: 'Chess Tactics', summary: 'Puzzles.', description: 'Forks and pins.' });
    await makeProduct(f.catalog, { sku: 'MENU-1', name: 'Menu Kit', summary: 'Menus.', description: 'Templates for a small café.' });
    await makeProduct(f.catalog, { sku: 'CAFE-2', name: 'Cafe Photos', summary: 'Stock photos.', description: 'Coffee cups.' });
    // Misspelt in its own text: an exact match for "postgress", ranked before the close ones.
    await makeProduct(f.catalog, { sku: 'TYPO-1', name: 'Query Notes', summary: 'Notes.', description: 'Written for postgress users.' });
    await makeProduct(f.catalog, { sku: 'CAR-1', name: 'Car Icons', summary: 'Icons.', description: 'Wheels.' });
    await makeProduct(f.catalog, { sku: 'DRAFT-1', name: 'Mandolin Method', status: 'draft' });
  });
  afterAll(() => t.close());

  it('finds the product a mistyped word meant and offers the correction', async () => {
    for (const [q, sku, corrected] of [
      ['vectrforge', 'VF-1', 'vectorforge'],
      ['tacticts', 'TAC-1', 'tactics'],
      ['Vectrforge studio', 'VF-1', 'vectorforge studio'],
    ] as const) {
      const res = await search(t, q);
      expect(res.statusCode, q).toBe(200);
      expect(skus(res.body), q).toEqual([sku]);
      expect(didYouMean(res.body), q).toEqual({
        href: `/search?q=${encodeURIComponent(corrected).replaceAll('%20', '+')}`,
        text: corrected,
      });
    }
    expect(skus((await search(t, 'postgress')).body)).toContain('PG-1');
  });

  it('ranks exact matches before close ones and offers no correction when something matched exactly', async () => {
    const res = await search(t, 'postgress');
    expect(skus(res.body)).toEqual(['TYPO-1', 'PG-1']);
    expect(didYouMean(res.body)).toBeNull();
    expect(main(res.body)).toContain('2 products found');
  });

  it('folds accents on both sides', async () => {
    for (const q of ['cafe', 'café', 'CAFÉ', 'Cafe\u0301']) expect(skus((await search(t, q)).body).sort(), q).toEqual(['CAFE-2', 'MENU-1']);
    expect(didYouMean((await search(t, 'cafe')).body)).toBeNull();
  });

  it('corrects no short word and offers nothing when nothing is close', async () => {
    for (const q of ['cat', 'cars', 'fond', 'zzzzzzzz', 'mandolinn']) {
      const res = await search(t, q);
      expect(skus(res.body), q).toEqual([]);
      expect(didYouMean(res.body), q).toBeNull();
    }
    expect(main((await search(t, 'cat')).body)).toContain('No products match “cat”');
  });

  it('answers very long and punctuation-only input with a page', async () => {
    const long = await search(t, `vectrforge ${'x'.repeat(5000)}`);
    expect(long.statusCode).toBe(200);
    expect(main(long.body)).toMatch(/No products match|products? found/);
    const punctuation = await search(t, '?!.,;:-*"()');
    expect(punctuation.statusCode).toBe(200);
    expect(main(punctuation.body)).toContain('No products match');
  });

  it('makes a new product’s words searchable, typos included, at once', async () => {
    expect(skus((await search(t, 'zephyrine')).body)).toEqual([]);
    await makeProduct(f.catalog, { sku: 'NEW-1', name: 'Zephyrine Brushes', summary: 'Brushes.', description: 'Soft.' });
    expect(skus((await search(t, 'zephyrine')).body)).toEqual(['NEW-1']);
    expect(skus((await search(t, 'zephirine')).body)).toEqual(['NEW-1']);
    await f.catalog.updateProduct('NEW-1', { description: 'Made in Québec.' });
    expect(skus((await search(t, 'quebecc')).body)).toEqual(['NEW-1']);
  });
});
