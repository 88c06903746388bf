import { describe, expect, it } from 'vitest';
import { creditNoteLines, creditNoteTotals, type RefundedItem } from './credit-notes.js';
import { formatInvoiceNumber, formatSeriesNumber, resolveSeries } from './order-number.js';
import { priceLines } from './pricing.js';
import { refundedOfOrder, unitAmounts, type PaidLine } from './unit-amounts.js';

const line = (over: Partial<PaidLine>): PaidLine => ({
  unit_price: 1000,
  quantity: 1,
  refunded_quantity: 0,
  tax_rate_bp: 1900,
  net: 840,
  tax: 160,
  gross: 1000,
  ...over,
});
const totals = { subtotal: 0, tax: 0, total: 0 };

describe('unitAmounts', () => {
  it('divides a line by its quantity, the last unit taking the remainders', () => {
    const l = line({ quantity: 3, gross: 1000, tax: 160, net: 840 });
    expect(unitAmounts(l, totals, 0, 1)).toEqual({ gross: 333, tax: 53, net: 280 });
    expect(unitAmounts(l, totals, 1, 1)).toEqual({ gross: 333, tax: 53, net: 280 });
    expect(unitAmounts(l, totals, 2, 1)).toEqual({ gross: 334, tax: 54, net: 280 });
    expect(unitAmounts(l, totals, 0, 3)).toEqual({ gross: 1000, tax: 160, net: 840 });
    expect(unitAmounts(l, totals, 1, 2)).toEqual({ gross: 667, tax: 107, net: 560 });
    expect(unitAmounts(l, totals, 0, 0)).toEqual({ gross: 0, tax: 0, net: 0 });
  });

  it('gives back exactly each line’s gross, net and tax unit by unit, for many prices, quantities, discounts and rates', () => {
    for (const quantity of [1, 2, 3, 7, 13])
      for (const unitPrice of [1, 99, 333, 1001, 2499])
        for (const rateBp of [0, 700, 1900, 2550])
          for (const pricesIncludeTax of [true, false]) {
            const discount = Math.floor((unitPrice * quantity) / 7);
            const [priced] = priceLines([{ unitPrice, quantity, discount, rateBp }], { pricesIncludeTax, reverseCharge: false }).lines;
            const l = line({
              unit_price: unitPrice,
              quantity,
              net: priced!.net,
              tax: priced!.tax,
              gross: priced!.gross,
              tax_rate_bp: rateBp,
            });
            let sum = { gross: 0, tax: 0, net: 0 };
            for (let u = 0; u < quantity; u++) {
              const a = unitAmounts(l, totals, u, 1);
              expect(a.net + a.tax).toBe(a.gross);
              expect(a.gross).toBeGreaterThanOrEqual(0);
              sum = { gross: sum.gross + a.gross, tax: sum.tax + a.tax, net: sum.net + a.net };
            }
            expect(sum).toEqual({ gross: priced!.gross, tax: priced!.tax, net: priced!.net });
            expect(unitAmounts(l, totals, 0, quantity)).toEqual(sum);
          }
  });

  it('counts a line from before 021 (no gross) at its share of the order total, with the order’s share of tax', () => {
    const old = line({ unit_price: 1000, quantity: 2, net: null, gross: null, tax: 0 });
    const order = { subtotal: 2500, tax: 500, total: 3000 };
    expect(unitAmounts(old, order, 0, 1)).toEqual({ gross: 1200, tax: 200, net: 1000 });
    expect(unitAmounts(old, order, 1, 1).gross).toBe(1200);
  });
});

describe('refundedOfOrder', () => {
  it('sums refunded units, takes the credit notes when more, caps at the total, and is the total once refunded', () => {
    const order = { subtotal: 3000, tax: 479, total: 2000, status: 'partially_refunded' };
    const lines = [line({ quantity: 3, gross: 1000, tax: 160, net: 840, refunded_quantity: 2 }), line({ refunded_quantity: 0 })];
    expect(refundedOfOrder(order, lines)).toEqual({ perLine: [666, 0], total: 666 });
    expect(refundedOfOrder(order, lines, 900).total).toBe(900);
    expect(refundedOfOrder(order, lines, 5000).total).toBe(2000);
    expect(refundedOfOrder({ ...order, status: 'refunded' }, lines).total).toBe(2000);
  });
});

