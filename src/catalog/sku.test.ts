import { describe, expect, it } from 'vitest';
import { isReservedPathSegment, normaliseSku, parseSku, RESERVED_PATH_SEGMENTS, skuProblem } from './sku.js';

describe('SKUs', () => {
  it('normalises to trimmed upper case', () => {
    expect(normaliseSku('  pixel-pro_1y.v2 ')).toBe('PIXEL-PRO_1Y.V2');
  });

  it('accepts letters, digits, dash, underscore and dot, starting with a letter or digit', () => {
    for (const sku of ['AB', 'PIXEL-PRO-1Y', '9LIVES', 'A_B.C-D', 'X'.repeat(64)]) expect(skuProblem(sku)).toBeNull();
  });

  it('refuses bad shapes and lengths', () => {
    for (const sku of ['', 'A', '-AB', '_AB', '.AB', 'A B', 'A/B', 'A?B', 'ÄB', 'AB%2F', 'X'.repeat(65), 'A\nB']) {
      expect(skuProblem(sku), JSON.stringify(sku)).toBe('invalid_sku');
    }
  });

  it('refuses every reserved first path segment, in any case', () => {
    for (const segment of RESERVED_PATH_SEGMENTS) {
      const problem = skuProblem(normaliseSku(segment));
      // `.well-known` already fails the shape (starts with a dot); the rest are refused as reserved.
      expect(problem).not.toBeNull();
      expect(isReservedPathSegment(segment.toLowerCase())).toBe(true);
    }
    expect(skuProblem('CART')).toBe('reserved_sku');
    expect(skuProblem('FAVICON.ICO')).toBe('reserved_sku');
    expect(isReservedPathSegment('Checkout')).toBe(true);
    expect(isReservedPathSegment('CARTS')).toBe(false);
  });

  it('parses a path segment into a lookup key or null', () => {
    expect(parseSku('pixel-pro-1y')).toBe('PIXEL-PRO-1Y');
    expect(parseSku('admin')).toBeNull();
    expect(parseSku('<script>')).toBeNull();
  });
});
