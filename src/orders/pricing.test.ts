import { describe, expect, it } from 'vitest';
import { grossUnitAmount, priceLines } from './pricing.js';

describe('grossUnitAmount', () => {
  it('is the unit price when the total is the subtotal (tax included in prices)', () => {
    expect(grossUnitAmount(1999, { subtotal: 4498, total: 4498 })).toBe(1999);
  });

  it("includes the unit's share of tax added on top, rounded per unit", () => {
    expect(grossUnitAmount(1999, { subtotal: 4498, total: 4835 })).toBe(2149);
    expect(grossUnitAmount(500, { subtotal: 4498, total: 4835 })).toBe(537);
  });
});

describe('priceLines', () => {
  const line = (unitPrice: number, quantity: number, rateBp: number, discount = 0) => ({ unitPrice, quantity, rateBp, discount });

  it('adds each line its own rounded tax to exclusive prices', () => {
    const q = priceLines([line(999, 3, 1900), line(1, 1, 2000)], { pricesIncludeTax: false, reverseCharge: false });
    expect(q.lines.map((l) => [l.net, l.tax, l.gross])).toEqual([
      [2997, 569, 3566],
      [1, 0, 1],
    ]);
    expect([q.net, q.tax, q.total]).toEqual([2998, 569, 3567]);
  });

  it('takes the included tax out of inclusive prices, after the discount', () => {
    const q = priceLines([line(1190, 2, 1900, 380)], { pricesIncludeTax: true, reverseCharge: false });
    expect(q.lines[0]).toEqual({ list: 2380, discount: 380, rateBp: 1900, net: 1681, tax: 319, gross: 2000 });
    expect(q.byRate).toEqual([{ rateBp: 1900, net: 1681, tax: 319, gross: 2000 }]);
  });

  it('charges no tax under the reverse charge, and inclusive prices lose the tax they contained', () => {
    expect(priceLines([line(1210, 1, 2100)], { pricesIncludeTax: true, reverseCharge: true }).lines[0]).toEqual({
      list: 1210,
      discount: 0,
      rateBp: 0,
      net: 1000,
      tax: 0,
      gross: 1000,
    });
    expect(priceLines([line(1000, 1, 2100)], { pricesIncludeTax: false, reverseCharge: true }).total).toBe(1000);
  });

  it('rounds halves up: 50 cents at 1 % is half a cent', () => {
    expect(priceLines([line(50, 1, 100)], { pricesIncludeTax: false, reverseCharge: false }).tax).toBe(1);
    expect(priceLines([line(49, 1, 100)], { pricesIncludeTax: false, reverseCharge: false }).tax).toBe(0);
  });

  it('keeps every total the sum of its lines, over many lines and rates', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    for (let run = 0; run < 500; run++) {
      const lines = Array.from({ length: 1 + rnd(12) }, () => {
        const unitPrice = 1 + rnd(100_000);
        const quantity = 1 + rnd(5);
        return line(unitPrice, quantity, [0, 550, 700, 1700, 1900, 2100, 2550, 2700][rnd(8)]!, rnd(unitPrice * quantity + 1));
      });
      for (const pricesIncludeTax of [true, false])
        for (const reverseCharge of [true, false]) {
          const q = priceLines(lines, { pricesIncludeTax, reverseCharge });
          for (const l of q.lines) expect(l.net + l.tax).toBe(l.gross);
          expect(q.net + q.tax).toBe(q.total);
          expect(q.byRate.reduce((n, r) => n + r.gross, 0)).toBe(q.total);
          expect(q.byRate.reduce((n, r) => n + r.tax, 0)).toBe(q.tax);
          expect(q.subtotal - q.discount).toBe(pricesIncludeTax ? q.lines.reduce((n, l) => n + l.list - l.discount, 0) : q.net);
        }
    }
  });
});
