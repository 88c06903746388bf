/**
 * The cart: one line per owner and product in `user_cart`. The owner is a logged-in user's OIDC
 * subject, or `guest:<id>` for a visitor (see cart.owner.ts). Quantities are whole numbers from 1 to
 * MAX_LINE_QUANTITY, key_lim lines also at most the keys left; a cart holds one currency. Prices,
 * stock and status are always read from the catalog now, never stored in the cart or taken from
 * the request.
 *
 * What other domains use:
 * - `getCart(ownerId)`: the lines priced from the database, with stock, problems, total and count.
 * - `contents(ownerId, tx?)`: the bare lines (product id, quantity) and the cart's code, for checkout.
 * - `removeProducts(tx, ownerId, productIds)`: a paid order's products leave the cart, in the paying transaction.
 * - `mergeGuestCart(guestId, userSub)`: at login, the visitor's cart joins the user's; returns what was capped.
 * - `countItems(ownerId)`: units in the cart for the header badge (one query, or none: kept 2 s, see CartCountCaches).
 * Refusals are AppErrors with the codes in cart.errors.ts.
 */
import type { CartProduct, CatalogService } from '../catalog/catalog.service.js';
import { parseSku } from '../catalog/sku.js';
import { loadingCacheOver, noCache, type Cache } from '../platform/cache.js';
import type { Database, Executor } from '../platform/db/db.js';
import type { ProductType } from '../platform/db/schema.js';
import { cartErrors } from './cart.errors.js';
import { createCartRepo } from './cart.repo.js';
import {
  cartCurrency,
  lineLimit,
  lineProblem,
  lineStock,
  MAX_LINE_QUANTITY,
  parseQuantity,
  planMerge,
  type CappedLine,
  type LineProblem,
  type LineStock,
  type StoredLine,
} from './cart.rules.js';

export interface CartLine {
  productId: number;
  sku: string;
  name: string;
  type: ProductType;
  unitPrice: number;
  currency: string;
  quantity: number;
  lineTotal: number;
  stock: LineStock;
  problem: LineProblem | null;
}

export interface Cart {
  lines: CartLine[];
  /** null for an empty cart */
  currency: string | null;
  /** lines that can be bought (for sale, in the cart's currency) */
  total: number;
  /** units across all lines */
  count: number;
  canCheckout: boolean;
  /** the discount code the cart carries, unchecked (src/discounts prices it); null without one */
  code?: string | null;
}

export interface MergeReport {
  /** lines of the visitor's cart now in the user's */
  merged: number;
  capped: CappedLine[];
}

/**
 * The header badge's counts, by owner, kept briefly (src/caches.ts): every page a logged-in visitor
 * sees shows one. Each cart change this instance makes drops its owner's count once written, so the
 * next page shows it; another instance's change shows when the count expires (2 s, like shown
 * stock). The cart page and checkout count live.
 */
export interface CartCountCaches {
  counts: Cache<string, Promise<number>>;
  /**
   * Owners whose cart a payment's transaction is emptying: until it commits, a count read outside
   * it is the old one, so theirs are counted live (for as long as this cache keeps them).
   */
  paying: Cache<string, true>;
}

export interface CartDeps {
  db: Database;
  catalog: Pick<CatalogService, 'findCartProducts'>;
  clock?: () => number;
  /** Without them (the CLI, seeding) every count is a query. */
  countCaches?: CartCountCaches;
}

export const GUEST_OWNER_PREFIX = 'guest:';
const EMPTY: Cart = { lines: [], currency: null, total: 0, count: 0, canCheckout: false };

