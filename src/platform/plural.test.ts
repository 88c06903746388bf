import { describe, expect, it } from 'vitest';
import { plural, pluralWord } from './plural.js';

const items = { one: 'item', other: 'items' };

describe('plural', () => {
  it('says one for exactly one and the plural for none, many and fractions', () => {
    expect(plural(1, items)).toBe('1 item');
    expect(plural(0, items)).toBe('0 items');
    expect(plural(2, items)).toBe('2 items');
    expect(plural(21, items)).toBe('21 items');
    expect(pluralWord(1.5, items)).toBe('items');
  });
});
