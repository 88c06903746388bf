import { describe, expect, it } from 'vitest';
import { grossUnitAmount, priceOrder } from './pricing.js';

describe('priceOrder', () => {
  const lines = [
    { unitPrice: 1999, quantity: 2 },
    { unitPrice: 500, quantity: 1 },
  ];

  it('adds line totals without tax', () => {
    expect(priceOrder(lines, { taxRate: 0, pricesIncludeTax: true })).toEqual({ subtotal: 4498, tax: 0, total: 4498 });
  });

  it('extracts the tax contained in tax-inclusive prices', () => {
    // 44.98 incl. 20 %: net 37.48, tax 7.50
    expect(priceOrder(lines, { taxRate: 20, pricesIncludeTax: true })).toEqual({ subtotal: 4498, tax: 750, total: 4498 });
  });

  it('adds tax on top of tax-exclusive prices, rounding once on the order', () => {
    expect(priceOrder(lines, { taxRate: 7.5, pricesIncludeTax: false })).toEqual({ subtotal: 4498, tax: 337, total: 4835 });
    expect(priceOrder([{ unitPrice: 1, quantity: 3 }], { taxRate: 19, pricesIncludeTax: false })).toEqual({
      subtotal: 3,
      tax: 1,
      total: 4,
    });
  });

  it('prices an empty order at zero', () => {
    expect(priceOrder([], { taxRate: 20, pricesIncludeTax: false })).toEqual({ subtotal: 0, tax: 0, total: 0 });
  });
});

describe('grossUnitAmount', () => {
  it('is the unit price when the total is the subtotal (tax included in prices)', () => {
    expect(grossUnitAmount(1999, { subtotal: 4498, total: 4498 })).toBe(1999);
  });

  it("includes the unit's share of tax added on top, rounded per unit", () => {
    expect(grossUnitAmount(1999, { subtotal: 4498, total: 4835 })).toBe(2149);
    expect(grossUnitAmount(500, { subtotal: 4498, total: 4835 })).toBe(537);
  });
});
