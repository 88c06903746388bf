import type { KeyPoolService } from '../fulfilment/key-pool.service.js';
import { NotFoundError, ValidationError } from '../platform/errors.js';
import { paginate, parsePageParam, type Pagination } from '../platform/pagination.js';
import type { LoadingCache } from '../platform/cache.js';
import type { CatalogRepo } from './catalog.repo.js';
import type { CardProduct, ListedProduct, NavCategory, ProductDetail, SearchResults } from './catalog.types.js';
import { closestWord, parseSearchQuery, SEARCH_MAX_CHARS, TYPO_MIN_CHARS, type SearchQuery } from './search-query.js';
import { toProductImage } from './product-image.js';
import { stockState } from './stock.js';

/** Products per category and search page. */
export const PAGE_SIZE = 24;
const HOME_LIST_SIZE = 8;

interface CategoryRow {
  id: number;
  slug: string;
  name: string;
  description: string;
}
/** All categories, in header order and by slug: a category page needs no query to find its own. */
export interface CategoryIndex {
  nav: NavCategory[];
  bySlug: Map<string, CategoryRow>;
  /** Former slugs to the category's current one (migration 018): their old pages answer a 301. */
  moved: Map<string, string>;
}

/**
 * What the public lists cache (built with their bounds in src/caches.ts). Only the lists' ids, the
 * cards and the product pages' data are kept here, never stock: that comes from the key pools' own
 * short-lived counts. Every catalog write clears them all.
 */
export type ListingCaches = {
  categories: LoadingCache<string, CategoryIndex>;
  /** A category's active product ids, newest first: a page is a slice, its total the length. */
  categoryIds: LoadingCache<number, number[]>;
  home: LoadingCache<string, { featured: number[]; newArrivals: number[] }>;
  /** Every ranked candidate of a query (exact matches, then close ones), so all its pages share one search. */
  searches: LoadingCache<string, RankedSearch>;
  /** null: not an active product (any more). */
  cards: LoadingCache<number, Readonly<CardProduct> | null>;
  /** Product pages by SKU; null: no active product has that SKU. */
  products: LoadingCache<string, Readonly<ProductDetail> | null>;
};

export interface ListingDeps {
  repo: CatalogRepo;
  keyPool: Pick<KeyPoolService, 'countAvailableShown'>;
  caches: ListingCaches;
}

/** A query's ranked product ids; `suggestion`: the corrected query, when only it found anything. */
export interface RankedSearch {
  ids: number[];
  capped: boolean;
  suggestion: string | null;
}

const invalidPage = () => new ValidationError('The page number must be a whole number, 1 or more.', undefined, 'invalid_page');

