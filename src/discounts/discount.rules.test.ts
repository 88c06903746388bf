import { describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.js';
import {
  allocateFixed,
  allocatePercent,
  applyCode,
  discountState,
  isDiscountError,
  lookupCode,
  normaliseCode,
  type ApplyInput,
  type DiscountCode,
} from './discount.rules.js';

const NOW = Date.parse('2026-06-15T12:00:00Z');
const code = (over: Partial<DiscountCode> = {}): DiscountCode => ({
  id: 1,
  code: 'SAVE',
  kind: 'percent',
  percentBp: 1000,
  amounts: {},
  minSubtotals: {},
  productIds: null,
  categoryIds: null,
  startsAt: null,
  endsAt: null,
  maxUses: null,
  maxUsesPerBuyer: null,
  uses: 0,
  disabledAt: null,
  createdAt: 0,
  ...over,
});
const input = (over: Partial<ApplyInput> = {}): ApplyInput => ({
  at: NOW,
  currency: 'EUR',
  buyerUses: 0,
  lines: [
    { productId: 1, amount: 1000, categoryIds: [10] },
    { productId: 2, amount: 3000, categoryIds: [20] },
  ],
  ...over,
});
function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (!isDiscountError(err)) throw err;
    return { code: err.code, message: err.message, status: err.status, details: err.details };
  }
  throw new Error('expected a refusal');
}

describe('allocatePercent', () => {
  it.each([
    [[1000], 1500, [150]],
    [[999], 1500, [150]], // 149.85 → 150
    [[10], 1500, [2]], // 1.5 → 2 (half up)
    [[30], 500, [2]], // 1.5 → 2
    [[29], 500, [1]], // 1.45 → 1
    [[1], 4999, [0]], // 0.4999 → 0
    [[1], 5000, [1]], // 0.5 → 1
    [[0, 500], 2000, [0, 100]],
    [[12345], 10000, [12345]],
    [[333, 333, 334], 3333, [111, 111, 111]],
  ])('%j at %i bp → %j', (amounts, bp, expected) => {
    expect(allocatePercent(amounts, bp)).toEqual(expected);
  });
  it('never takes more than the line, even with a rate above 100 %', () => {
    expect(allocatePercent([500], 20_000)).toEqual([500]);
  });
  it('is exact for large amounts', () => {
    expect(allocatePercent([9_000_000_000_001], 1500)).toEqual([1_350_000_000_000]);
  });
});

describe('allocateFixed (largest remainder)', () => {
  it.each([
    [[1000, 3000], 500, [125, 375]],
    [[1, 1, 1], 2, [1, 1, 0]], // ties go to the earlier line
    [[100, 100, 100], 100, [34, 33, 33]],
    [[1000, 2000, 3000], 100, [17, 33, 50]], // 16.67, 33.33, 50
    [[333, 667], 100, [33, 67]],
    [[500], 800, [500]], // capped at the lines' total
    [[300, 200], 10_000, [300, 200]],
    [[0, 400], 100, [0, 100]],
    [[0, 0], 100, [0, 0]],
    [[1000, 3000], 0, [0, 0]],
    [[7, 7, 7, 7, 7, 7, 7], 10, [2, 2, 2, 1, 1, 1, 1]],
  ])('%j sharing %i → %j', (amounts, total, expected) => {
    const shares = allocateFixed(amounts, total);
    expect(shares).toEqual(expected);
    expect(shares.reduce((s, a) => s + a, 0)).toBe(
      Math.min(
        total,
        amounts.reduce((s, a) => s + a, 0),
      ),
    );
  });
  it('always sums to the amount and keeps each share within its line', () => {
    for (let seed = 1; seed < 200; seed++) {
      const amounts = Array.from({ length: (seed % 7) + 1 }, (_, i) => ((seed * 7919 + i * 104729) % 5000) + (i % 3 === 0 ? 0 : 1));
      const total = (seed * 31) % 9000;
      const shares = allocateFixed(amounts, total);
      const sum = amounts.reduce((s, a) => s + a, 0);
      expect(shares.reduce((s, a) => s + a, 0)).toBe(Math.min(total, sum));
      shares.forEach((s, i) => expect(s).toBeLessThanOrEqual(amounts[i]!));
    }
  });
});

