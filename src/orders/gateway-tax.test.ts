import { describe, expect, it } from 'vitest';
import { spreadGatewayTax, type TaxedItem } from './gateway-tax.js';

const item = (id: number, net: number, tax: number, rateBp: number): TaxedItem => ({ id, net, tax, gross: net + tax, tax_rate_bp: rateBp });
const sums = (lines: Array<{ net: number; tax: number; gross: number }>) => ({
  net: lines.reduce((n, l) => n + l.net, 0),
  tax: lines.reduce((n, l) => n + l.tax, 0),
  gross: lines.reduce((n, l) => n + l.gross, 0),
});

describe('spreadGatewayTax', () => {
  it('puts the gateway’s tax on exclusive lines: nets kept, the rate it implies, totals what was paid', () => {
    const lines = spreadGatewayTax([item(1, 2000, 400, 2000)], 420, false)!;
    expect(lines).toEqual([{ id: 1, net: 2000, tax: 420, gross: 2420, tax_rate_bp: 2100 }]);
  });

  it('keeps inclusive lines’ gross and gives way on the net', () => {
    const lines = spreadGatewayTax([item(1, 1000, 190, 1900), item(2, 500, 95, 1900)], 300, true)!;
    expect(sums(lines)).toEqual({ net: 1485, tax: 300, gross: 1785 });
    expect(lines.map((l) => l.gross)).toEqual([1190, 595]);
    for (const l of lines) expect(l.net + l.tax).toBe(l.gross);
  });

  it('spreads by the store’s tax, largest remainder first, summing exactly, over many lines', () => {
    for (let n = 1; n <= 12; n++) {
      const items = Array.from({ length: n }, (_, i) => item(i + 1, 333 * (i + 1), 63 * (i + 1) + (i % 3), 1900));
      for (const tax of [0, 1, 7, 999, 12345]) {
        for (const inclusive of [true, false]) {
          const lines = spreadGatewayTax(items, tax, inclusive)!;
          expect(sums(lines).tax).toBe(tax);
          for (const l of lines) expect(l.net + l.tax).toBe(l.gross);
          expect(sums(lines).gross).toBe(inclusive ? sums(items as never).gross : sums(items as never).net + tax);
        }
      }
    }
  });

  it('spreads by the net when the store charged no tax, and leaves orders from before per-line amounts alone', () => {
    expect(spreadGatewayTax([item(1, 1000, 0, 0), item(2, 3000, 0, 0)], 800, false)!.map((l) => [l.tax, l.tax_rate_bp])).toEqual([
      [200, 2000],
      [600, 2000],
    ]);
    expect(spreadGatewayTax([{ id: 1, net: null, tax: 0, gross: null, tax_rate_bp: 0 }], 100, false)).toBeNull();
  });
});
