/**
 * Discount codes: whether one applies (discount.rules.ts decides), taking and giving back uses with
 * orders, the owner's codes, and the code a cart carries.
 *
 * What other domains use:
 * - checkout (CheckoutDiscounts): `cartCode`, `quote`, `redeem` in the order's transaction.
 * - payments: `release(tx, orderId)` when an unpaid order ends (expired, failed, cancelled).
 * - the cart: `applyToCart`, `removeFromCart`, `cartCode` (discounts.cart.ts adapts them to its page).
 * - admin and CLI: `create`, `list`, `disable`, `transaction` (their audit row goes in the same one).
 */
import type { CatalogService } from '../catalog/catalog.service.js';
import { createCategoriesService, type CategoriesService } from '../catalog/categories.service.js';
import { parseSku } from '../catalog/sku.js';
import type { CheckoutDiscounts } from '../checkout/checkout.types.js';
import type { Database, Executor, Tx } from '../platform/db/db.js';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import { parseDiscountForm, targetsOf, type DiscountFieldErrors, type DiscountForm } from './discount.input.js';
import { applyCode, discountErrors, discountState, lookupCode, type DiscountCode, type DiscountState } from './discount.rules.js';
import { createDiscountsRepo, isUniqueViolation, type DiscountRow } from './discounts.repo.js';

export interface DiscountsDeps {
  db: Database;
  clock?: () => number;
  /** SKUs of the owner's codes (create, list); quoting needs only product ids. */
  catalog?: Pick<CatalogService, 'findCartProducts'>;
  /** categories by slug and of products; the catalog's own service on `db` when not given */
  categories?: Pick<CategoriesService, 'list' | 'categoryIdsOfProducts'>;
}

/** A code as the owner's list shows it: its products and categories by SKU and slug, and its state. */
export interface DiscountSummary extends Omit<DiscountCode, 'productIds' | 'categoryIds' | 'disabledAt'> {
  skus: string[];
  slugs: string[];
  state: DiscountState;
}

const json = <T>(raw: string | null): T | null => (raw === null ? null : (JSON.parse(raw) as T));

/** A stored row as the rules read it. */
export function toDiscountCode(row: DiscountRow): DiscountCode {
  return {
    id: Number(row.id),
    code: row.code,
    kind: row.kind,
    percentBp: row.percent_bp,
    amounts: json<Record<string, number>>(row.amounts) ?? {},
    minSubtotals: json<Record<string, number>>(row.min_subtotals) ?? {},
    productIds: json<number[]>(row.product_ids),
    categoryIds: json<number[]>(row.category_ids),
    startsAt: row.starts_at === null ? null : Number(row.starts_at),
    endsAt: row.ends_at === null ? null : Number(row.ends_at),
    maxUses: row.max_uses,
    maxUsesPerBuyer: row.max_uses_per_buyer,
    uses: row.uses,
    disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
    createdAt: Number(row.created_at),
  };
}

// A row with nothing set, for the state of a code just made.
const emptyRow: DiscountRow = {
  id: 0,
  code: '',
  kind: 'percent',
  percent_bp: null,
  amounts: null,
  min_subtotals: null,
  product_ids: null,
  category_ids: null,
  starts_at: null,
  ends_at: null,
  max_uses: null,
  max_uses_per_buyer: null,
  uses: 0,
  disabled_at: null,
  created_at: 0,
};

const invalid = (fields: DiscountFieldErrors) =>
  new ValidationError('Please correct the highlighted fields.', { fields }, 'invalid_discount');

