import type { createBenchRepo } from './bench.repo.js';
import { registerBuyer, type Buyer } from './client.js';
import type { PageFigures } from './report.js';

export interface Scenario {
  name: string;
  detail: string;
  paths: string[];
  /** Paths drawn by rank with a Zipf law of this exponent (bench/load.ts); uniformly without it. */
  zipf?: number;
  cookies?: string[];
  target: PageFigures['target'];
}

/** Real shops' traffic: most requests go to a few products, first pages and popular words. */
const ZIPF_S = 1;

const PAGE_SIZE = 24; // the catalog's page size (src/catalog/catalog.service.ts)

function shuffled<T>(list: T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Registers `count` buyers, a few at a time (each is a real registration and login at the IdP). */
export async function registerBuyers(storeUrl: string, ca: Buffer, count: number): Promise<Buyer[]> {
  const buyers: Buyer[] = [];
  for (let i = 0; i < count; i += 8) {
    buyers.push(...(await Promise.all(Array.from({ length: Math.min(8, count - i) }, () => registerBuyer(storeUrl, ca)))));
  }
  return buyers;
}

/**
 * The page scenarios over the generated catalog. Uniform ones are the worst case for any cache:
 * random SKUs, every page of every category, words from product names. Zipf ones are what real
 * traffic looks like (s = 1): over every active SKU, over category pages ranked first pages first,
 * and over the words, each in a random order of popularity. Anonymous visitors carry no cookie;
 * logged-in ones their session cookie (their carts hold three products each).
 */
export async function buildScenarios(
  repo: ReturnType<typeof createBenchRepo>,
  cartUsers: Buyer[],
  storeUrl: string,
  count: number,
): Promise<Scenario[]> {
  const products = await repo.sampleActiveProducts(5000);
  const everyProduct = await repo.sampleActiveProducts(count);
  const categories = await repo.activeCountsByCategory();
  const categoryPaths = categories.flatMap(({ slug, n }) =>
    Array.from({ length: Math.ceil(n / PAGE_SIZE) }, (_, i) => ({
      slug,
      page: i,
      path: `/category/${slug}${i === 0 ? '' : `?page=${i + 1}`}`,
    })),
  );
  // First pages first (every category's page 1, then every page 2, …), categories in a random order.
  const categoryOrder = new Map(shuffled(categories).map((c, i) => [c.slug, i]));
  const rankedCategoryPaths = [...categoryPaths]
    .sort((a, b) => a.page - b.page || categoryOrder.get(a.slug)! - categoryOrder.get(b.slug)!)
    .map((p) => p.path);
  const words = [...new Set(products.flatMap((p) => p.name.toLowerCase().split(/[^a-z]+/)).filter((w) => w.length >= 3))];
  const searchPaths = shuffled(words).map((w) => `/search?q=${encodeURIComponent(w)}`);
  const skuPaths = shuffled(everyProduct.map((p) => `/${p.sku}`));
  const pageCount = categoryPaths.length;

  const cartSkus = await repo.sampleUnlimitedSkus(200);
  for (const user of cartUsers) {
    for (const sku of shuffled(cartSkus).slice(0, 3)) {
      const res = await user.browser.request(`${storeUrl}/api/cart/add`, {
        json: { sku, quantity: 1 },
        headers: { 'sec-fetch-site': 'same-origin' },
      });
      if (res.status !== 200) throw new Error(`could not fill a cart: ${res.status} ${res.body.slice(0, 200)}`);
    }
  }
  const loggedIn = cartUsers.map((u) => u.cookie);
  return [
    {
      name: 'product (Zipf)',
      detail: `GET /:sku over all ${skuPaths.length} active SKUs, Zipf (s = ${ZIPF_S}), anonymous`,
      paths: skuPaths,
      zipf: ZIPF_S,
      target: { minRatio: 0.5, maxP99Ms: 15 },
    },
    {
      name: 'product (uniform)',
      detail: `GET /:sku over ${products.length} random active SKUs, uniformly, anonymous`,
      paths: products.map((p) => `/${p.sku}`),
      target: {},
    },
    {
      name: 'product (Zipf, logged in)',
      detail: `GET /:sku as product (Zipf), with the session cookies of ${cartUsers.length} users (3 products in each cart), at random`,
      paths: skuPaths,
      zipf: ZIPF_S,
      cookies: loggedIn,
      target: { minRatio: 0.25 },
    },
    { name: 'home', detail: 'GET /, anonymous', paths: ['/'], target: { minRatio: 0.5, maxP99Ms: 15 } },
    {
      name: 'category (Zipf)',
      detail: `GET /category/:slug?page=n over all ${pageCount} pages of ${categories.length} categories, Zipf (s = ${ZIPF_S}) with first pages first, anonymous`,
      paths: rankedCategoryPaths,
      zipf: ZIPF_S,
      target: { minRatio: 0.4, maxP99Ms: 20 },
    },
    {
      name: 'category (uniform)',
      detail: `GET /category/:slug?page=n over all ${pageCount} pages, uniformly at random (the worst case), anonymous`,
      paths: shuffled(categoryPaths.map((p) => p.path)).slice(0, 20_000),
      target: {},
    },
    {
      name: 'search (Zipf)',
      detail: `GET /search?q=word over ${words.length} words from product names, Zipf (s = ${ZIPF_S}), anonymous`,
      paths: searchPaths,
      zipf: ZIPF_S,
      target: { minRatio: 0.4, maxP99Ms: 20 },
    },
    {
      name: 'search (uniform)',
      detail: `GET /search?q=word over the same words, uniformly, anonymous`,
      paths: searchPaths,
      target: {},
    },
    {
      name: 'cart (logged in)',
      detail: `GET /api/cart with the session cookies of ${cartUsers.length} users (3 products in each cart), at random`,
      paths: ['/api/cart'],
      cookies: loggedIn,
      target: {},
    },
  ];
}

/**
 * What buyers race for: paid signed-key and file products (always in stock) and key_lim products
 * with small pools, the latter about a fifth of all picks so that pools run dry during the run.
 */
export async function purchaseSkus(
  repo: ReturnType<typeof createBenchRepo>,
): Promise<{ skus: string[]; pooled: number; poolKeys: number }> {
  const unlimited = await repo.sampleUnlimitedSkus(400);
  const pooled = await repo.samplePooledSkus(40);
  const weight = pooled.length ? Math.ceil((unlimited.length * 0.25) / pooled.length) : 0;
  const skus = [...unlimited, ...pooled.flatMap((p) => Array.from({ length: weight }, () => p.sku))];
  return { skus, pooled: pooled.length, poolKeys: pooled.reduce((sum, p) => sum + p.available, 0) };
}
