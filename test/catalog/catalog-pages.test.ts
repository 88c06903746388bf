import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeCategory, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';

/** The page's <main>, where the catalog's own markup is. */
const main = (body: string) => /<main id="main">([\s\S]*)<\/main>/.exec(body)?.[1] ?? '';
const count = (html: string, needle: string) => html.split(needle).length - 1;

describe.each(testDialects)('catalog pages on %s', (dialect) => {
  let t: TestApp;
  let f: CatalogFixtures;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    f = catalogFixtures(t.db);
    await makeCategory(f.catalog, { slug: 'design-tools', name: 'Design tools', description: 'Editors & friends', position: 1 });
    await makeCategory(f.catalog, { slug: 'empty-shelf', name: 'Empty shelf', position: 2 });
    await makeCategory(f.catalog, { slug: 'big', name: 'Big category', position: 3 });
    const day = 86_400_000;
    await makeProduct(f.catalog, {
      sku: 'OLD-FEATURED',
      name: 'Old featured tool',
      featured: true,
      categories: ['design-tools'],
      createdAt: Date.now() - 90 * day,
    });
    await makeProduct(f.catalog, {
      sku: 'PIXEL-PRO-1Y',
      name: 'Pixel Pro (1 year)',
      summary: 'Edit pixels <fast>.',
      price: 4900,
      categories: ['design-tools'],
      description: '## Why\n\n**Sharp** editing.\n\n<script>alert(1)</script>\n\n- layers\n- masks',
      specs: [
        ['Platform', 'Windows, macOS'],
        ['License', '1 seat'],
      ],
      images: [
        { url: '/assets/favicon.svg', alt: 'Pixel Pro editor window' },
        { url: '/assets/demo/none.svg', alt: 'Pixel Pro export dialog' },
      ],
    });
    await makeProduct(f.catalog, { sku: 'DRAFT-ONE', name: 'Unreleased draft', status: 'draft', categories: ['design-tools'] });
    await makeProduct(f.catalog, { sku: 'ARCHIVED-ONE', name: 'Retired archived', status: 'archived', categories: ['design-tools'] });
    await makeProduct(f.catalog, {
      sku: 'YEN-1',
      name: 'Yen priced',
      price: 1500,
      currency: 'JPY',
      type: 'file',
      downloadLimit: 3,
      accessDays: 7,
    });
    await makeKeyLimProduct(f, 0, { sku: 'SOLD-OUT', name: 'Sold out game', categories: ['design-tools'] });
    await makeKeyLimProduct(f, 3, { sku: 'LAST-FEW', name: 'Last few keys' });
    await makeKeyLimProduct(f, 12, { sku: 'PLENTY', name: 'Plenty of keys' });
    for (let i = 1; i <= 50; i++)
      await makeProduct(f.catalog, { sku: `BIG-${String(i).padStart(2, '0')}`, name: `Big item ${i}`, categories: ['big'] });
  });
  afterAll(() => t.close());

  describe('home', () => {
    it('shows featured products and new arrivals, active only, with prices and links', async () => {
      const res = await t.app.inject('/');
      expect(res.statusCode).toBe(200);
      const html = main(res.body);
      expect(html).toContain('<h2 id="featured-heading">Featured</h2>');
      expect(html).toContain('New arrivals');
      const featured = html.slice(html.indexOf('featured-heading'), html.indexOf('new-arrivals-heading'));
      expect(featured).toContain('href="/OLD-FEATURED"');
      expect(featured).not.toContain('PIXEL-PRO-1Y');
      const arrivals = html.slice(html.indexOf('new-arrivals-heading'));
      expect(count(arrivals, 'class="product-card"')).toBe(8);
      expect(arrivals).toContain('Big item 50');
      expect(html).not.toMatch(/DRAFT-ONE|ARCHIVED-ONE|Unreleased|Retired/);
      // The same page for every anonymous visitor: shared caches may keep it.
      expect(res.headers['cache-control']).toMatch(/^public, max-age=0, s-maxage=\d+/);
      expect(res.headers.vary).toContain('Cookie');
    });

    it('lists the categories in the header, in their order', async () => {
      const body = (await t.app.inject('/')).body;
      const nav = body.slice(body.indexOf('aria-label="Categories"'));
      expect(nav.indexOf('Design tools')).toBeLessThan(nav.indexOf('Empty shelf'));
      expect(nav).toContain('href="/category/big"');
    });
  });

  describe('category', () => {
    it('lists active products newest first, with price, image and stock badge', async () => {
      const res = await t.app.inject('/category/design-tools');
      expect(res.statusCode).toBe(200);
      const html = main(res.body);
      expect(html).toContain('<h1>Design tools</h1>');
      expect(html).toContain('Editors &amp; friends');
      expect(html).toContain('3 products');
      expect(html.indexOf('Sold out game')).toBeLessThan(html.indexOf('Pixel Pro (1 year)'));
      expect(html.indexOf('Pixel Pro (1 year)')).toBeLessThan(html.indexOf('Old featured tool'));
      expect(html).toContain('<p class="price">€49.00</p>');
      expect(html).toMatch(/<img class="product-image" src="\/assets\/favicon\.svg\?v=[0-9a-f]+" alt="Pixel Pro editor window"/);
      expect(html).toContain('<p class="stock sold-out">Sold out</p>');
      expect(html).not.toMatch(/Unreleased|Retired/);
      expect(res.body).toMatch(/<a href="\/category\/design-tools" aria-current="page">/);
    });

    it('shows stock as it is now though the list is cached, and drops a product archived since', async () => {
      await makeCategory(f.catalog, { slug: 'live-stock', name: 'Live stock', position: 9 });
      const game = await makeKeyLimProduct(f, 0, { sku: 'RESTOCKED', name: 'Restocked game', categories: ['live-stock'] });
      await makeProduct(f.catalog, { sku: 'TO-RETIRE', name: 'Soon retired', categories: ['live-stock'] });
      let html = main((await t.app.inject('/category/live-stock')).body);
      expect(html).toContain('<p class="stock sold-out">Sold out</p>');
      expect(html).toContain('Soon retired');

      await f.keyPool.importKeys(game.id, ['LIVE-1', 'LIVE-2']);
      html = main((await t.app.inject('/category/live-stock')).body);
      expect(html).toContain('<p class="stock low-stock">Only 2 left</p>');
      expect(html).not.toContain('Sold out');

      await f.catalog.updateProduct('TO-RETIRE', { status: 'archived' });
      html = main((await t.app.inject('/category/live-stock')).body);
      expect(html).not.toContain('Soon retired');
      expect(html).toContain('1 product');
    });

    it('pages 24 products at a time with numbered, previous and next links', async () => {
      const first = await t.app.inject('/category/big');
      let html = main(first.body);
      expect(count(html, 'class="product-card"')).toBe(24);
      expect(html).toContain('50 products, page 1 of 3');
      expect(html).toContain('Big item 50');
      expect(html).toMatch(/<a href="\/category\/big" aria-current="page" aria-label="Page 1">1<\/a>/);
      expect(html).toContain('<a href="/category/big?page=2" rel="next">Next</a>');
      expect(first.body).toContain('<link rel="next" href="/category/big?page=2"/>');
      expect(first.body).not.toContain('rel="prev"');

      const second = await t.app.inject('/category/big?page=2');
      html = main(second.body);
      expect(second.body).toContain('<title>Big category (page 2)');
      expect(second.body).toContain('<link rel="prev" href="/category/big"/>');
      expect(second.body).toContain('<link rel="next" href="/category/big?page=3"/>');
      expect(html).toMatch(/aria-current="page" aria-label="Page 2">2</);
      expect(html).toContain('Big item 26');
      expect(html).not.toContain('Big item 50<');

      const last = await t.app.inject('/category/big?page=3');
      html = main(last.body);
      expect(count(html, 'class="product-card"')).toBe(2);
      expect(html).toContain('Big item 1<');
      expect(last.body).not.toContain('rel="next"');
    });

    it('answers 400 for a page number that is not a whole number of 1 or more', async () => {
      for (const page of ['0', '-1', 'abc', '1.5', '1e2', '%20']) {
        const res = await t.app.inject(`/category/big?page=${page}`);
        expect(res.statusCode, page).toBe(400);
        expect(res.body).toContain('The page number must be a whole number, 1 or more.');
      }
    });

    it('answers 404 past the last page, never 500', async () => {
      for (const page of ['4', '9999', '99999999999999999999']) {
        const res = await t.app.inject(`/category/big?page=${page}`);
        expect(res.statusCode, page).toBe(404);
        expect(res.body).toContain('Big category has 3 pages');
      }
    });

    it('shows a friendly message for an empty category, and 404 for an unknown one', async () => {
      const empty = await t.app.inject('/category/empty-shelf');
      expect(empty.statusCode).toBe(200);
      expect(main(empty.body)).toContain('There are no products in Empty shelf yet.');
      expect(main(empty.body)).not.toContain('class="pagination"');
      expect((await t.app.inject('/category/empty-shelf?page=2')).statusCode).toBe(404);
      for (const slug of ['no-such-thing', '%3Cscript%3E', 'a'.repeat(150)]) {
        const res = await t.app.inject(`/category/${slug}`);
        expect(res.statusCode, slug).toBe(404);
        expect(res.body).toContain('We could not find that category.');
      }
    });
  });

  describe('product', () => {
    it('shows name, sanitised description, price, gallery, specifications and the add-to-cart form', async () => {
      const res = await t.app.inject('/PIXEL-PRO-1Y');
      expect(res.statusCode).toBe(200);
      const html = main(res.body);
      expect(html).toContain('<h1>Pixel Pro (1 year)</h1>');
      expect(html).toContain('Edit pixels &lt;fast>.');
      expect(html).toContain('<strong>Sharp</strong> editing.');
      expect(html).not.toContain('alert(1)');
      expect(html).toContain('<p class="price">€49.00</p>');
      expect(html).toContain('<p class="stock in-stock">In stock</p>');
      const gallery = html.slice(html.indexOf('class="gallery"'), html.indexOf('class="product-info"'));
      expect(gallery.indexOf('Pixel Pro editor window')).toBeLessThan(gallery.indexOf('Pixel Pro export dialog'));
      expect(html).toContain('<th scope="row">Platform</th><td>Windows, macOS</td>');
      expect(html).toContain('<form class="add-to-cart" method="post" action="/cart">');
      expect(html).toContain('<input type="hidden" name="sku" value="PIXEL-PRO-1Y"/>');
      expect(html).toMatch(
        /<label for="quantity">Quantity<\/label><input id="quantity" name="quantity" type="number"[^>]* min="1" max="10"/,
      );
      expect(html).toMatch(/<button type="submit" class="button primary">Add to cart<\/button>/);
      expect(res.body).toContain('<link rel="canonical" href="/PIXEL-PRO-1Y"/>');
      expect(html).not.toContain('_csrf');
      expect(res.headers['cache-control']).toMatch(/^public, max-age=0, s-maxage=\d+/);
    });

    it('finds a product by its SKU in any case', async () => {
      const res = await t.app.inject('/pixel-pro-1y');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<h1>Pixel Pro (1 year)</h1>');
    });

    it('formats the price for the currency (no decimals for yen)', async () => {
      expect(main((await t.app.inject('/yen-1')).body)).toContain('<p class="price">¥1,500</p>');
    });

    it('shows stock for limited keys: low, plenty, sold out (button disabled)', async () => {
      const few = main((await t.app.inject('/LAST-FEW')).body);
      expect(few).toContain('<p class="stock low-stock">Only 3 left</p>');
      expect(few).toMatch(/max="3"/);
      expect(main((await t.app.inject('/PLENTY')).body)).toContain('<p class="stock in-stock">In stock</p>');
      const sold = main((await t.app.inject('/SOLD-OUT')).body);
      expect(sold).toContain('<p class="stock sold-out">Sold out</p>');
      expect(sold).toMatch(/<button type="submit" class="button primary" disabled>Sold out<\/button>/);
      expect(sold).not.toContain('Add to cart');
    });

    it('shows stock as it is now though the page is cached, and every edit at once', async () => {
      const game = await makeKeyLimProduct(f, 0, { sku: 'PAGE-CACHED', name: 'Cached game', price: 1000 });
      const page = async () => main((await t.app.inject('/PAGE-CACHED')).body);
      // Twice: the second visit is what puts a product page in the cache.
      for (let i = 0; i < 2; i++) expect(await page()).toContain('<p class="stock sold-out">Sold out</p>');

      await f.keyPool.importKeys(game.id, ['PAGE-1', 'PAGE-2']);
      let html = await page();
      expect(html).toContain('<p class="stock low-stock">Only 2 left</p>');
      expect(html).toMatch(/<button type="submit" class="button primary">Add to cart<\/button>/);
      expect(html).toContain('<p class="price">€10.00</p>');

      await f.catalog.updateProduct('PAGE-CACHED', { name: 'Renamed game', price: 1250 });
      html = await page();
      expect(html).toContain('<h1>Renamed game</h1>');
      expect(html).toContain('<p class="price">€12.50</p>');

      await f.catalog.updateProduct('PAGE-CACHED', { status: 'archived' });
      expect((await t.app.inject('/PAGE-CACHED')).statusCode).toBe(404);
    });

    it('answers 404 for unknown, draft, archived, reserved and malformed SKUs', async () => {
      for (const path of [
        '/NO-SUCH-SKU',
        '/DRAFT-ONE',
        '/archived-one',
        '/order',
        '/Download',
        '/auth',
        '/CATEGORY',
        '/-dash',
        '/%F0%9F%98%80',
        '/a%20b',
        `/${'A'.repeat(65)}`,
      ]) {
        const res = await t.app.inject(path);
        expect(res.statusCode, path).toBe(404);
        expect(res.body, path).toContain('Page not found');
        expect(res.headers['cache-control'] ?? '', path).not.toContain('public');
      }
      expect((await t.app.inject('/DRAFT-ONE')).body).toContain('We could not find that product.');
      // Longer than any route parameter may be: the router refuses it before the catalog sees it.
      expect((await t.app.inject(`/${'B'.repeat(300)}`)).statusCode).toBe(414);
    });

    it('keeps reserved paths answering as themselves', async () => {
      expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    });
  });
});

