import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { CartProduct } from '../catalog/catalog.service.js';
import { cartCurrency, lineProblem, lineStock, MAX_LINE_QUANTITY, parseQuantity, planMerge } from './cart.rules.js';

const product = (overrides: Partial<CartProduct> = {}): CartProduct => ({
  id: 1,
  sku: 'P-1',
  name: 'Product',
  type: 'key',
  status: 'active',
  price: 500,
  currency: 'EUR',
  available: null,
  ...overrides,
});
const line = (productId: number, quantity: number, addedAt = 1) => ({ productId, quantity, addedAt });

describe('parseQuantity', () => {
  it('accepts whole numbers from 1 to the maximum, as numbers or decimal strings', () => {
    expect(MAX_LINE_QUANTITY).toBe(10);
    expect(parseQuantity(1)).toBe(1);
    expect(parseQuantity('10')).toBe(10);
    expect(parseQuantity(' 3 ')).toBe(3);
  });

  it('refuses everything else', () => {
    for (const bad of [
      0,
      -1,
      1.5,
      11,
      1e21,
      Number.NaN,
      Infinity,
      '0',
      '-1',
      '1.5',
      '1.0',
      'abc',
      '',
      ' ',
      '1e1',
      '0x5',
      '11',
      '99999999999999999999',
      null,
      undefined,
      true,
      [2],
      { n: 1 },
    ]) {
      expect(parseQuantity(bad), inspect(bad)).toBeNull();
    }
  });

  it('accepts 0 only when asked to (an update to 0 removes the line)', () => {
    expect(parseQuantity('0', { allowZero: true })).toBe(0);
    expect(parseQuantity(0)).toBeNull();
  });
});

describe('stock and problems of a line', () => {
  it('reports unlimited, in stock, low, sold out and unavailable', () => {
    expect(lineStock(product())).toEqual({ state: 'unlimited' });
    expect(lineStock(product({ type: 'key_lim', available: 6 }))).toEqual({ state: 'in_stock', available: 6 });
    expect(lineStock(product({ type: 'key_lim', available: 2 }))).toEqual({ state: 'low', available: 2 });
    expect(lineStock(product({ type: 'key_lim', available: 0 }))).toEqual({ state: 'sold_out', available: 0 });
    expect(lineStock(product({ status: 'archived', type: 'key_lim', available: 9 }))).toEqual({ state: 'unavailable' });
  });

  it('names the most serious problem first', () => {
    expect(lineProblem(product(), 3, 'EUR')).toBeNull();
    expect(lineProblem(product({ status: 'draft', currency: 'USD' }), 1, 'EUR')).toBe('unavailable');
    expect(lineProblem(product({ type: 'key_lim', available: 0 }), 1, 'EUR')).toBe('sold_out');
    expect(lineProblem(product({ type: 'key_lim', available: 2 }), 3, 'EUR')).toBe('exceeds_stock');
    expect(lineProblem(product({ type: 'key_lim', available: 2 }), 2, 'EUR')).toBeNull();
    expect(lineProblem(product({ currency: 'USD' }), 1, 'EUR')).toBe('currency_mismatch');
  });

  it('takes the cart currency from the earliest line still for sale', () => {
    const products = new Map([
      [1, product({ id: 1, status: 'archived', currency: 'GBP' })],
      [2, product({ id: 2, currency: 'USD' })],
      [3, product({ id: 3, currency: 'EUR' })],
    ]);
    expect(cartCurrency([line(1, 1), line(2, 1), line(3, 1)], products)).toBe('USD');
    expect(cartCurrency([line(1, 1), line(2, 1), line(3, 1)], products, 2)).toBe('EUR');
    expect(cartCurrency([line(1, 1)], products)).toBeNull();
  });
});

describe('planMerge', () => {
  it('adds quantities of the same product and moves the others', () => {
    const products = new Map([
      [1, product({ id: 1, sku: 'A' })],
      [2, product({ id: 2, sku: 'B' })],
    ]);
    const plan = planMerge([line(1, 2, 50), line(2, 1, 60)], [line(1, 3, 10)], products);
    expect(plan.writes).toEqual([line(1, 5, 10), line(2, 1, 60)]);
    expect(plan.capped).toEqual([]);
  });

  it('caps at the maximum and at the keys left, and says so', () => {
    const products = new Map([
      [1, product({ id: 1, sku: 'A', name: 'Alpha' })],
      [2, product({ id: 2, sku: 'B', name: 'Beta', type: 'key_lim', available: 4 })],
    ]);
    const plan = planMerge([line(1, 7), line(2, 3)], [line(1, 6), line(2, 2)], products);
    expect(plan.writes.map((w) => w.quantity)).toEqual([10, 4]);
    expect(plan.capped).toEqual([
      { sku: 'A', name: 'Alpha', requested: 13, kept: 10, reason: 'quantity_max' },
      { sku: 'B', name: 'Beta', requested: 5, kept: 4, reason: 'stock' },
    ]);
  });

  it('never drops a line nor lowers what the user already had', () => {
    const products = new Map([
      [1, product({ id: 1, sku: 'SOLD', type: 'key_lim', available: 0 })],
      [2, product({ id: 2, sku: 'LOW', type: 'key_lim', available: 1 })],
      [3, product({ id: 3, sku: 'GONE', status: 'archived' })],
    ]);
    const plan = planMerge([line(1, 2), line(2, 2), line(3, 2)], [line(2, 3)], products);
    expect(plan.writes.map((w) => [w.productId, w.quantity])).toEqual([
      [1, 1],
      [2, 3],
      [3, 2],
    ]);
    expect(plan.capped.map((c) => [c.sku, c.requested, c.kept, c.reason])).toEqual([
      ['SOLD', 2, 1, 'stock'],
      ['LOW', 5, 3, 'stock'],
    ]);
  });
});
