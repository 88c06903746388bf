import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct, type CatalogFixtures } from '../support/factories.js';

const main = (body: string) => /<main id="main">([\s\S]*)<\/main>/.exec(body)?.[1] ?? '';
const search = (t: TestApp, q: string, page?: string) => t.app.inject({ url: '/search', query: page === undefined ? { q } : { q, page } });
/** SKUs of the result cards, in order. */
const skus = (body: string) => [...main(body).matchAll(/<a class="product-link" href="\/([^"]+)"/g)].map((m) => m[1]);

describe.each(testDialects)('search on %s', (dialect) => {
  let t: TestApp;
  let f: CatalogFixtures;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    f = catalogFixtures(t.db);
    await makeProduct(f.catalog, {
      sku: 'DESC-ONLY',
      name: 'Sound studio',
      summary: 'Record and mix.',
      description: 'Works well with any vectorizer plugin.',
    });
    await makeProduct(f.catalog, {
      sku: 'NAME-HIT',
      name: 'Vectorizer Deluxe',
      summary: 'Trace bitmaps.',
      description: 'Turns bitmaps into paths.',
    });
    await makeProduct(f.catalog, {
      sku: 'CAFE-1',
      name: 'Café Fonts',
      summary: 'Typefaces for menus.',
      description: 'Hand-drawn lettering.',
    });
    await makeProduct(f.catalog, { sku: 'TOKYO-1', name: '東京 Travel Guide', summary: 'A city guide.', description: 'Maps and tips.' });
    await makeProduct(f.catalog, { sku: 'HIDDEN-DRAFT', name: 'Vectorizer Draft', status: 'draft' });
    await makeProduct(f.catalog, { sku: 'HIDDEN-ARCHIVED', name: 'Vectorizer Archive', status: 'archived' });
    await makeProduct(f.catalog, { sku: 'ZX-9.Q_1', name: 'Odd sku thing', summary: 'Nothing to see.' });
    for (let i = 1; i <= 30; i++) await makeProduct(f.catalog, { sku: `WIDGET-${i}`, name: `Widget ${i}`, summary: 'A handy widget.' });
  });
  afterAll(() => t.close());

  it('finds products by name, summary, description and SKU, prefix words, case and accents folded', async () => {
    expect(skus((await search(t, 'vector')).body).sort()).toEqual(['DESC-ONLY', 'NAME-HIT']);
    expect(skus((await search(t, 'BITMAPS')).body)).toEqual(['NAME-HIT']);
    expect(skus((await search(t, 'lettering')).body)).toEqual(['CAFE-1']);
    expect(skus((await search(t, 'cafe')).body)).toEqual(['CAFE-1']);
    expect(skus((await search(t, 'café fonts')).body)).toEqual(['CAFE-1']);
    expect(skus((await search(t, 'tokyo')).body)).toEqual(['TOKYO-1']);
  });

  it('ranks a name match above a description-only match', async () => {
    const res = await search(t, 'vectorizer');
    expect(res.statusCode).toBe(200);
    expect(skus(res.body)).toEqual(['NAME-HIT', 'DESC-ONLY']);
    expect(main(res.body)).toContain('2 products found');
  });

  it('requires every word (AND) and shows the query back', async () => {
    const res = await search(t, 'vectorizer record');
    expect(skus(res.body)).toEqual(['DESC-ONLY']);
    expect(main(res.body)).toContain('Results for “vectorizer record”');
    expect(res.body).toContain('<input id="search-q" type="search" name="q" placeholder="Search products" value="vectorizer record"');
  });

  it('matches a SKU typed exactly, in any case, first', async () => {
    expect(skus((await search(t, 'zx-9.q_1')).body)).toEqual(['ZX-9.Q_1']);
    expect(skus((await search(t, 'NAME-HIT')).body)[0]).toBe('NAME-HIT');
    expect(skus((await search(t, 'widget-7')).body)[0]).toBe('WIDGET-7');
  });

  it('never shows drafts or archived products', async () => {
    const body = (await search(t, 'vectorizer')).body;
    expect(body).not.toMatch(/HIDDEN-|Vectorizer Draft|Vectorizer Archive/);
    expect(skus((await search(t, 'hidden-draft')).body)).toEqual([]);
  });

  it('asks for input when there is nothing to search for', async () => {
    for (const q of ['', '   ', '\t\n']) {
      const res = await search(t, q);
      expect(res.statusCode).toBe(200);
      expect(main(res.body)).toContain('Type something to search');
    }
    const bare = await t.app.inject('/search');
    expect(bare.statusCode).toBe(200);
    expect(main(bare.body)).toContain('Type something to search');
  });

  it('answers every odd input with a page, never an error', async () => {
    const inputs = [
      '"',
      '*',
      'NEAR(',
      '-',
      'OR',
      'AND',
      'NOT',
      '(',
      ')',
      ':',
      '^',
      '""*',
      'a*b',
      'sku:',
      '{name}:x',
      'x'.repeat(10_000),
      '😀🎉',
      '%',
      '\\',
      "'",
      'widget OR 1=1',
      "'; drop table products; --",
      '\u0000',
      'a\u0301',
      '\ud800',
    ];
    for (const q of inputs) {
      const res = await search(t, q);
      expect(res.statusCode, JSON.stringify(q.slice(0, 20))).toBe(200);
      expect(main(res.body), JSON.stringify(q.slice(0, 20))).toMatch(/No products match|products? found|Type something to search/);
    }
    const injection = await search(t, "'; drop table products; --");
    expect(main(injection.body)).toContain("No products match “'; drop table products; --”");
    expect((await t.app.inject('/WIDGET-1')).statusCode).toBe(200);
    // An operator-looking word is just a word: "widget OR" finds widgets containing "or"-prefixed words, not everything.
    expect(skus((await search(t, 'widget OR 1=1')).body)).toEqual([]);
  });

  it('survives random Unicode without a server error', async () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 60; i++) {
      const q = Array.from({ length: 1 + Math.floor(rand() * 12) }, () => String.fromCodePoint(Math.floor(rand() * 0x2ffff) % 0xd800)).join(
        '',
      );
      expect((await search(t, q)).statusCode, JSON.stringify(q)).toBe(200);
    }
  });

  it('says so when nothing matches', async () => {
    const res = await search(t, 'nonexistentword');
    expect(res.statusCode).toBe(200);
    expect(main(res.body)).toContain('No products match “nonexistentword”');
  });

  it('pages results 24 at a time; a bad page is 400, a page past the end 404', async () => {
    const first = await search(t, 'widget');
    expect(skus(first.body)).toHaveLength(24);
    expect(main(first.body)).toContain('30 products found, page 1 of 2');
    expect(first.body).toContain('<link rel="next" href="/search?q=widget&amp;page=2"/>');
    const second = await search(t, 'widget', '2');
    expect(skus(second.body)).toHaveLength(6);
    expect(second.body).toContain('<link rel="prev" href="/search?q=widget"/>');
    expect(new Set([...skus(first.body), ...skus(second.body)]).size).toBe(30);
    for (const page of ['0', '-1', 'abc']) expect((await search(t, 'widget', page)).statusCode, page).toBe(400);
    const past = await search(t, 'widget', '3');
    expect(past.statusCode).toBe(404);
    expect(past.body).toContain('There is no page 3 of results for “widget”.');
  });

  it('keeps the index in sync when a product is renamed, archived, re-activated or deleted', async () => {
    const { sku } = await makeProduct(f.catalog, { name: 'Quasar Toolkit', description: 'Nebula tools.' });
    expect(skus((await search(t, 'quasar')).body)).toEqual([sku]);

    await f.catalog.updateProduct(sku, { name: 'Pulsar Toolkit', description: 'Galaxy tools.' });
    expect(skus((await search(t, 'quasar')).body)).toEqual([]);
    expect(skus((await search(t, 'nebula')).body)).toEqual([]);
    expect(skus((await search(t, 'pulsar galaxy')).body)).toEqual([sku]);

    await f.catalog.updateProduct(sku, { price: 1234 });
    expect(skus((await search(t, 'pulsar')).body)).toEqual([sku]);

    await f.catalog.updateProduct(sku, { status: 'archived' });
    expect(skus((await search(t, 'pulsar')).body)).toEqual([]);
    await f.catalog.updateProduct(sku, { status: 'active', summary: 'Back again.' });
    expect(skus((await search(t, 'pulsar')).body)).toEqual([sku]);

    await f.catalog.deleteProduct(sku);
    expect(skus((await search(t, 'pulsar')).body)).toEqual([]);
    expect(main((await search(t, 'pulsar')).body)).toContain('No products match');
  });
});
