import { describe, expect, it } from 'vitest';
import { cartErrors } from './cart.errors.js';
import { errorQuery, lineWarning, pageNotice } from './cart.present.js';
import type { CartLine } from './cart.service.js';

const line = (overrides: Partial<CartLine>): CartLine => ({
  productId: 1,
  sku: 'A',
  name: 'A',
  type: 'key_lim',
  unitPrice: 100,
  currency: 'EUR',
  quantity: 1,
  lineTotal: 100,
  stock: { state: 'in_stock', available: 9 },
  problem: null,
  ...overrides,
});

describe('cart notices', () => {
  it('maps codes to fixed texts and ignores anything else', () => {
    expect(pageNotice({ notice: 'added' })).toEqual({ kind: 'success', text: 'Added to your cart.' });
    expect(pageNotice({ notice: 'toString' })).toBeNull();
    expect(pageNotice({ notice: '<b>hi</b>' })).toBeNull();
    expect(pageNotice({ error: 'out_of_stock' })).toEqual({ kind: 'error', text: 'Sorry, that product is sold out.' });
    expect(pageNotice({ error: 'constructor' })).toEqual({ kind: 'error', text: 'That did not work. Please try again.' });
    expect(pageNotice({ error: '' })).toBeNull();
    expect(pageNotice({})).toBeNull();
  });

  it('carries stock numbers through the redirect as integers only', () => {
    const query = errorQuery(cartErrors.quantityExceedsStock('X', 1, 0));
    expect(query).toBe('error=quantity_exceeds_stock&left=1&held=0');
    expect(pageNotice(Object.fromEntries(new URLSearchParams(query)))?.text).toBe('Only 1 is left; please choose fewer.');
    expect(pageNotice({ error: 'quantity_exceeds_stock', left: '3', held: '2' })?.text).toBe(
      'Only 3 are left, and your cart already holds 2; please choose fewer.',
    );
    expect(pageNotice({ error: 'quantity_exceeds_stock', left: '1e3' })?.text).toBe(
      'There are not enough keys left for that quantity; please choose fewer.',
    );
    expect(errorQuery(cartErrors.productNotFound())).toBe('error=product_not_found');
  });

  it('words line warnings the way the page and the API show them', () => {
    expect(lineWarning(line({}), 'EUR')).toBeNull();
    expect(lineWarning(line({ stock: { state: 'low', available: 2 } }), 'EUR')).toBe('Only 2 left');
    expect(lineWarning(line({ stock: { state: 'sold_out', available: 0 }, problem: 'sold_out' }), 'EUR')).toBe(
      'Sold out — remove it to check out.',
    );
    expect(lineWarning(line({ stock: { state: 'low', available: 1 }, quantity: 2, problem: 'exceeds_stock' }), 'EUR')).toBe(
      'Only 1 left — lower the quantity to check out.',
    );
    expect(lineWarning(line({ stock: { state: 'unavailable' }, problem: 'unavailable' }), 'EUR')).toBe(
      'No longer available — remove it to check out.',
    );
    expect(lineWarning(line({ currency: 'USD', problem: 'currency_mismatch' }), 'EUR')).toBe(
      'Priced in USD, the rest of your cart in EUR — remove it to check out.',
    );
  });
});