/** The discounts service; see the top of this file. */
export function createDiscountsService({
  db,
  clock = Date.now,
  catalog,
  categories = createCategoriesService({ db, clock }),
}: DiscountsDeps) {
  const repo = createDiscountsRepo(db);

  const quote: CheckoutDiscounts['quote'] = async (raw, { userSub, currency, lines, at }) => {
    const typed = lookupCode(raw);
    const row = typed === null ? undefined : await repo.findByCode(typed);
    const code = row ? toDiscountCode(row) : undefined;
    const cats = code?.categoryIds ? await categories.categoryIdsOfProducts(lines.map((l) => l.productId)) : new Map<number, number[]>();
    const buyerUses = code?.maxUsesPerBuyer ? await repo.countHeld(code.id, userSub) : 0;
    const perLine = applyCode(code, {
      at,
      currency,
      buyerUses,
      lines: lines.map((l) => ({ productId: l.productId, amount: l.unitPrice * l.quantity, categoryIds: cats.get(l.productId) ?? [] })),
    });
    return { codeId: code!.id, code: code!.code, perLine };
  };

  async function summaries(rows: DiscountRow[]): Promise<DiscountSummary[]> {
    const codes = rows.map(toDiscountCode);
    const ids = [...new Set(codes.flatMap((c) => c.productIds ?? []))];
    const products = ids.length && catalog ? await catalog.findCartProducts({ ids }) : [];
    const skuOf = new Map(products.map((p) => [p.id, p.sku]));
    const cats = codes.some((c) => c.categoryIds) ? await categories.list() : [];
    const slugOf = new Map(cats.map((c) => [c.id, c.slug]));
    const now = clock();
    return codes.map((c) => ({
      id: c.id,
      code: c.code,
      kind: c.kind,
      percentBp: c.percentBp,
      amounts: c.amounts,
      minSubtotals: c.minSubtotals,
      skus: (c.productIds ?? []).map((id) => skuOf.get(id) ?? `#${id}`),
      slugs: (c.categoryIds ?? []).map((id) => slugOf.get(id) ?? `#${id}`),
      startsAt: c.startsAt,
      endsAt: c.endsAt,
      uses: c.uses,
      maxUses: c.maxUses,
      maxUsesPerBuyer: c.maxUsesPerBuyer,
      state: discountState(c, now),
      createdAt: c.createdAt,
    }));
  }

  /** Product ids of the SKUs and category ids of the slugs, or the fields naming the unknown ones. */
  async function resolveTargets(skus: string[], slugs: string[]) {
    const errors: DiscountFieldErrors = {};
    let productIds: number[] | null = null;
    if (skus.length > 0) {
      if (!catalog) throw new Error('discounts: codes limited to products need the catalog');
      // Only what could be a SKU is looked up: PostgreSQL refuses a NUL in text, and the rest is missing anyway.
      const plausible = skus.filter((s) => parseSku(s) !== null);
      const found = plausible.length ? await catalog.findCartProducts({ skus: plausible }) : [];
      const bySku = new Map(found.map((p) => [p.sku.toUpperCase(), p.id]));
      const missing = skus.filter((s) => !bySku.has(s));
      if (missing.length) errors.products = `No product has the SKU ${missing.slice(0, 5).join(', ')}.`;
      productIds = [...new Set(skus.map((s) => bySku.get(s)).filter((id): id is number => id !== undefined))];
    }
    let categoryIds: number[] | null = null;
    if (slugs.length > 0) {
      const bySlug = new Map((await categories.list()).map((c) => [c.slug, c.id]));
      const missing = slugs.filter((s) => !bySlug.has(s));
      if (missing.length) errors.categories = `No category has the slug ${missing.slice(0, 5).join(', ')}.`;
      categoryIds = [...new Set(slugs.map((s) => bySlug.get(s)).filter((id): id is number => id !== undefined))];
    }
    return { productIds, categoryIds, errors };
  }

  return {
    /** Runs the owner's change and its audit row in one transaction. */
    transaction: <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => db.transaction(fn),

    cartCode: (ownerId: string) => repo.findCartCode(ownerId),
    quote,

    /**
     * Takes one use for the order in the caller's transaction. The conditional update is the only
     * gate on the last use; the buyer's own count is read after it, behind the row's lock.
     */
    async redeem(tx: Executor, { codeId, orderId, userSub, at }: Parameters<CheckoutDiscounts['redeem']>[1]): Promise<void> {
      if (!(await repo.takeUse(codeId, tx))) throw discountErrors.exhausted();
      const code = await repo.findById(codeId, tx);
      if (!code) throw discountErrors.unknown();
      if (code.max_uses_per_buyer !== null && (await repo.countHeld(codeId, userSub, tx)) >= code.max_uses_per_buyer)
        throw discountErrors.usedByYou(code.max_uses_per_buyer);
      await repo.insertRedemption({ code_id: codeId, order_id: orderId, user_sub: userSub, created_at: at }, tx);
    },

    /** Gives the order's use back (its order ended unpaid), once; true when there was one to give. */
    async release(tx: Executor, orderId: string): Promise<boolean> {
      const codeId = await repo.releaseRedemption(orderId, clock(), tx);
      if (codeId === undefined) return false;
      await repo.giveBackUse(codeId, tx);
      return true;
    },

    /**
     * An order whose use was given back (it expired or failed) is paid again: it takes its use back,
     * by the same conditional update as `redeem`, so a code used up meanwhile refuses (nothing changes).
     */
    async retake(tx: Executor, orderId: string): Promise<void> {
      const r = await repo.findRedemption(orderId, tx);
      if (r?.status !== 'released') return;
      if (!(await repo.takeUse(r.code_id, tx))) throw discountErrors.retakeExhausted();
      const code = await repo.findById(r.code_id, tx);
      if (code?.max_uses_per_buyer != null && (await repo.countHeld(r.code_id, r.user_sub, tx)) >= code.max_uses_per_buyer)
        throw discountErrors.usedByYou(code.max_uses_per_buyer);
      await repo.holdRedemptionAgain(orderId, tx);
    },

    /** The redemption of an order, if any (tests, the owner's order page). */
    redemptionOf: (orderId: string) => repo.findRedemption(orderId),

    /**
     * Adds a code from the owner's form; `invalid_discount` (400) or `duplicate_discount` (409) name
     * the fields. SKUs and slugs are resolved first; `within` (the audit row) runs in the insert's transaction.
     */
    async create(form: DiscountForm, within?: (tx: Tx, created: DiscountSummary) => Promise<void>): Promise<DiscountSummary> {
      const { value, errors } = parseDiscountForm(form);
      // SKUs and slugs are checked even when another field is wrong: every problem shows at once.
      const named = targetsOf(form);
      const targets = await resolveTargets(named.skus, named.slugs);
      if (!value || Object.keys(targets.errors).length > 0) throw invalid({ ...errors, ...targets.errors });
      const duplicate = () =>
        new ConflictError('duplicate_discount', `The code ${value.code} already exists.`, {
          fields: { code: 'This code already exists.' },
        });
      const createdAt = clock();
      const summary = (id: number): DiscountSummary => ({
        id,
        code: value.code,
        kind: value.kind,
        percentBp: value.percentBp,
        amounts: value.amounts ?? {},
        minSubtotals: value.minSubtotals ?? {},
        skus: [...new Set(value.skus)],
        slugs: [...new Set(value.slugs)],
        startsAt: value.startsAt,
        endsAt: value.endsAt,
        uses: 0,
        maxUses: value.maxUses,
        maxUsesPerBuyer: value.maxUsesPerBuyer,
        state: discountState(toDiscountCode({ ...emptyRow, starts_at: value.startsAt, ends_at: value.endsAt }), createdAt),
        createdAt,
      });
      try {
        return await db.transaction(async (tx) => {
          if (await repo.findByCode(value.code, tx)) throw duplicate();
          const id = await repo.insert(
            {
              code: value.code,
              kind: value.kind,
              percent_bp: value.percentBp,
              amounts: value.amounts && JSON.stringify(value.amounts),
              min_subtotals: value.minSubtotals && JSON.stringify(value.minSubtotals),
              product_ids: targets.productIds && JSON.stringify(targets.productIds),
              category_ids: targets.categoryIds && JSON.stringify(targets.categoryIds),
              starts_at: value.startsAt,
              ends_at: value.endsAt,
              max_uses: value.maxUses,
              max_uses_per_buyer: value.maxUsesPerBuyer,
              disabled_at: null,
              created_at: createdAt,
            },
            tx,
          );
          const created = summary(id);
          await within?.(tx, created);
          return created;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicate();
        throw err;
      }
    },

    /** Every code with its uses, limits and state now, newest first. */
    list: async () => summaries(await repo.findAll()),

    /** Disables a code (carts carrying it then say it is not valid); `discount_not_found` (404) for an unknown one. */
    async disable(rawCode: string, tx?: Executor): Promise<{ code: string; changed: boolean }> {
      const typed = lookupCode(rawCode);
      const row = typed === null ? undefined : await repo.findByCode(typed, tx);
      if (!row) throw new NotFoundError('There is no such discount code.', 'discount_not_found');
      return { code: row.code, changed: await repo.disable(Number(row.id), clock(), tx) };
    },

    /** Checks the code against the cart now (the buyer sees why at once) and keeps it with the cart. */
    async applyToCart(ownerId: string, rawCode: string, input: Omit<Parameters<CheckoutDiscounts['quote']>[1], 'at'>) {
      const q = await quote(rawCode, { ...input, at: clock() });
      await repo.setCartCode(ownerId, q.code, clock());
      return q;
    },

    /** Takes the code off the cart. */
    removeFromCart: (ownerId: string) => repo.deleteCartCode(ownerId),
    /** A paid order's code leaves the cart with its products, in the paying transaction (a one-use code would only say "already used" there). */
    clearCartCode: (tx: Executor, ownerId: string, code: string) => repo.deleteCartCodeIf(ownerId, code, tx),
  };
}

export type DiscountsService = ReturnType<typeof createDiscountsService>;
