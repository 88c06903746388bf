import { describe, expect, it } from 'vitest';
import { grossUnitAmount } from './pricing.js';
import { splitOrder, type PaidOrder } from './sales.service.js';

const order = (over: Partial<PaidOrder>): PaidOrder => ({
  id: 'ord_1',
  orderNumber: 1001,
  email: 'a@example.com',
  status: 'fulfilled',
  currency: 'EUR',
  paidAt: 0,
  subtotal: 0,
  net: 0,
  tax: 0,
  gross: 0,
  refunded: 0,
  ...over,
});
const item = (id: number, unitPrice: number, quantity: number, refunded = 0) => ({
  id,
  order_id: 'ord_1',
  sku: `SKU-${id}`,
  name: `Item ${id}`,
  unit_price: unitPrice,
  quantity,
  refunded_quantity: refunded,
  tax_rate_bp: 0,
  net: null as number | null,
  tax: 0,
  gross: null as number | null,
});

describe('splitOrder', () => {
  it('shares an order’s tax and total among its lines so that they add up exactly, however they round', () => {
    // 19 % on top of 3 × 3.33 + 10.01 + 0.99: every share has a fraction of a cent.
    const items = [item(1, 333, 3), item(2, 1001, 1), item(3, 99, 1)];
    const subtotal = 333 * 3 + 1001 + 99;
    const tax = Math.round(subtotal * 0.19);
    const lines = splitOrder(order({ subtotal, tax, gross: subtotal + tax, net: subtotal }), items);
    expect(lines.reduce((s, l) => s + l.gross, 0)).toBe(subtotal + tax);
    expect(lines.reduce((s, l) => s + l.tax, 0)).toBe(tax);
    for (const l of lines) expect(l.net + l.tax).toBe(l.gross);
    expect(lines.map((l) => l.gross)).toEqual([1189, 1191, 118]);
  });

  it('counts refunded units at their gross share, and all of a line once the order is refunded in full', () => {
    const o = order({ subtotal: 2500, tax: 500, gross: 3000, net: 2500 });
    const partly = splitOrder(o, [item(1, 1000, 2, 1), item(2, 500, 1)]);
    expect(partly.map((l) => [l.refundedUnits, l.refunded])).toEqual([
      [1, grossUnitAmount(1000, { total: 3000, subtotal: 2500 })],
      [0, 0],
    ]);
    const full = splitOrder({ ...o, status: 'refunded' }, [item(1, 1000, 2, 2), item(2, 500, 1, 1)]);
    expect(full.reduce((s, l) => s + l.refunded, 0)).toBe(3000);
  });

  it('gives a free order’s lines nothing, without dividing by zero', () => {
    const lines = splitOrder(order({}), [item(1, 0, 1)]);
    expect(lines[0]).toMatchObject({ gross: 0, tax: 0, net: 0, refunded: 0 });
  });

  it('takes a line’s own gross and tax when checkout priced it, and counts refunded units at what they were paid', () => {
    const o = order({ subtotal: 3000, tax: 479, gross: 3000, net: 2521 });
    // 3 units for 2000 gross (a 333.33… per unit): two refunded at 666 each, all three give back 2000.
    const line = { ...item(1, 1000, 3, 2), tax_rate_bp: 1900, net: 1681, tax: 319, gross: 2000 };
    const other = { ...item(2, 1000, 1), tax_rate_bp: 1900, net: 840, tax: 160, gross: 1000 };
    const [a, b] = splitOrder({ ...o, status: 'partially_refunded' }, [line, other]);
    expect(a).toMatchObject({ gross: 2000, tax: 319, net: 1681, refunded: 1332 });
    expect(b).toMatchObject({ gross: 1000, tax: 160, refunded: 0 });
    const [all] = splitOrder({ ...o, status: 'partially_refunded' }, [{ ...line, refunded_quantity: 3 }]);
    expect(all!.refunded).toBe(2000);
  });
});
