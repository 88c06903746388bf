import type { createBenchRepo } from './bench.repo.js';
import { registerBuyer, type Buyer } from './client.js';
import type { PageFigures } from './report.js';

export interface Scenario {
  name: string;
  detail: string;
  paths: string[];
  cookies?: string[];
  target: PageFigures['target'];
}

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
 * The page scenarios over the generated catalog: random SKUs, random pages of random categories,
 * the home page, single words from product names, and the cart API for logged-in users whose carts
 * hold three products each.
 */
export async function buildScenarios(repo: ReturnType<typeof createBenchRepo>, cartUsers: Buyer[], storeUrl: string): Promise<Scenario[]> {
  const products = await repo.sampleActiveProducts(5000);
  const categories = await repo.activeCountsByCategory();
  const categoryPaths = categories.flatMap(({ slug, n }) =>
    Array.from({ length: Math.ceil(n / PAGE_SIZE) }, (_, i) => `/category/${slug}${i === 0 ? '' : `?page=${i + 1}`}`),
  );
  const words = [...new Set(products.flatMap((p) => p.name.toLowerCase().split(/[^a-z]+/)).filter((w) => w.length >= 3))];
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
  return [
    {
      name: 'product',
      detail: `GET /:sku over ${products.length} random active SKUs`,
      paths: products.map((p) => `/${p.sku}`),
      target: { minRatio: 0.5, maxP99Ms: 20 },
    },
    {
      name: 'category',
      detail: `GET /category/:slug?page=n over all ${pageCount} pages of ${categories.length} categories, uniformly at random`,
      paths: shuffled(categoryPaths).slice(0, 20_000),
      target: { minRatio: 0.3 },
    },
    { name: 'home', detail: 'GET /', paths: ['/'], target: {} },
    {
      name: 'search',
      detail: `GET /search?q=word over ${words.length} words from product names, at random`,
      paths: words.map((w) => `/search?q=${encodeURIComponent(w)}`),
      target: { minRatio: 0.3, maxP99Ms: 30 },
    },
    {
      name: 'cart (logged in)',
      detail: `GET /api/cart with the session cookies of ${cartUsers.length} users (3 products in each cart), at random`,
      paths: ['/api/cart'],
      cookies: cartUsers.map((u) => u.cookie),
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
