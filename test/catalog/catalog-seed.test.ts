import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateLargeCatalog } from '../../src/catalog/catalog.generate.js';
import {
  DEMO_CATALOG_PATH,
  demoKeys,
  loadDemoCatalog,
  loadDemoCatalogFile,
  loadDemoCatalogOnFirstStart,
} from '../../src/catalog/catalog.seed.js';
import { testConfig } from '../support/env.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { catalogFixtures, type CatalogFixtures } from '../support/factories.js';

const fixture = () => ({
  categories: [
    { slug: 'design-tools', name: 'Design tools', description: 'Editors.' },
    { slug: 'fonts', name: 'Fonts', description: 'Typefaces.' },
  ],
  products: [
    {
      sku: 'PIXEL-PRO-1Y',
      name: 'Pixel Pro (1 year)',
      summary: 'Edit pixels.',
      description: '**Fast**',
      price: 4900,
      currency: 'EUR',
      type: 'key_lim',
      featured: true,
      createdDaysAgo: 2,
      specs: [['Platform', 'Windows']],
      categories: ['design-tools'],
      images: [{ url: '/assets/demo/pixel-pro-1y-1.svg', alt: 'Pixel Pro editor window' }],
      keyPoolSize: 4,
    },
    {
      sku: 'serif-family',
      name: 'Serif Family',
      price: 2900,
      currency: 'USD',
      type: 'file',
      createdDaysAgo: 40,
      categories: ['fonts'],
      downloadLimit: 5,
      accessDays: 30,
    },
    { sku: 'SIGNED-KEY', name: 'Signed key app', price: 900, currency: 'EUR', type: 'key', status: 'draft', activationLimit: 3 },
  ],
});

describe.each(testDialects)('demo and large catalogs on %s', (dialect) => {
  let db: TestDatabase;
  let f: CatalogFixtures;
  beforeEach(async () => {
    db = await createTestDatabase(dialect);
    f = catalogFixtures(db);
  });
  afterEach(() => db.drop());

  it('loads categories, products (default active, backdated) and demo key pools', async () => {
    const now = 1_800_000_000_000;
    expect(await loadDemoCatalog(f, fixture(), () => now)).toEqual({ categories: 2, products: 3, keys: 4 });
    const pixel = await f.catalog.getProductPage('pixel-pro-1y');
    expect(pixel).toMatchObject({
      product: { price: 4900, images: [{ alt: 'Pixel Pro editor window' }] },
      stock: { label: 'Only 4 left' },
    });
    expect((await f.catalog.getProductPage('SERIF-FAMILY')).stock.label).toBe('In stock');
    await expect(f.catalog.getProductPage('SIGNED-KEY')).rejects.toMatchObject({ status: 404 });
    const home = await f.catalog.getHomePage();
    expect(home.featured.map((p) => p.product.sku)).toEqual(['PIXEL-PRO-1Y']);
    expect(home.newArrivals.map((p) => p.product.sku)).toEqual(['PIXEL-PRO-1Y', 'SERIF-FAMILY']);
    const created = await db.kysely.selectFrom('products').select(['sku', 'created_at']).orderBy('id').execute();
    // Oldest first, so ids follow creation like real data.
    expect(created).toEqual([
      { sku: 'SERIF-FAMILY', created_at: now - 40 * 86_400_000 },
      { sku: 'PIXEL-PRO-1Y', created_at: now - 2 * 86_400_000 },
      { sku: 'SIGNED-KEY', created_at: now },
    ]);
  });

  it('generates distinct, stable demo keys', () => {
    const keys = demoKeys('PIXEL-PRO-1Y', 50);
    expect(new Set(keys).size).toBe(50);
    expect(keys[0]).toMatch(/^DEMO-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(demoKeys('PIXEL-PRO-1Y', 1)).toEqual([keys[0]]);
    expect(demoKeys('OTHER', 1)).not.toEqual([keys[0]]);
  });

  it('loads all or nothing, naming the product at fault', async () => {
    const bad = fixture();
    bad.products.push({ sku: 'cart', name: 'Reserved', price: 1, currency: 'EUR', type: 'key' } as never);
    const refused = await loadDemoCatalog(f, bad).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'reserved_sku' });
    expect((refused as Error).message).toContain('Demo product 4 (cart)');
    expect(await f.catalog.countProducts()).toBe(0);
    expect(await f.catalog.listNavCategories()).toEqual([]);
    expect(await db.kysely.selectFrom('license_keys').select('id').execute()).toEqual([]);
  });

  it('refuses malformed demo files clearly', async () => {
    await expect(loadDemoCatalog(f, { products: [] })).rejects.toMatchObject({ code: 'invalid_demo_catalog' });
    const withPool = fixture();
    (withPool.products[1] as Record<string, unknown>).keyPoolSize = 3;
    const malformed = await loadDemoCatalog(f, withPool).catch((err: unknown) => err);
    expect(malformed).toMatchObject({ code: 'invalid_demo_catalog' });
    expect((malformed as Error).message).toContain('serif-family');
    await expect(loadDemoCatalogFile(f, '/nonexistent/catalog.json')).rejects.toMatchObject({ code: 'invalid_demo_catalog' });
  });

  it.skipIf(!existsSync(DEMO_CATALOG_PATH))('loads the shipped demo catalog on first start only', async () => {
    const first = await loadDemoCatalogOnFirstStart(db, testConfig());
    expect(first).toMatchObject({ loaded: true });
    expect(first && first.loaded && first.products).toBeGreaterThan(0);
    expect(await loadDemoCatalogOnFirstStart(db, testConfig())).toBeNull();
  });

  it('generates a large catalog in batches: categories, searchable products, key pools', async () => {
    const progress: number[] = [];
    const result = await generateLargeCatalog(f, { count: 1200, batch: 500, seed: 3, onProgress: (done) => progress.push(done) });
    expect(progress).toEqual([500, 1000, 1200]);
    expect(result.products).toBe(1200);
    expect(result.keys).toBeGreaterThan(0);
    expect(await f.catalog.countProducts()).toBe(1200);
    expect((await f.catalog.listNavCategories()).length).toBe(12);
    const hits = await f.catalog.searchProducts('canvas', undefined);
    expect(hits.pagination?.total).toBeGreaterThan(0);
    expect(hits.products[0]!.product.name).toMatch(/canvas/i);
    const graphics = await f.catalog.getCategoryPage('graphics', undefined);
    expect(graphics.products).toHaveLength(24);
    // A second run continues the numbering instead of colliding.
    await generateLargeCatalog(f, { count: 10, seed: 4 });
    expect(await f.catalog.countProducts()).toBe(1210);
  });
});
