import type { Database, Executor, Tx } from '../platform/db/db.js';
import { ConflictError, NotFoundError } from '../platform/errors.js';
import type { KeyPoolService } from '../fulfilment/key-pool.service.js';
import { loadingCacheOver, noCache, type Cache } from '../platform/cache.js';
import { createCatalogListings, type ListingCaches } from './catalog.listings.js';
import { createCatalogOwnerReads } from './catalog.owner.js';
import { createProductRows } from './catalog.product-rows.js';
import { createCatalogRepo, isForeignKeyViolation, isUniqueViolation } from './catalog.repo.js';
import { createDescriptionRenderer } from './description.js';
import { parseSku } from './sku.js';
import { toProductImage } from './product-image.js';
import { shownStockLabel, stockState } from './stock.js';
import type { CartProduct, ProductDetail, ProductPage } from './catalog.types.js';
import { validateCategory, validateProduct, validateSku, type CategoryInput, type ProductInput } from './catalog.validation.js';

export { PAGE_SIZE, type CategoryIndex, type ListingCaches } from './catalog.listings.js';
export type { OwnerListFilter } from './catalog.owner.js';
export type {
  CardProduct,
  CartProduct,
  ListedProduct,
  NavCategory,
  ProductDetail,
  ProductImage,
  ProductPage,
  SearchResults,
} from './catalog.types.js';

export interface CatalogDeps {
  db: Database;
  keyPool: Pick<KeyPoolService, 'countAvailable' | 'countAvailableShown'>;
  clock?: () => number;
  /** Without them (seeding, the CLI) nothing is kept: every read goes to the database. */
  caches?: CatalogCaches;
  /** IMAGE_HOSTS: a product's https:// images must be on one of them; not checked when not given. */
  imageHosts?: readonly string[];
}

/** The catalog's caches, built with their bounds in src/caches.ts and shared by every catalog service of one app. */
export interface CatalogCaches {
  /** The public lists (categories, their product ids, home, search results, cards) and product pages; never stock. */
  lists: ListingCaches;
  /** Descriptions rendered from Markdown, by their source. */
  descriptions: Cache<string, string>;
  /** Drops everything that shows catalog data: called before and after every write through a catalog service. */
  changed(): void;
}
/** Caches that keep nothing. */
function keepNothing(): CatalogCaches {
  const none = <K, V>() => loadingCacheOver<K, V>(noCache());
  return {
    lists: { categories: none(), categoryIds: none(), home: none(), searches: none(), cards: none(), products: none() },
    descriptions: noCache(),
    changed() {},
  };
}

const notFoundProduct = () =>
  new NotFoundError('We could not find that product. It may have been renamed or removed.', 'product_not_found');

