/**
 * Whether a discount code applies to a cart, and what it takes off each line: pure functions over a
 * parsed code, the cart's lines and the buyer's earlier uses. The service reads; these decide.
 */
import { AppError } from '../platform/errors.js';
import { formatMoney } from '../platform/money.js';

export interface DiscountCode {
  id: number;
  code: string;
  kind: 'percent' | 'fixed';
  /** basis points: 1500 is 15 % */
  percentBp: number | null;
  /** fixed codes: minor units per currency */
  amounts: Record<string, number>;
  /** per currency; a currency without one has no minimum */
  minSubtotals: Record<string, number>;
  /** null: any product (when categoryIds is null too) */
  productIds: number[] | null;
  categoryIds: number[] | null;
  startsAt: number | null;
  endsAt: number | null;
  maxUses: number | null;
  maxUsesPerBuyer: number | null;
  uses: number;
  disabledAt: number | null;
  createdAt: number;
}

/** A cart line as the rules see it: `amount` is unit price × quantity in minor units. */
export interface RuleLine {
  productId: number;
  amount: number;
  categoryIds: number[];
}

export type DiscountState = 'active' | 'scheduled' | 'expired' | 'exhausted' | 'disabled';

export const DISCOUNT_ERROR_CODES = [
  'discount_unknown',
  'discount_not_started',
  'discount_expired',
  'discount_exhausted',
  'discount_used_by_you',
  'discount_not_applicable',
  'discount_minimum',
] as const;
export type DiscountErrorCode = (typeof DISCOUNT_ERROR_CODES)[number];

/** A code's refusal: a 4xx AppError with one of the codes above and a message for the buyer. */
export class DiscountError extends AppError {
  constructor(code: DiscountErrorCode, message: string, status = 422, details?: Record<string, unknown>) {
    super(code, message, status, details);
  }
}

/** True for a refusal of a discount code (shown beside the cart rather than as an error page). */
export function isDiscountError(err: unknown): err is DiscountError {
  return err instanceof AppError && (DISCOUNT_ERROR_CODES as readonly string[]).includes(err.code);
}

/** An instant as the buyer reads it: UTC to the minute. */
export function formatInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export const discountErrors = {
  unknown: () => new DiscountError('discount_unknown', 'That discount code is not valid.', 404),
  notStarted: (at: number) =>
    new DiscountError('discount_not_started', `That discount code is not valid yet: it starts on ${formatInstant(at)}.`, 422, {
      startsAt: at,
    }),
  expired: (at: number) =>
    new DiscountError('discount_expired', `That discount code has expired: it ended on ${formatInstant(at)}.`, 422, { endsAt: at }),
  exhausted: () => new DiscountError('discount_exhausted', 'That discount code has been used up: all its uses are taken.', 409),
  retakeExhausted: () =>
    new DiscountError(
      'discount_exhausted',
      'The discount code of this order has been used up since it lapsed, so it cannot be paid at this price. Nothing was charged; please place a new order.',
      409,
    ),
  usedByYou: (limit: number) =>
    new DiscountError(
      'discount_used_by_you',
      limit === 1
        ? 'You have already used that discount code.'
        : `You have already used that discount code ${limit} times, its limit per buyer.`,
      409,
      { limit },
    ),
  noProducts: () => new DiscountError('discount_not_applicable', 'That discount code does not apply to any product in your cart.'),
  noCurrency: (currency: string) =>
    new DiscountError('discount_not_applicable', `That discount code does not apply to purchases in ${currency}.`, 422, { currency }),
  minimum: (minimum: number, missing: number, currency: string) =>
    new DiscountError(
      'discount_minimum',
      `That discount code needs at least ${formatMoney(minimum, currency)} of eligible products: add ${formatMoney(missing, currency)} more.`,
      422,
      { minimum, missing, currency },
    ),
};

/** A code as typed: trimmed and upper-cased (codes are case-insensitive and stored upper-case). */
export function normaliseCode(raw: string): string {
  return raw.trim().toUpperCase();
}

/** What every stored code looks like once normalised (the owner's form allows no other). */
export const CODE_SHAPE = /^[A-Z0-9][A-Z0-9_-]{2,59}$/;

/**
 * The code to look up for what a buyer typed, or null when it cannot be one: anything else is
 * unknown without a query (PostgreSQL refuses a NUL in text, and a longer text must not match its
 * first 60 characters).
 */
