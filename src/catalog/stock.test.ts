import { describe, expect, it } from 'vitest';
import { stockState } from './stock.js';

describe('stock state', () => {
  it('counts the pool for key_lim', () => {
    expect(stockState('key_lim', 0)).toEqual({ state: 'sold-out', label: 'Sold out', available: 0, maxQuantity: 0 });
    expect(stockState('key_lim', undefined).label).toBe('Sold out');
    expect(stockState('key_lim', 1)).toMatchObject({ state: 'low-stock', label: 'Only 1 left', maxQuantity: 1 });
    expect(stockState('key_lim', 5)).toMatchObject({ label: 'Only 5 left', maxQuantity: 5 });
    expect(stockState('key_lim', 6)).toMatchObject({ state: 'in-stock', label: 'In stock', maxQuantity: 6 });
    expect(stockState('key_lim', 500)).toMatchObject({ label: 'In stock', maxQuantity: 10 });
  });

  it('never runs out for generated keys and files', () => {
    expect(stockState('key', undefined)).toMatchObject({ state: 'in-stock', label: 'In stock', available: null, maxQuantity: 10 });
    expect(stockState('file', 0).label).toBe('In stock');
  });
});