describe('applyCode', () => {
  it('takes a percentage off every line when the code names no products', () => {
    expect(applyCode(code(), input())).toEqual([100, 300]);
  });

  it('spreads a fixed amount in the cart currency over the eligible lines', () => {
    expect(applyCode(code({ kind: 'fixed', percentBp: null, amounts: { EUR: 500, USD: 600 } }), input())).toEqual([125, 375]);
    expect(applyCode(code({ kind: 'fixed', amounts: { USD: 600 } }), input({ currency: 'USD' }))).toEqual([150, 450]);
  });

  it('limits to named products or categories (either counts)', () => {
    expect(applyCode(code({ productIds: [2] }), input())).toEqual([0, 300]);
    expect(applyCode(code({ categoryIds: [10] }), input())).toEqual([100, 0]);
    expect(applyCode(code({ productIds: [2], categoryIds: [10] }), input())).toEqual([100, 300]);
    expect(applyCode(code({ kind: 'fixed', amounts: { EUR: 5000 }, productIds: [1] }), input())).toEqual([1000, 0]);
  });

  it('discounts a product in several of the code’s categories once, and counts it once toward the minimum', () => {
    const lines = [
      { productId: 1, amount: 1000, categoryIds: [10, 20] },
      { productId: 2, amount: 3000, categoryIds: [30] },
    ];
    expect(applyCode(code({ categoryIds: [10, 20] }), input({ lines }))).toEqual([100, 0]);
    expect(applyCode(code({ productIds: [1], categoryIds: [10, 20] }), input({ lines }))).toEqual([100, 0]);
    expect(applyCode(code({ kind: 'fixed', amounts: { EUR: 5000 }, categoryIds: [10, 20] }), input({ lines }))).toEqual([1000, 0]);
    expect(refusal(() => applyCode(code({ categoryIds: [10, 20], minSubtotals: { EUR: 1500 } }), input({ lines })))).toMatchObject({
      code: 'discount_minimum',
      details: { minimum: 1500, missing: 500 },
    });
  });

  it('refuses an unknown or a disabled code as not valid', () => {
    expect(refusal(() => applyCode(undefined, input()))).toMatchObject({
      code: 'discount_unknown',
      message: 'That discount code is not valid.',
    });
    expect(refusal(() => applyCode(code({ disabledAt: 1 }), input())).code).toBe('discount_unknown');
  });

  it('says when a code starts and when it ended', () => {
    const start = Date.parse('2026-07-01T09:30:00Z');
    expect(refusal(() => applyCode(code({ startsAt: start }), input())).message).toBe(
      'That discount code is not valid yet: it starts on 2026-07-01 09:30 UTC.',
    );
    expect(applyCode(code({ startsAt: NOW }), input())).toEqual([100, 300]);
    const end = Date.parse('2026-06-01T00:00:00Z');
    expect(refusal(() => applyCode(code({ endsAt: end }), input()))).toMatchObject({
      code: 'discount_expired',
      message: 'That discount code has expired: it ended on 2026-06-01 00:00 UTC.',
    });
    expect(refusal(() => applyCode(code({ endsAt: NOW }), input())).code).toBe('discount_expired');
    expect(applyCode(code({ endsAt: NOW + 1 }), input())).toEqual([100, 300]);
  });

  it('refuses a used-up code and one the buyer has used up', () => {
    expect(refusal(() => applyCode(code({ maxUses: 10, uses: 10 }), input())).code).toBe('discount_exhausted');
    expect(applyCode(code({ maxUses: 10, uses: 9 }), input())).toEqual([100, 300]);
    expect(refusal(() => applyCode(code({ maxUsesPerBuyer: 1 }), input({ buyerUses: 1 })))).toMatchObject({
      code: 'discount_used_by_you',
      message: 'You have already used that discount code.',
    });
    expect(refusal(() => applyCode(code({ maxUsesPerBuyer: 3 }), input({ buyerUses: 3 }))).message).toContain('3 times');
    expect(applyCode(code({ maxUsesPerBuyer: 2 }), input({ buyerUses: 1 }))).toEqual([100, 300]);
  });

  it('refuses a cart with none of the products, or a fixed code without the currency', () => {
    expect(refusal(() => applyCode(code({ productIds: [9], categoryIds: [99] }), input()))).toMatchObject({
      code: 'discount_not_applicable',
      message: 'That discount code does not apply to any product in your cart.',
    });
    expect(refusal(() => applyCode(code(), input({ lines: [] }))).code).toBe('discount_not_applicable');
    expect(refusal(() => applyCode(code({ kind: 'fixed', amounts: { EUR: 500 } }), input({ currency: 'USD' })))).toMatchObject({
      code: 'discount_not_applicable',
      message: 'That discount code does not apply to purchases in USD.',
    });
  });

  it('needs the minimum of the eligible lines and says how much more', () => {
    const c = code({ productIds: [1], minSubtotals: { EUR: 2500 } });
    expect(refusal(() => applyCode(c, input()))).toMatchObject({
      code: 'discount_minimum',
      message: 'That discount code needs at least €25.00 of eligible products: add €15.00 more.',
      details: { minimum: 2500, missing: 1500, currency: 'EUR' },
    });
    expect(applyCode(code({ minSubtotals: { EUR: 4000 } }), input())).toEqual([100, 300]);
    // no minimum in the cart's currency: none applies
    expect(applyCode(code({ minSubtotals: { USD: 99999 } }), input())).toEqual([100, 300]);
  });

  it('checks in the order that tells the buyer most', () => {
    const everything = code({
      disabledAt: null,
      startsAt: NOW + 1000,
      endsAt: NOW - 1000,
      maxUses: 1,
      uses: 1,
      maxUsesPerBuyer: 1,
      productIds: [9],
      minSubtotals: { EUR: 1e9 },
    });
    const steps: Array<[Partial<DiscountCode>, string]> = [
      [{}, 'discount_not_started'],
      [{ startsAt: null }, 'discount_expired'],
      [{ startsAt: null, endsAt: null }, 'discount_exhausted'],
      [{ startsAt: null, endsAt: null, uses: 0 }, 'discount_used_by_you'],
      [{ startsAt: null, endsAt: null, uses: 0, maxUsesPerBuyer: null }, 'discount_not_applicable'],
      [{ startsAt: null, endsAt: null, uses: 0, maxUsesPerBuyer: null, productIds: null }, 'discount_minimum'],
    ];
    for (const [over, expected] of steps)
      expect(refusal(() => applyCode({ ...everything, ...over }, input({ buyerUses: 1 }))).code).toBe(expected);
    expect(refusal(() => applyCode({ ...everything, disabledAt: 5 }, input())).code).toBe('discount_unknown');
  });

  it('every refusal is a 4xx AppError', () => {
    const e = (() => {
      try {
        applyCode(undefined, input());
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).status).toBeGreaterThanOrEqual(400);
    expect((e as AppError).status).toBeLessThan(500);
  });
});

describe('codes and states', () => {
  it('normalises what the buyer types', () => {
    expect(normaliseCode('  summer-15 ')).toBe('SUMMER-15');
  });
  it('looks up only what could be a code: no NUL, markup, other letters, nor a longer text by its first 60 characters', () => {
    expect(lookupCode(' summer_15 ')).toBe('SUMMER_15');
    expect(lookupCode('A'.repeat(60))).toBe('A'.repeat(60));
    for (const raw of ['', '  ', 'AB', 'A'.repeat(61), 'SAVE\u0000', 'SAVE 10', '<script>', 'ÄPFEL-10', '-SAVE', 'SAVE%00'])
      expect(lookupCode(raw), JSON.stringify(raw)).toBeNull();
  });
  it.each([
    [{}, 'active'],
    [{ disabledAt: 1, maxUses: 1, uses: 1 }, 'disabled'],
    [{ maxUses: 1, uses: 1, endsAt: 1 }, 'exhausted'],
    [{ endsAt: NOW }, 'expired'],
    [{ startsAt: NOW + 1 }, 'scheduled'],
    [{ startsAt: NOW, endsAt: NOW + 1 }, 'active'],
  ] as Array<[Partial<DiscountCode>, string]>)('%j is %s', (over, state) => {
    expect(discountState(code(over), NOW)).toBe(state);
  });
});