describe.each(testDialects)('kept catalog HTML on %s', (dialect) => {
  // The clock never moves: two edits in one millisecond must still show, so rendered HTML kept by
  // product id and update time needs an update time that always grows.
  const now = 1_800_000_000_000;
  let t: TestApp;
  let f: CatalogFixtures;
  beforeAll(async () => {
    t = await createTestApp(dialect, {}, () => now);
    f = catalogFixtures(t.db, () => now);
    await makeCategory(f.catalog, { slug: 'kept', name: 'Kept' });
    await makeProduct(f.catalog, { sku: 'KEPT-1', name: 'First name', price: 1000, categories: ['kept'] });
  });
  afterAll(() => t.close());

  it('shows every edit on the category and product pages at once, however often they were served before', async () => {
    const pages = async () =>
      Promise.all(['/category/kept', '/KEPT-1', '/search?q=kept'].map(async (p) => main((await t.app.inject(p)).body)));
    for (let i = 0; i < 3; i++) for (const html of await pages()) expect(html).toContain('First name');
    for (const [name, price, shown] of [
      ['Second name', 1100, '€11.00'],
      ['Third name', 1200, '€12.00'],
    ] as const) {
      await f.catalog.updateProduct('KEPT-1', { name, price });
      for (let i = 0; i < 3; i++) {
        for (const html of await pages()) {
          expect(html).toContain(name);
          expect(html).toContain(shown);
          expect(html).not.toContain('First name');
        }
      }
    }
  });
});