/** The catalog: owner-side writes (validated) and the public pages' reads. */
export function createCatalogService({ db, keyPool, clock = Date.now, caches = keepNothing(), imageHosts }: CatalogDeps) {
  const repo = createCatalogRepo(db);
  const validate = (input: ProductInput) => validateProduct(input, { imageHosts });
  const describe = createDescriptionRenderer(caches.descriptions);
  const listings = createCatalogListings({ repo, keyPool, caches: caches.lists });
  const ownerReads = createCatalogOwnerReads({ repo });
  const { categoryIds, changeableColumns, productRow, bulkInsert } = createProductRows({ repo, clock, validate, describe });
  /** Runs a write and clears the caches (after it, too: a read in between may have cached the old state). */
  const write = async <T>(fn: () => Promise<T>): Promise<T> => {
    caches.changed();
    try {
      return await fn();
    } finally {
      caches.changed();
    }
  };
  /** A write in the caller's transaction, or in a new one; either way the caches are cleared. */
  const inTx = <T>(tx: Executor | undefined, fn: (t: Executor) => Promise<T>) => write(() => (tx ? fn(tx) : db.transaction(fn)));

  /** An active product's page, stock aside; null for any other SKU. */
  async function findDetail(sku: string): Promise<Readonly<ProductDetail> | null> {
    const p = await repo.findProductBySku(sku);
    if (!p || p.status !== 'active') return null;
    const images = (await repo.findImages([p.id])).map((row) => Object.freeze(toProductImage(row)));
    return Object.freeze({
      id: p.id,
      updatedAt: p.updated_at,
      sku: p.sku,
      name: p.name,
      summary: p.summary,
      price: p.price,
      currency: p.currency,
      type: p.type,
      image: images[0] ?? null,
      images: Object.freeze(images),
      // Rows written before the HTML was stored (or after a sanitiser change cleared it) render here.
      descriptionHtml: p.description_html || (p.description ? describe(p.description) : ''),
      specs: Object.freeze(JSON.parse(p.specs) as [string, string][]),
    });
  }

  const duplicateSku = (sku: string) =>
    new ConflictError('duplicate_sku', `A product with SKU ${sku} already exists (SKUs ignore case).`, { sku });

  return {
    /** Runs fn in one transaction (the demo loader creates a whole catalog at once). */
    withTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },

    /** Adds a category; `duplicate_category` when the slug is taken. */
    async createCategory(input: CategoryInput, tx?: Executor): Promise<{ id: number; slug: string }> {
      const c = validateCategory(input);
      const id = await inTx(tx, async (t) => {
        if (await repo.findCategoryBySlug(c.slug, t))
          throw new ConflictError('duplicate_category', `A category with slug ${c.slug} already exists.`, { slug: c.slug });
        return repo.insertCategory(c, t);
      });
      return { id, slug: c.slug };
    },

    /** Renames, re-describes or moves a category. */
    async updateCategory(slug: string, patch: Partial<Omit<CategoryInput, 'slug'>>, tx?: Executor): Promise<void> {
      await inTx(tx, async (t) => {
        const current = await repo.findCategoryBySlug(slug.trim().toLowerCase(), t);
        if (!current) throw new NotFoundError(`There is no category ${slug}.`, 'category_not_found');
        const { name, description, position } = validateCategory({ ...current, ...patch, slug: current.slug });
        await repo.updateCategory(current.id, { name, description, position }, t);
      });
    },

    /** Adds a product with its categories and gallery; all or nothing. */
    async createProduct(input: ProductInput, tx?: Executor): Promise<{ id: number; sku: string }> {
      const p = validate(input);
      const now = clock();
      const createdAt = input.createdAt ?? now;
      try {
        return await inTx(tx, async (t) => {
          if (await repo.findProductBySku(p.sku, t)) throw duplicateSku(p.sku);
          const ids = await categoryIds(p.categories, t);
          const id = await repo.insertProduct(productRow(p, createdAt, Math.max(createdAt, now)), t);
          await repo.replaceProductCategories(id, ids, t);
          await repo.replaceProductImages(id, p.images, t);
          return { id, sku: p.sku };
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicateSku(p.sku);
        throw err;
      }
    },

    /** Changes a product (the SKU stays); categories and images are replaced only when given. */
    async updateProduct(
      rawSku: string,
      patch: Partial<Omit<ProductInput, 'sku' | 'createdAt'>>,
      tx?: Executor,
    ): Promise<{ id: number; sku: string }> {
      const sku = validateSku(rawSku);
      return inTx(tx, async (t) => {
        const current = await repo.findProductBySku(sku, t);
        if (!current) throw notFoundProduct();
        const merged: ProductInput = {
          sku,
          name: current.name,
          summary: current.summary,
          description: current.description,
          price: current.price,
          currency: current.currency,
          type: current.type,
          status: current.status,
          featured: current.featured === 1,
          specs: JSON.parse(current.specs) as [string, string][],
          downloadLimit: current.download_limit,
          accessDays: current.access_days,
          activationLimit: current.activation_limit,
          taxCategory: current.tax_category,
          ...patch,
        };
        const p = validate(merged);
        // Always later than before, even within a millisecond: rendered pages are kept by id and update time.
        const updatedAt = Math.max(clock(), current.updated_at + 1);
        await repo.updateProduct(current.id, changeableColumns(p, updatedAt), t);
        if (patch.categories) await repo.replaceProductCategories(current.id, await categoryIds(p.categories, t), t);
        if (patch.images) await repo.replaceProductImages(current.id, p.images, t);
        return { id: current.id, sku };
      });
    },

    /** Deletes a product nobody has bought or stocked; otherwise `product_in_use` (archive it instead). */
    async deleteProduct(rawSku: string): Promise<void> {
      const sku = validateSku(rawSku);
      try {
        await inTx(undefined, async (t) => {
          const current = await repo.findProductBySku(sku, t);
          if (!current) throw notFoundProduct();
          await repo.deleteProduct(current.id, t);
        });
      } catch (err) {
        if (isForeignKeyViolation(err))
          throw new ConflictError('product_in_use', `Product ${sku} has orders or keys; archive it instead of deleting it.`, { sku });
        throw err;
      }
    },

    /** Adds many validated products in chunked multi-row inserts (benchmark catalogs); returns ids by SKU. */
    createProductsBulk(inputs: ProductInput[], tx: Executor): Promise<Map<string, number>> {
      return inTx(tx, (t) => bulkInsert(inputs, t));
    },

    /** Products by id or (normalised) SKU in any status, with key_lim stock: two queries however many. */
    async findCartProducts({ ids = [], skus = [] }: { ids?: number[]; skus?: string[] }): Promise<CartProduct[]> {
      const rows = await repo.findProductsByIdsOrSkus([...new Set(ids)], [...new Set(skus)]);
      const limited = rows.filter((r) => r.type === 'key_lim').map((r) => r.id);
      const stock = limited.length ? await keyPool.countAvailable(limited) : new Map<number, number>();
      return rows.map((r) => ({ ...r, available: r.type === 'key_lim' ? (stock.get(r.id) ?? 0) : null }));
    },

    /** Refreshes the database's query statistics; run after loading many products. */
    refreshStatistics(): Promise<void> {
      return repo.analyze();
    },

    /** How many products exist in any status (the demo loads only into an empty catalog). */
    countProducts(tx?: Executor): Promise<number> {
      return repo.countProducts(tx);
    },

    // The owner's product list and edit form.
    ...ownerReads,

    // The header's categories, home, category pages and search.
    ...listings,

    /** What pages would show now of these pools' stock (`shownStockOf`'s labels), for the page cache. */
    async shownStockNow(ids: readonly number[]): Promise<string[]> {
      const counts = await keyPool.countAvailableShown(ids);
      return ids.map((id) => shownStockLabel(stockState('key_lim', counts.get(id))));
    },

    /** An active product by SKU in any case; anything else (bad shape, reserved, draft, archived) is 404. */
    async getProductPage(rawSku: string): Promise<ProductPage> {
      const sku = parseSku(rawSku);
      // Not even a possible SKU (or a reserved page name): an ordinary "page not found".
      if (!sku) throw new NotFoundError();
      const product = await caches.lists.products.get(sku, () => findDetail(sku));
      if (!product) throw notFoundProduct();
      const stock = product.type === 'key_lim' ? (await keyPool.countAvailableShown([product.id])).get(product.id) : undefined;
      return { product, stock: stockState(product.type, stock) };
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
