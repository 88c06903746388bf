import type { CartCountCaches } from './cart/cart.service.js';
import type { CatalogCaches, CategoryIndex, ListingCaches } from './catalog/catalog.service.js';
import type { CardProduct, ProductDetail } from './catalog/catalog.types.js';
import { contentPages, type ContentPage, type KeptContent } from './pages/content.service.js';
import { createCache, createLoadingCache, type LoadingCache } from './platform/cache.js';
import { createFragmentCache } from './platform/fragments.js';
import { createPageCache } from './platform/page-cache.js';

/** How long the public lists and product pages are reused; another instance's catalog writes show within it. */
const CATALOG_TTL_MS = 30_000;
/** How long a catalog page may show a pool's count after another instance (or process) changed it. */
const SHOWN_STOCK_TTL_MS = 2_000;

export interface CacheSettings {
  /** Current time in epoch ms; tests pass their own. */
  clock?: () => number;
  catalogTtlMs?: number;
}

/**
 * Every in-memory cache of the store, with its bounds, built once per app (app.ts) and handed to the
 * services and views that use it; nothing else keeps data between requests but a few bounded tables
 * of formatters. The bounds keep the live heap under the production cap with room to spare (about
 * 10 MB of cards, 20 MB of product pages and 12 million characters of rendered HTML at most, and 5 MB of whole pages off the heap); a shop that outgrows
 * them raises the figures here. Services on the same caches (the app's and a test's) see each
 * other's writes at once; another instance's within the TTLs.
 */
export function createCaches({ clock = Date.now, catalogTtlMs = CATALOG_TTL_MS }: CacheSettings = {}) {
  // A whole page may be rendered from lists read just before they expire: the two lifetimes together
  // stay within the catalog's, so another instance's change still shows within it.
  const ttlMs = Math.round((catalogTtlMs * 2) / 3);
  const pageTtlMs = catalogTtlMs - ttlMs;
  const lists: ListingCaches = {
    categories: createLoadingCache<string, CategoryIndex>({ max: 1, ttlMs, clock }),
    categoryIds: createLoadingCache<number, number[]>({ max: 1000, ttlMs, clock }),
    home: createLoadingCache({ max: 1, ttlMs, clock }),
    searches: createLoadingCache({ max: 1000, ttlMs, clock }),
    // About 1 KB each, for products listed twice lately: what shoppers come back to (home, first
    // pages, popular searches) stays, while a crawler walking every page neither flushes it nor
    // churns the heap.
    cards: createLoadingCache<number, Readonly<CardProduct> | null>({ max: 10_000, ttlMs, admitOnSecondRequest: true, clock }),
    // About 4 KB each with their images and description, admitted like cards.
    products: createLoadingCache<string, Readonly<ProductDetail> | null>({ max: 5_000, ttlMs, admitOnSecondRequest: true, clock }),
  };
  // Whole pages for visitors without a session or cart, kept no longer than the stock they show may
  // be stale; the bytes are the pages' bodies (off the V8 heap, as Buffers ready to write).
  const pages = createPageCache({
    // 5 MB holds the pages Zipf traffic keeps asking for (home, first category pages, the most
    // asked-for products and searches); 10 MB cost peak RSS more than its few extra hits gave.
    max: 2_000,
    maxBytes: 5_000_000,
    ttlMs: SHOWN_STOCK_TTL_MS,
    stockFreeTtlMs: pageTtlMs,
    sharedMaxAgeSeconds: Math.round(catalogTtlMs / 1000),
    clock,
  });
  const catalog: CatalogCaches = {
    lists,
    descriptions: createCache({ max: 500, clock }),
    changed() {
      for (const cache of Object.values(lists)) cache.clear();
      pages.clear();
    },
  };
  const stock = createLoadingCache<number, number>({ max: 20_000, ttlMs: SHOWN_STOCK_TTL_MS, clock });
  const shownStock: LoadingCache<number, number> = {
    get: (key, load) => stock.get(key, load),
    getAll: (keys, load, absent) => stock.getAll(keys, load, absent),
    // A page showing the old count goes with it; pages showing no stock stay (a sale would otherwise
    // empty the page cache).
    clear() {
      stock.clear();
      pages.clearStock();
    },
    purgeStale: () => stock.purgeStale(),
    get size() {
      return stock.size;
    },
  };
  // About 200 bytes an owner: the carts of the visitors of the last 2 s.
  const cartCounts: CartCountCaches = {
    counts: createCache({ max: 5_000, ttlMs: SHOWN_STOCK_TTL_MS, clock }),
    paying: createCache({ max: 1_000, ttlMs: SHOWN_STOCK_TTL_MS, clock }),
  };
  return {
    catalog,
    /** Units in each cart for the header badge, kept 2 s and dropped by every cart change (src/cart/cart.service.ts). */
    cartCounts,
    /** Available keys by product, as catalog pages show them; cleared by every change through a key pool service. */
    shownStock,
    /** Finished pages for visitors the store knows nothing of (src/platform/page-cache.ts); cleared with the catalog and the shown stock. */
    pages,
    /** Rendered HTML by what it depends on (cards, product pages' fixed parts, the layout's frame). */
    fragments: createFragmentCache({ max: 15_000, maxChars: 12_000_000, idleMs: catalogTtlMs, clock }),
    /** The content pages, by name, with the modification time they were rendered at. */
    content: createCache<ContentPage, KeptContent>({ max: contentPages.length, clock }),
  };
}

export type Caches = ReturnType<typeof createCaches>;