/** The cart service; see the top of this file. */
export function createCartService({ db, catalog, clock = Date.now, countCaches }: CartDeps) {
  const repo = createCartRepo(db);
  const counts = countCaches?.counts ?? noCache<string, Promise<number>>();
  const paying = countCaches?.paying ?? noCache<string, true>();
  const countsLoading = loadingCacheOver(counts);
  // Called once the change is written: a count read before then (even one still in flight) is
  // dropped with it, and every read after sees the change.
  const changed = (ownerId: string) => counts.delete(ownerId);

  /** The owner's lines and their products (plus the one named by `sku`), in two or three queries. */
  async function load(ownerId: string, sku?: string) {
    const { lines, code } = await repo.findLinesWithCode(ownerId);
    const found = await catalog.findCartProducts({ ids: lines.map((l) => l.productId), skus: sku ? [sku] : [] });
    const products = new Map(found.map((p) => [p.id, p]));
    return { lines, products, code, target: sku ? found.find((p) => p.sku === sku) : undefined };
  }

  function price(lines: StoredLine[], products: Map<number, CartProduct>, code: string | null = null): Cart {
    const currency = cartCurrency(lines, products) ?? (lines.length ? (products.get(lines[0]!.productId)?.currency ?? null) : null);
    const priced: CartLine[] = lines.flatMap((l) => {
      const p = products.get(l.productId);
      if (!p) return [];
      const problem = lineProblem(p, l.quantity, currency);
      return [
        {
          productId: p.id,
          sku: p.sku,
          name: p.name,
          type: p.type,
          unitPrice: p.price,
          currency: p.currency,
          quantity: l.quantity,
          lineTotal: p.price * l.quantity,
          stock: lineStock(p),
          problem,
        },
      ];
    });
    const counted = priced.filter((l) => l.problem !== 'unavailable' && l.problem !== 'currency_mismatch');
    return {
      lines: priced,
      currency,
      total: counted.reduce((sum, l) => sum + l.lineTotal, 0),
      count: priced.reduce((sum, l) => sum + l.quantity, 0),
      canCheckout: priced.length > 0 && priced.every((l) => l.problem === null),
      code,
    };
  }

  /**
   * The lines after a write of one line's quantity, without reading them again: the answer to a
   * change shows the cart as this request wrote it, priced from the products it read a moment ago.
   */
  function withQuantity(lines: StoredLine[], productId: number, quantity: number, now: number): StoredLine[] {
    return lines.some((l) => l.productId === productId)
      ? lines.map((l) => (l.productId === productId ? { ...l, quantity } : l))
      : [...lines, { productId, quantity, addedAt: now }];
  }

  function requireSku(raw: string): string {
    const sku = parseSku(raw);
    if (!sku) throw cartErrors.productNotFound();
    return sku;
  }

  /** Throws unless `quantity` units of the product fit: sold out, above the maximum, above the keys left. */
  function checkFits(product: CartProduct, quantity: number, inCart: number) {
    if (product.available !== null && product.available <= 0) throw cartErrors.outOfStock(product.name);
    if (product.available !== null && quantity > product.available)
      throw cartErrors.quantityExceedsStock(product.name, product.available, inCart);
    if (quantity > MAX_LINE_QUANTITY) throw cartErrors.quantityOverMax(product.name, inCart);
  }

  async function getCart(ownerId: string | null): Promise<Cart> {
    if (!ownerId) return EMPTY;
    const { lines, products, code } = await load(ownerId);
    return price(lines, products, code);
  }

  async function removeItem(ownerId: string, rawSku: string): Promise<Cart> {
    const [product] = await catalog.findCartProducts({ skus: [requireSku(rawSku)] });
    if (!product) throw cartErrors.productNotFound();
    // Removing what is not (or no longer) there is a success: double submits and stale tabs stay quiet.
    await repo.deleteLines(ownerId, [product.id]);
    changed(ownerId);
    return getCart(ownerId);
  }

  return {
    getCart,

    /** Adds units of an active product (1 when no quantity is given); refuses what would not fit. */
    async addItem(ownerId: string, rawSku: string, rawQuantity: unknown = 1): Promise<Cart> {
      const quantity = parseQuantity(rawQuantity);
      if (quantity === null) throw cartErrors.quantityInvalid();
      const sku = requireSku(rawSku);
      // Twice at most: a second pass only runs when a concurrent add changed the line meanwhile.
      for (let attempt = 0; ; attempt++) {
        const { lines, products, code, target } = await load(ownerId, sku);
        if (!target || target.status !== 'active') throw cartErrors.productNotFound();
        const currency = cartCurrency(lines, products, target.id);
        if (currency !== null && currency !== target.currency) throw cartErrors.currencyMismatch(target.name, target.currency, currency);
        const inCart = lines.find((l) => l.productId === target.id)?.quantity ?? 0;
        checkFits(target, inCart + quantity, inCart);
        const now = clock();
        const added = await repo.addQuantity(ownerId, target.id, quantity, lineLimit(target), now);
        if (added !== null) {
          changed(ownerId);
          return price(withQuantity(lines, target.id, added, now), products, code);
        }
        if (attempt > 0) throw cartErrors.quantityOverMax(target.name, inCart);
      }
    },

    /** Sets a line's quantity; 0 removes it. Only lines already in the cart, of products still for sale. */
    async updateItem(ownerId: string, rawSku: string, rawQuantity: unknown): Promise<Cart> {
      const quantity = parseQuantity(rawQuantity, { allowZero: true });
      if (quantity === null) throw cartErrors.quantityInvalid();
      const sku = requireSku(rawSku);
      if (quantity === 0) return removeItem(ownerId, sku);
      const { lines, products, code, target } = await load(ownerId, sku);
      if (!target || target.status !== 'active') throw cartErrors.productNotFound();
      if (!lines.some((l) => l.productId === target.id)) throw cartErrors.notInCart();
      checkFits(target, quantity, 0);
      if (!(await repo.updateQuantity(ownerId, target.id, quantity))) throw cartErrors.notInCart();
      changed(ownerId);
      return price(withQuantity(lines, target.id, quantity, clock()), products, code);
    },

    removeItem,

    /**
     * Moves a visitor's cart into the user's at login (rules in planMerge) and deletes the visitor's,
     * in one transaction. Quantities are written as absolute values, so running it twice is harmless.
     */
    async mergeGuestCart(guestId: string, userSub: string): Promise<MergeReport> {
      const guestOwner = `${GUEST_OWNER_PREFIX}${guestId}`;
      if (guestOwner === userSub) return { merged: 0, capped: [] };
      const [guest, user] = await Promise.all([repo.findLines(guestOwner), repo.findLines(userSub)]);
      if (guest.length === 0) return { merged: 0, capped: [] };
      const products = new Map((await catalog.findCartProducts({ ids: guest.map((l) => l.productId) })).map((p) => [p.id, p]));
      const { writes, capped } = planMerge(guest, user, products);
      await db.transaction(async (tx) => {
        for (const line of writes) await repo.upsertLine(userSub, line, tx);
        await repo.deleteCart(guestOwner, tx);
        await repo.moveCode(guestOwner, userSub, tx);
      });
      changed(userSub);
      changed(guestOwner);
      return { merged: writes.length, capped };
    },

    /** The bare lines and the code the cart carries, in one statement, for checkout. */
    async contents(
      ownerId: string,
      tx?: Executor,
    ): Promise<{ lines: Array<{ productId: number; quantity: number }>; code: string | null }> {
      const { lines, code } = await repo.findLinesWithCode(ownerId, tx);
      return { lines: lines.map(({ productId, quantity }) => ({ productId, quantity })), code };
    },

    /** Takes a paid order's products out of the cart, inside the payment's transaction. */
    async removeProducts(tx: Executor, ownerId: string, productIds: number[]): Promise<void> {
      await repo.deleteLines(ownerId, productIds, tx);
      paying.set(ownerId, true);
      changed(ownerId);
    },

    /** Units in the cart, for the header badge: kept briefly, dropped by this instance's changes (CartCountCaches). */
    countItems(ownerId: string): Promise<number> {
      if (paying.get(ownerId)) return repo.countUnits(ownerId);
      return countsLoading.get(ownerId, () => repo.countUnits(ownerId));
    },
  };
}

export type CartService = ReturnType<typeof createCartService>;