export function lookupCode(raw: string): string | null {
  const code = normaliseCode(raw);
  return CODE_SHAPE.test(code) ? code : null;
}

/** Where a code stands at `at`, for the owner's list: disabled and used up before the dates. */
export function discountState(code: DiscountCode, at: number): DiscountState {
  if (code.disabledAt !== null) return 'disabled';
  if (code.maxUses !== null && code.uses >= code.maxUses) return 'exhausted';
  if (code.endsAt !== null && at >= code.endsAt) return 'expired';
  if (code.startsAt !== null && at < code.startsAt) return 'scheduled';
  return 'active';
}

/** Whether a line counts for the code: any product when it names none; else its products or categories. */
export function isEligible(code: Pick<DiscountCode, 'productIds' | 'categoryIds'>, line: RuleLine): boolean {
  if (code.productIds === null && code.categoryIds === null) return true;
  if (code.productIds?.includes(line.productId)) return true;
  return code.categoryIds?.some((c) => line.categoryIds.includes(c)) ?? false;
}

export interface ApplyInput {
  at: number;
  currency: string;
  lines: RuleLine[];
  /** redemptions this buyer holds of this code */
  buyerUses: number;
}

/**
 * Checks a code against a cart, in the order that tells the buyer most (the code, its dates, its
 * uses, theirs, the cart's products, then the amount), and returns each line's discount; throws
 * the first refusal as a DiscountError.
 */
export function applyCode(code: DiscountCode | undefined, input: ApplyInput): number[] {
  if (!code || code.disabledAt !== null) throw discountErrors.unknown();
  if (code.startsAt !== null && input.at < code.startsAt) throw discountErrors.notStarted(code.startsAt);
  if (code.endsAt !== null && input.at >= code.endsAt) throw discountErrors.expired(code.endsAt);
  if (code.maxUses !== null && code.uses >= code.maxUses) throw discountErrors.exhausted();
  if (code.maxUsesPerBuyer !== null && input.buyerUses >= code.maxUsesPerBuyer) throw discountErrors.usedByYou(code.maxUsesPerBuyer);
  const eligible = input.lines.map((l) => isEligible(code, l));
  if (!eligible.includes(true)) throw discountErrors.noProducts();
  const fixed = code.kind === 'fixed' ? code.amounts[input.currency] : undefined;
  if (code.kind === 'fixed' && fixed === undefined) throw discountErrors.noCurrency(input.currency);
  const subtotal = input.lines.reduce((sum, l, i) => (eligible[i] ? sum + l.amount : sum), 0);
  const minimum = code.minSubtotals[input.currency];
  if (minimum !== undefined && subtotal < minimum) throw discountErrors.minimum(minimum, minimum - subtotal, input.currency);
  const amounts = input.lines.map((l, i) => (eligible[i] ? l.amount : 0));
  return code.kind === 'percent' ? allocatePercent(amounts, code.percentBp ?? 0) : allocateFixed(amounts, fixed!);
}

/** `bp` basis points of each amount, rounded half up (never more than the amount). */
export function allocatePercent(amounts: number[], bp: number): number[] {
  const rate = BigInt(Math.min(Math.max(bp, 0), 10_000));
  return amounts.map((a) => (a <= 0 ? 0 : Number((BigInt(a) * rate + 5_000n) / 10_000n)));
}

/**
 * `total` spread over the amounts in proportion to them by the largest-remainder method (ties to
 * the earlier line), capped at their sum: the shares add up to exactly min(total, sum).
 */
export function allocateFixed(amounts: number[], total: number): number[] {
  const positive = amounts.map((a) => BigInt(Math.max(a, 0)));
  const sum = positive.reduce((s, a) => s + a, 0n);
  const spread = BigInt(Math.max(total, 0)) < sum ? BigInt(Math.max(total, 0)) : sum;
  if (sum === 0n) return amounts.map(() => 0);
  const shares = positive.map((a) => (spread * a) / sum);
  const remainders = positive.map((a, i) => ({ i, r: (spread * a) % sum }));
  let left = spread - shares.reduce((s, a) => s + a, 0n);
  remainders.sort((x, y) => (x.r === y.r ? x.i - y.i : x.r > y.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    shares[i]! += 1n;
    left -= 1n;
  }
  return shares.map(Number);
}
