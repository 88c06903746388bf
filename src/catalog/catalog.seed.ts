import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createKeyPoolService, type KeyPoolService } from '../fulfilment/key-pool.service.js';
import { demoProductFile } from '../fulfilment/product-files.demo.js';
import { createProductFilesService, type ProductFilesService } from '../fulfilment/product-files.service.js';
import { createStorage } from '../fulfilment/storage.js';
import { projectRoot } from '../platform/assets.js';
import type { Config } from '../platform/config.js';
import { createSecretBox } from '../platform/crypto.js';
import type { Database } from '../platform/db/db.js';
import { AppError, ValidationError } from '../platform/errors.js';
import { createCatalogService, type CatalogService } from './catalog.service.js';
import type { CategoryInput, ProductInput } from './catalog.validation.js';

/** Where `npm start` and `npm run seed:demo` find the demo catalog. */
export const DEMO_CATALOG_PATH = resolve(projectRoot, 'demo/catalog.json');
const DAY_MS = 86_400_000;
const KEY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A product in demo/catalog.json: a ProductInput plus demo-only fields. */
export interface DemoProduct extends Omit<ProductInput, 'createdAt'> {
  createdDaysAgo?: number;
  keyPoolSize?: number;
}
export interface DemoCatalog {
  categories: CategoryInput[];
  products: DemoProduct[];
}
export interface SeedServices {
  catalog: CatalogService;
  keyPool: Pick<KeyPoolService, 'importKeys'>;
  /** When given, each demo file product gets a generated sample file to download. */
  productFiles?: Pick<ProductFilesService, 'attachFile'>;
}

/** The catalog and key-pool services a seed needs, built from configuration (CLI and first start). */
export function createSeedServices(db: Database, config: Config, clock: () => number = Date.now) {
  const keyPool = createKeyPoolService({ db, secrets: createSecretBox(config.encryptionKey, config.previousEncryptionKeys), clock });
  const productFiles = createProductFilesService({ db, storage: createStorage(config.storage), clock });
  return { catalog: createCatalogService({ db, keyPool, clock }), keyPool, productFiles };
}

/** Deterministic-looking demo keys (DEMO-XXXX-XXXX-XXXX), different for every SKU and index. */
export function demoKeys(sku: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const bytes = createHash('sha256').update(`${sku}:${i}`).digest();
    const chars = Array.from(bytes.subarray(0, 12), (b) => KEY_ALPHABET[b % KEY_ALPHABET.length]).join('');
    return `DEMO-${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
}

function parseDemoCatalog(data: unknown): DemoCatalog {
  const d = data as Partial<DemoCatalog> | null;
  if (!d || typeof d !== 'object' || !Array.isArray(d.categories) || !Array.isArray(d.products)) {
    throw new ValidationError(
      'The demo catalog must be an object with "categories" and "products" lists.',
      undefined,
      'invalid_demo_catalog',
    );
  }
  d.products.forEach((p, i) => {
    const where = `Demo product ${i + 1}${typeof p?.sku === 'string' ? ` (${p.sku})` : ''}`;
    if (!p || typeof p !== 'object') throw new ValidationError(`${where} is not an object.`, undefined, 'invalid_demo_catalog');
    if (p.createdDaysAgo !== undefined && !(Number.isFinite(p.createdDaysAgo) && p.createdDaysAgo >= 0)) {
      throw new ValidationError(`${where}: createdDaysAgo must be a number, 0 or more.`, undefined, 'invalid_demo_catalog');
    }
    if (
      p.keyPoolSize !== undefined &&
      (!Number.isInteger(p.keyPoolSize) || p.keyPoolSize < 0 || p.keyPoolSize > 10_000 || p.type !== 'key_lim')
    ) {
      throw new ValidationError(
        `${where}: keyPoolSize must be a whole number from 0 to 10000, for key_lim products only.`,
        undefined,
        'invalid_demo_catalog',
      );
    }
  });
  return d as DemoCatalog;
}

/**
 * Loads a demo catalog in one transaction: categories, products (oldest first, so ids follow
 * creation like real data), a generated key pool for each key_lim product and a sample file for
 * each file product (with `productFiles`). All or nothing in the database;
 * an error names the product it is about.
 */
export async function loadDemoCatalog({ catalog, keyPool, productFiles }: SeedServices, data: unknown, clock: () => number = Date.now) {
  const demo = parseDemoCatalog(data);
  const now = clock();
  const ordered = demo.products.map((p, index) => ({ p, index })).sort((a, b) => (b.p.createdDaysAgo ?? 0) - (a.p.createdDaysAgo ?? 0));
  return catalog.withTransaction(async (tx) => {
    for (const c of demo.categories) await catalog.createCategory(c, tx);
    let keys = 0;
    for (const { p, index } of ordered) {
      const { createdDaysAgo = 0, keyPoolSize = 0, ...input } = p;
      try {
        const created = await catalog.createProduct(
          { ...input, status: input.status ?? 'active', createdAt: now - Math.round(createdDaysAgo * DAY_MS) },
          tx,
        );
        if (keyPoolSize > 0) keys += (await keyPool.importKeys(created.id, demoKeys(created.sku, keyPoolSize), tx)).added;
        if (input.type === 'file' && productFiles)
          await productFiles.attachFile(created.id, demoProductFile({ sku: created.sku, name: input.name, summary: input.summary }), tx);
      } catch (err) {
        if (err instanceof AppError)
          throw new AppError(err.code, `Demo product ${index + 1} (${String(p.sku)}): ${err.message}`, err.status, err.details);
        throw err;
      }
    }
    return { categories: demo.categories.length, products: demo.products.length, keys };
  });
}

/** Reads and loads demo/catalog.json (or another file). */
export async function loadDemoCatalogFile(services: SeedServices, path = DEMO_CATALOG_PATH, clock?: () => number) {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ValidationError(`Cannot read the demo catalog at ${path}: ${(err as Error).message}`, undefined, 'invalid_demo_catalog');
  }
  return loadDemoCatalog(services, data, clock);
}

/** On first start of a demo (empty catalog), loads the demo catalog; null when the catalog has products already. */
export async function loadDemoCatalogOnFirstStart(db: Database, config: Config, path = DEMO_CATALOG_PATH) {
  const services = createSeedServices(db, config);
  if ((await services.catalog.countProducts()) > 0) return null;
  if (!existsSync(path)) return { loaded: false as const, reason: `${path} does not exist` };
  return { loaded: true as const, ...(await loadDemoCatalogFile(services, path)) };
}