/** The public catalog's lists: home, category pages and search, over the caches above. */
export function createCatalogListings({ repo, keyPool, caches }: ListingDeps) {
  async function loadCards(ids: readonly number[]): Promise<Map<number, Readonly<CardProduct>>> {
    const rows = await repo.findCards([...new Set(ids)]);
    // Frozen: every page that lists a product shares its cached card.
    return new Map(
      rows.map(({ url, alt, width, height, renditions, updated_at, ...r }) => [
        r.id,
        Object.freeze({
          ...r,
          updatedAt: updated_at,
          image: url === null || alt === null ? null : Object.freeze(toProductImage({ url, alt, width, height, renditions })),
        }),
      ]),
    );
  }

  /** The cards of these products in this order, with their pools' shown stock (at most one query). */
  async function listed(ids: readonly number[]): Promise<ListedProduct[]> {
    const cards = (await caches.cards.getAll(ids, loadCards, null)).filter((c) => c !== null);
    const limited = cards.filter((c) => c.type === 'key_lim').map((c) => c.id);
    const stock = limited.length > 0 ? await keyPool.countAvailableShown(limited) : undefined;
    return cards.map((product) => ({ product, stock: stockState(product.type, stock?.get(product.id)) }));
  }

  /** The ids on one page of a list. */
  const pageOf = (ids: readonly number[], pagination: Pagination) => ids.slice(pagination.offset, pagination.offset + PAGE_SIZE);

  function categories(): Promise<CategoryIndex> {
    // Every page reads the header's categories, so this is where every list drops what expired (one
    // comparison each when nothing is due). A cache is otherwise purged only when something is added
    // to it, so product pages cached during one kind of traffic would hold their memory, and the
    // heap's headroom, through another that never reads them.
    for (const cache of Object.values(caches)) cache.purgeStale();
    return caches.categories.get('', async () => {
      const [rows, redirects] = await Promise.all([repo.findCategories(), repo.findCategoryRedirects()]);
      return {
        nav: rows.map(({ slug, name }) => ({ slug, name })),
        bySlug: new Map(rows.map((r) => [r.slug, r])),
        moved: new Map(redirects.map((r) => [r.old_slug, r.slug])),
      };
    });
  }

  /**
   * Exact matches first, then, when they fill less than a page, the matches of the query with each
   * long word replaced by the closest known word (one or two edits away): typos still find products.
   */
  async function rankedSearch(query: SearchQuery): Promise<RankedSearch> {
    const exact = await repo.searchActive(query);
    if (exact.ids.length >= PAGE_SIZE) return { ...exact, suggestion: null };
    const corrected = await Promise.all(
      query.terms.map(async (term) =>
        Array.from(term).length < TYPO_MIN_CHARS ? term : (closestWord(term, await repo.findSimilarWords(term)) ?? term),
      ),
    );
    if (corrected.every((term, i) => term === query.terms[i])) return { ...exact, suggestion: null };
    const close = await repo.searchActive({ terms: corrected, sku: null });
    const seen = new Set(exact.ids);
    return {
      ids: [...exact.ids, ...close.ids.filter((id) => !seen.has(id))],
      capped: exact.capped || close.capped,
      suggestion: exact.ids.length === 0 && close.ids.length > 0 ? corrected.join(' ') : null,
    };
  }

  return {
    /** Categories for the site header, on every page. */
    async listNavCategories(): Promise<NavCategory[]> {
      return (await categories()).nav;
    },

    /** Featured products and new arrivals, active only. */
    async getHomePage(): Promise<{ featured: ListedProduct[]; newArrivals: ListedProduct[] }> {
      const home = await caches.home.get('', async () => {
        const [featured, newArrivals] = await Promise.all([repo.findFeaturedIds(HOME_LIST_SIZE), repo.findNewArrivalIds(HOME_LIST_SIZE)]);
        return { featured, newArrivals };
      });
      const products = await listed([...new Set([...home.featured, ...home.newArrivals])]);
      const byId = new Map(products.map((p) => [p.product.id, p]));
      const pick = (ids: number[]) => ids.flatMap((id) => byId.get(id) ?? []);
      return { featured: pick(home.featured), newArrivals: pick(home.newArrivals) };
    },

    /** A category's current slug when `rawSlug` is one it had before (its old page answers a 301), else null. */
    async findMovedCategory(rawSlug: string): Promise<string | null> {
      const index = await categories();
      const slug = rawSlug.toLowerCase();
      return index.bySlug.has(slug) ? null : (index.moved.get(slug) ?? null);
    },

    /** One page of a category's active products; 400 for a bad page number, 404 past the last page. */
    async getCategoryPage(rawSlug: string, rawPage: string | undefined) {
      const page = parsePageParam(rawPage);
      if (page === null) throw invalidPage();
      const category = (await categories()).bySlug.get(rawSlug.toLowerCase());
      if (!category) throw new NotFoundError('We could not find that category.', 'category_not_found');
      const ids = await caches.categoryIds.get(category.id, () => repo.findActiveIdsInCategory(category.id));
      const pagination = paginate(ids.length, page, PAGE_SIZE);
      if (page > pagination.pageCount) {
        throw new NotFoundError(
          `${category.name} has ${pagination.pageCount} page${pagination.pageCount === 1 ? '' : 's'}; there is no page ${page}.`,
          'page_not_found',
        );
      }
      const products = await listed(pageOf(ids, pagination));
      return { category: { slug: category.slug, name: category.name, description: category.description }, products, pagination };
    },

    /** Ranked search; blank input and input with no words are answers, not errors. */
    async searchProducts(rawQuery: string | undefined, rawPage: string | undefined): Promise<SearchResults> {
      const query = (rawQuery ?? '').slice(0, SEARCH_MAX_CHARS).trim();
      if (!query) return { query, products: [], pagination: null, capped: false, suggestion: null };
      const page = parsePageParam(rawPage);
      if (page === null) throw invalidPage();
      const parsed = parseSearchQuery(query);
      const key = `${parsed.terms.join(' ')}|${parsed.sku ?? ''}`;
      const { ids, capped, suggestion } = await caches.searches.get(key, () => rankedSearch(parsed));
      const pagination = paginate(ids.length, page, PAGE_SIZE);
      if (page > pagination.pageCount) throw new NotFoundError(`There is no page ${page} of results for “${query}”.`, 'page_not_found');
      return { query, products: await listed(pageOf(ids, pagination)), pagination, capped, suggestion };
    },
  };
}
