import { describe, expect, it } from 'vitest';
import { parseSearchQuery, postgresTsquery, sqliteMatchExpression } from './search-query.js';

describe('search query building', () => {
  it('splits input into lower-case words and drops operators, quotes and punctuation', () => {
    expect(parseSearchQuery('Pixel  PRO, "editor"!').terms).toEqual(['pixel', 'pro', 'editor']);
    expect(parseSearchQuery('a* OR b -c NEAR(d e) col:f ^g (h)').terms).toEqual(['or', 'near', 'col']);
    expect(parseSearchQuery("'; drop table products; --").terms).toEqual(['drop', 'table', 'products']);
  });

  it('keeps Unicode letters and digits, folds width and case, ignores emoji', () => {
    expect(parseSearchQuery('Café ＰＲＯ 東京 2024 😀').terms).toEqual(['café', 'pro', '東京', '2024']);
    expect(parseSearchQuery('😀🎉').terms).toEqual([]);
  });

  it('yields nothing for empty, blank or punctuation-only input', () => {
    for (const raw of ['', '   ', '"', '*', '-', '(', ')', ':', '^', '""*()']) expect(parseSearchQuery(raw).terms).toEqual([]);
  });

  it('drops single characters only when longer words exist', () => {
    expect(parseSearchQuery("don't stop").terms).toEqual(['don', 'stop']);
    expect(parseSearchQuery('C').terms).toEqual(['c']);
  });

  it('caps input length, term count and term length', () => {
    expect(parseSearchQuery('x'.repeat(10_000)).terms).toEqual(['x'.repeat(40)]);
    const many = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    expect(parseSearchQuery(many).terms).toHaveLength(10);
    expect(parseSearchQuery('ab '.repeat(5000)).terms).toEqual(['ab']);
  });

  it('offers the input as an exact SKU only when it has a SKU’s shape', () => {
    expect(parseSearchQuery(' pixel-pro-1y ').sku).toBe('PIXEL-PRO-1Y');
    expect(parseSearchQuery('pixel pro').sku).toBeNull();
    expect(parseSearchQuery('cart').sku).toBeNull();
  });

  it('builds a prefix AND query for each dialect', () => {
    expect(sqliteMatchExpression(['pixel', 'pro'])).toBe('"pixel"* AND "pro"*');
    expect(postgresTsquery(['pixel', 'pro'])).toBe('pixel:* & pro:*');
  });

  it('matches a single character as a whole word, not as a prefix of everything', () => {
    expect(sqliteMatchExpression(['c'])).toBe('"c"');
    expect(postgresTsquery(['c'])).toBe('c');
    expect(sqliteMatchExpression(['東'])).toBe('"東"');
  });
});
