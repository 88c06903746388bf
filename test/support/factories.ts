import { createCaches, type Caches } from '../../src/caches.js';
import { createCatalogService, type CatalogService } from '../../src/catalog/catalog.service.js';
import type { CategoryInput, ProductInput } from '../../src/catalog/catalog.validation.js';
import { createKeyPoolService, type KeyPoolService } from '../../src/fulfilment/key-pool.service.js';
import { testConfig } from './env.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import type { Database } from '../../src/platform/db/db.js';

let sequence = 0;
const next = () => `${process.pid.toString(36)}${(++sequence).toString(36)}`.toUpperCase();

export interface CatalogFixtures {
  catalog: CatalogService;
  keyPool: KeyPoolService;
}

// The caches of the app createTestApp built on a database, so that writes through fixtures clear
// what that app shows, as writes through the app itself would.
const appCaches = new WeakMap<Database, Caches>();

/** Records the caches of the app built on `db`, for the fixtures made on it. */
export function shareCachesWithFixtures(db: Database, caches: Caches): void {
  appCaches.set(db, caches);
}

/**
 * Catalog and key-pool services on a test database, with the encryption key of `testConfig()` so
 * keys imported here can be read by an app built by `createTestApp`. They use that app's caches
 * (their writes clear what it shows), else `caches`, else caches of their own.
 */
export function catalogFixtures(db: Database, clock: () => number = Date.now, caches?: Caches): CatalogFixtures {
  const config = testConfig();
  const shared = caches ?? appCaches.get(db) ?? createCaches({ clock });
  const keyPool = createKeyPoolService({
    db,
    secrets: createSecretBox(config.encryptionKey, config.previousEncryptionKeys),
    clock,
    shownStock: shared.shownStock,
  });
  return { catalog: createCatalogService({ db, keyPool, clock, caches: shared.catalog }), keyPool };
}

/** A category with a unique slug unless given; returns its id and slug. */
export function makeCategory(catalog: CatalogService, overrides: Partial<CategoryInput> = {}) {
  const n = next().toLowerCase();
  return catalog.createCategory({ slug: `category-${n}`, name: `Category ${n}`, description: '', ...overrides });
}

/** An active `key` product (EUR 19.00) with a unique SKU unless given; returns its id and SKU. */
export function makeProduct(catalog: CatalogService, overrides: Partial<ProductInput> = {}) {
  const n = next();
  return catalog.createProduct({
    sku: `TEST-${n}`,
    name: `Test product ${n}`,
    summary: 'A product made by a test.',
    description: 'Made by a **test**.',
    price: 1900,
    currency: 'EUR',
    type: 'key',
    status: 'active',
    ...overrides,
  });
}

/** A key_lim product with `keys` keys in its pool (generated unless given as strings). */
export async function makeKeyLimProduct(fixtures: CatalogFixtures, keys: number | string[], overrides: Partial<ProductInput> = {}) {
  const product = await makeProduct(fixtures.catalog, { type: 'key_lim', ...overrides });
  const list = typeof keys === 'number' ? Array.from({ length: keys }, (_, i) => `KEY-${product.sku}-${i + 1}`) : keys;
  if (list.length > 0) await fixtures.keyPool.importKeys(product.id, list);
  return { ...product, keys: list };
}

/** A downloadable `file` product. */
export function makeFileProduct(catalog: CatalogService, overrides: Partial<ProductInput> = {}) {
  return makeProduct(catalog, { type: 'file', downloadLimit: 5, accessDays: 30, ...overrides });
}
