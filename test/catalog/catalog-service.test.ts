import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaches, type Caches } from '../../src/caches.js';
import { createCatalogService } from '../../src/catalog/catalog.service.js';
import { RESERVED_PATH_SEGMENTS } from '../../src/catalog/sku.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { catalogFixtures, makeCategory, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';

describe.each(testDialects)('catalog service on %s', (dialect) => {
  let db: TestDatabase;
  let f: CatalogFixtures;
  let caches: Caches;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    caches = createCaches();
    f = catalogFixtures(db, Date.now, caches);
  });
  afterAll(() => db.drop());

  const countProducts = () => f.catalog.countProducts();

  it('stores a product normalised: SKU and currency upper-case, categories, ordered gallery, specs', async () => {
    await makeCategory(f.catalog, { slug: 'Design-Tools', name: 'Design tools' });
    const { sku } = await makeProduct(f.catalog, {
      sku: '  pixel-pro_1y.v2 ',
      currency: 'eur',
      categories: ['design-tools'],
      specs: [['Platform', 'Windows, macOS']],
      images: [
        { url: '/assets/a.svg', alt: 'First' },
        { url: 'https://cdn.example.com/b.png', alt: 'Second' },
      ],
    });
    expect(sku).toBe('PIXEL-PRO_1Y.V2');
    const { product } = await f.catalog.getProductPage('Pixel-Pro_1y.V2');
    expect(product).toMatchObject({ sku: 'PIXEL-PRO_1Y.V2', currency: 'EUR', specs: [['Platform', 'Windows, macOS']] });
    expect(product.images.map((i) => i.alt)).toEqual(['First', 'Second']);
    expect((await f.catalog.getCategoryPage('design-tools', undefined)).products.map((p) => p.product.sku)).toEqual(['PIXEL-PRO_1Y.V2']);
  });

  it('refuses a duplicate SKU in any case with a clear code, storing nothing', async () => {
    await makeProduct(f.catalog, { sku: 'DUP-1' });
    const before = await countProducts();
    const again = makeProduct(f.catalog, { sku: 'dup-1' });
    await expect(again).rejects.toMatchObject({ code: 'duplicate_sku', status: 409 });
    await expect(again).rejects.toThrow('DUP-1');
    expect(await countProducts()).toBe(before);
  });

  it('refuses reserved and malformed SKUs', async () => {
    for (const sku of RESERVED_PATH_SEGMENTS.filter((s) => !s.startsWith('.'))) {
      await expect(makeProduct(f.catalog, { sku }), sku).rejects.toMatchObject({ code: 'reserved_sku', status: 400 });
    }
    await expect(makeProduct(f.catalog, { sku: 'Cart' })).rejects.toMatchObject({ code: 'reserved_sku' });
    for (const sku of ['', 'x', '-LEAD', '.well-known', 'has space', 'slash/sku', 'ÜMLAUT', 'A'.repeat(65)]) {
      await expect(makeProduct(f.catalog, { sku }), sku).rejects.toMatchObject({ code: 'invalid_sku', status: 400 });
    }
  });

  it('treats every reserved path segment as a page that is not a product (404)', async () => {
    for (const segment of RESERVED_PATH_SEGMENTS) {
      await expect(f.catalog.getProductPage(segment), segment).rejects.toMatchObject({ status: 404 });
      await expect(f.catalog.getProductPage(segment.toUpperCase()), segment).rejects.toMatchObject({ status: 404 });
    }
  });

  it('refuses bad prices, currencies, types, statuses, specs and images', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ price: -1 }, 'invalid_price'],
      [{ price: 9.99 }, 'invalid_price'],
      [{ price: Number.NaN }, 'invalid_price'],
      [{ price: 3_000_000_000 }, 'invalid_price'],
      [{ currency: 'EURO' }, 'invalid_currency'],
      [{ currency: 'XXY' }, 'invalid_currency'],
      [{ currency: '' }, 'invalid_currency'],
      [{ type: 'subscription' }, 'invalid_type'],
      [{ status: 'published' }, 'invalid_status'],
      [{ specs: [['Only a label']] }, 'invalid_specs'],
      [{ images: [{ url: 'javascript:alert(1)', alt: 'x' }] }, 'invalid_images'],
      [{ images: [{ url: '//evil.example/x.png', alt: 'x' }] }, 'invalid_images'],
      [{ images: [{ url: '/assets/x.svg', alt: '' }] }, 'invalid_product'],
      [{ name: '   ' }, 'invalid_product'],
      [{ categories: ['no-such-category'] }, 'unknown_category'],
      [{ type: 'key', downloadLimit: 5 }, 'invalid_product'],
    ];
    const before = await countProducts();
    for (const [overrides, code] of cases) {
      await expect(makeProduct(f.catalog, overrides), JSON.stringify(overrides)).rejects.toMatchObject({ code, status: 400 });
    }
    expect(await countProducts()).toBe(before);
  });

  it('accepts a free product and a zero-decimal currency', async () => {
    const { sku } = await makeProduct(f.catalog, { price: 0, currency: 'JPY' });
    expect((await f.catalog.getProductPage(sku)).product.price).toBe(0);
  });

  it('refuses duplicate and malformed category slugs', async () => {
    await makeCategory(f.catalog, { slug: 'audio' });
    await expect(makeCategory(f.catalog, { slug: 'AUDIO' })).rejects.toMatchObject({ code: 'duplicate_category', status: 409 });
    for (const slug of ['', 'two words', 'trailing-', 'ünï'])
      await expect(makeCategory(f.catalog, { slug })).rejects.toMatchObject({ code: 'invalid_category' });
  });

  it('updates a product, replacing categories and images only when given', async () => {
    await makeCategory(f.catalog, { slug: 'upd-a' });
    await makeCategory(f.catalog, { slug: 'upd-b' });
    const { sku } = await makeProduct(f.catalog, { categories: ['upd-a'], images: [{ url: '/assets/x.svg', alt: 'X' }] });
    await f.catalog.updateProduct(sku.toLowerCase(), { name: 'Renamed', price: 2500 });
    let { product } = await f.catalog.getProductPage(sku);
    expect(product).toMatchObject({ name: 'Renamed', price: 2500, images: [{ url: '/assets/x.svg', alt: 'X' }] });
    await f.catalog.updateProduct(sku, { categories: ['upd-b'], images: [] });
    ({ product } = await f.catalog.getProductPage(sku));
    expect(product.images).toEqual([]);
    expect((await f.catalog.getCategoryPage('upd-a', undefined)).products).toEqual([]);
    expect((await f.catalog.getCategoryPage('upd-b', undefined)).products.map((p) => p.product.sku)).toEqual([sku]);
    await expect(f.catalog.updateProduct(sku, { price: -5 })).rejects.toMatchObject({ code: 'invalid_price' });
    await expect(f.catalog.updateProduct('NOPE-404', { price: 5 })).rejects.toMatchObject({ code: 'product_not_found', status: 404 });
  });

  it('deletes an unsold product, and refuses to delete one with keys (archive instead)', async () => {
    const plain = await makeProduct(f.catalog);
    await f.catalog.deleteProduct(plain.sku);
    await expect(f.catalog.getProductPage(plain.sku)).rejects.toMatchObject({ status: 404 });
    const stocked = await makeKeyLimProduct(f, 2);
    await expect(f.catalog.deleteProduct(stocked.sku)).rejects.toMatchObject({ code: 'product_in_use', status: 409 });
    expect((await f.catalog.getProductPage(stocked.sku)).stock.label).toBe('Only 2 left');
  });

  it('serves header categories from memory, refreshed by any write through a service on the same caches', async () => {
    const other = catalogFixtures(db, Date.now, caches).catalog;
    const first = await f.catalog.listNavCategories();
    expect(await f.catalog.listNavCategories()).toBe(first);
    await makeCategory(other, { slug: 'fresh-category', name: 'Fresh' });
    expect((await f.catalog.listNavCategories()).map((c) => c.slug)).toContain('fresh-category');
    await other.updateCategory('fresh-category', { name: 'Fresher' });
    expect((await f.catalog.listNavCategories()).find((c) => c.slug === 'fresh-category')?.name).toBe('Fresher');
    // Another instance has caches of its own: its writes are seen here only once the TTL passes.
    const elsewhere = catalogFixtures(db, Date.now, createCaches()).catalog;
    await elsewhere.updateCategory('fresh-category', { name: 'Elsewhere' });
    expect((await f.catalog.listNavCategories()).find((c) => c.slug === 'fresh-category')?.name).toBe('Fresher');
  });

  it('reads afresh every time when built without caches (seeding, the CLI)', async () => {
    const uncached = createCatalogService({ db, keyPool: f.keyPool });
    const before = await uncached.listNavCategories();
    expect(await uncached.listNavCategories()).not.toBe(before);
    await db.kysely.insertInto('categories').values({ slug: 'behind-back', name: 'Behind', description: '', position: 0 }).execute();
    expect((await uncached.listNavCategories()).map((c) => c.slug)).toContain('behind-back');
  });

  it('expires cached header categories after the lists’ 20 s (a whole page may keep them 10 s more)', async () => {
    let now = 1_000;
    const fresh = await createTestDatabase(dialect);
    try {
      const { catalog } = catalogFixtures(fresh, () => now);
      expect(await catalog.listNavCategories()).toEqual([]);
      // Written behind the service's back (another app instance): seen only once the TTL passes.
      await fresh.kysely.insertInto('categories').values({ slug: 'elsewhere', name: 'Elsewhere', description: '', position: 0 }).execute();
      expect(await catalog.listNavCategories()).toEqual([]);
      now += 20_000;
      expect(await catalog.listNavCategories()).toEqual([]);
      now += 1;
      expect(await catalog.listNavCategories()).toEqual([{ slug: 'elsewhere', name: 'Elsewhere' }]);
    } finally {
      await fresh.drop();
    }
  });

  it('bulk-creates validated products with categories and images in one transaction', async () => {
    await makeCategory(f.catalog, { slug: 'bulk' });
    const inputs = Array.from({ length: 1500 }, (_, i) => ({
      sku: `bulk-${i}`,
      name: `Bulk item ${i}`,
      price: i,
      currency: 'USD',
      type: 'key' as const,
      status: 'active' as const,
      categories: ['bulk'],
      images: [{ url: '/assets/b.svg', alt: `Bulk ${i}` }],
    }));
    const ids = await f.catalog.withTransaction((tx) => f.catalog.createProductsBulk(inputs, tx));
    expect(ids.size).toBe(1500);
    const page = await f.catalog.getCategoryPage('bulk', '1');
    expect(page.pagination.total).toBe(1500);
    expect(page.products[0]?.product).toMatchObject({ sku: 'BULK-1499', image: { alt: 'Bulk 1499' } });
    const before = await countProducts();
    await expect(
      f.catalog.withTransaction((tx) =>
        f.catalog.createProductsBulk(
          [
            { ...inputs[0]!, sku: 'BULK-NEW' },
            { ...inputs[1]!, sku: 'Bulk-0' },
          ],
          tx,
        ),
      ),
    ).rejects.toMatchObject({ code: 'duplicate_sku' });
    expect(await countProducts()).toBe(before);
  });
});