describe('creditNoteLines', () => {
  const items: RefundedItem[] = [
    { ...line({ quantity: 3, gross: 2900, tax: 463, net: 2437 }), id: 1, sku: 'KIT', name: 'Kit' },
    { ...line({ quantity: 1, gross: 333, tax: 53, net: 280 }), id: 2, sku: 'FONT', name: 'Font' },
  ];
  const order = { subtotal: 3333, tax: 516, total: 3233 };

  it('lists the refunded units at what they were paid; totals are the sums of the lines', () => {
    const lines = creditNoteLines(order, items, [{ itemId: 1, units: 2 }], 1932);
    expect(lines).toEqual([{ description: 'Kit', sku: 'KIT', units: 2, rateBp: 1900, gross: 1932, tax: 308, net: 1624 }]);
    expect(creditNoteTotals(lines)).toEqual({ net: 1624, tax: 308, total: 1932 });
  });

  it('makes one "Refund" line of an amount that returned no unit, split by the order’s share of tax', () => {
    const lines = creditNoteLines(order, items, [], 300);
    expect(lines).toEqual([{ description: 'Refund', sku: null, units: 0, rateBp: 1900, gross: 300, tax: 48, net: 252 }]);
  });

  it('adds what the units do not cover as an adjustment, so the lines always add up to the amount refunded', () => {
    for (const amount of [0, 1, 966, 1000, 3233, 4000]) {
      const lines = creditNoteLines(order, items, [{ itemId: 1, units: 1 }], amount);
      const t = creditNoteTotals(lines);
      expect(t.total).toBe(amount);
      expect(t.net + t.tax).toBe(t.total);
      expect(lines[0]!.gross).toBe(966);
    }
  });

  it('starts from the units already refunded: the last unit of a line takes its remainder', () => {
    const partly = items.map((i) => (i.id === 1 ? { ...i, refunded_quantity: 2 } : i));
    const lines = creditNoteLines(
      order,
      partly,
      [
        { itemId: 1, units: 1 },
        { itemId: 2, units: 1 },
      ],
      968 + 333,
    );
    expect(lines.map((l) => [l.description, l.gross])).toEqual([
      ['Kit', 968],
      ['Font', 333],
    ]);
  });

  it('splits an amount of an order that mixed rates over its rates, by their shares, so each rate’s VAT is corrected', () => {
    const mixed = [items[0]!, { ...items[1]!, tax: 22, net: 311, tax_rate_bp: 700 }];
    // €29.00 at 19 % and €3.33 at 7 % of €32.33: €1.00 back is €0.10 at 7 % and €0.90 (the remainder) at 19 %.
    const lines = creditNoteLines(order, mixed, [], 100);
    expect(lines).toEqual([
      { description: 'Refund', sku: null, units: 0, rateBp: 700, gross: 10, tax: 1, net: 9 },
      { description: 'Refund', sku: null, units: 0, rateBp: 1900, gross: 90, tax: 14, net: 76 },
    ]);
    for (const amount of [1, 99, 3233, -5]) {
      const t = creditNoteTotals(creditNoteLines(order, mixed, [], amount));
      expect([t.total, t.net + t.tax]).toEqual([amount, amount]);
    }
  });
});

describe('invoice and credit note numbers', () => {
  it('resolves the year of a series and pads numbers to six digits; numbers from before series keep INV-0007', () => {
    const at = Date.UTC(2026, 11, 31, 23, 59);
    expect(resolveSeries('INV-{YYYY}-', at)).toBe('INV-2026-');
    expect(resolveSeries('CN/{YYYY}/', Date.UTC(2027, 0, 1))).toBe('CN/2027/');
    expect(resolveSeries('INV', at)).toBe('INV');
    expect(formatSeriesNumber('INV-2026-', 123)).toBe('INV-2026-000123');
    expect(formatInvoiceNumber(123, 'INV-2026-')).toBe('INV-2026-000123');
    expect(formatInvoiceNumber(7, null)).toBe('INV-0007');
    expect(formatInvoiceNumber(7)).toBe('INV-0007');
  });
});
