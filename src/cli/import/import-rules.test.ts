import { describe, expect, it } from 'vitest';
import { parseImportFile } from './import-file.js';
import { parseKeyFile } from '../../fulfilment/key-file.js';
import { parseMajorAmount } from './product-rows.js';

describe('parseMajorAmount', () => {
  it('reads amounts in the currency as minor units without floating point', () => {
    expect(parseMajorAmount('19.99', 'EUR')).toBe(1999);
    expect(parseMajorAmount(' 0.1 ', 'EUR')).toBe(10);
    expect(parseMajorAmount('5', 'USD')).toBe(500);
    expect(parseMajorAmount('5.00', 'JPY')).toBe(5);
    expect(parseMajorAmount('1.234', 'KWD')).toBe(1234);
    expect(parseMajorAmount('1.10', 'EUR')).toBe(110);
  });

  it('refuses symbols, commas, signs and more decimals than the currency has', () => {
    for (const bad of ['€5', '19,99', '-1', '1e3', '', '1.']) expect(() => parseMajorAmount(bad, 'EUR')).toThrow(/must be an amount/);
    expect(() => parseMajorAmount('1.5', 'JPY')).toThrow('price 1.5 has more decimals than JPY allows (0).');
  });
});

describe('parseKeyFile', () => {
  it('numbers lines as an editor does, whatever the line endings', () => {
    const { keys, problems } = parseKeyFile('A-1\r\n\r\n# note\r\n  B-2  \nA-1\n');
    expect(keys).toEqual([
      { key: 'A-1', line: 1 },
      { key: 'B-2', line: 4 },
    ]);
    expect(problems).toEqual([{ line: 5, text: 'line 5: the same key as line 1.' }]);
  });
});

describe('parseImportFile', () => {
  it('places CSV records by the line they start on', () => {
    const file = parseImportFile('x.csv', 'sku,description\nA,"one\ntwo"\n\nB,three\n');
    expect(file.products.map((p) => [p.where, p.fields])).toEqual([
      ['line 2', { sku: 'A', description: 'one\ntwo' }],
      ['line 5', { sku: 'B', description: 'three' }],
    ]);
  });

  it('accepts a plain JSON list of products and names entries by index', () => {
    const file = parseImportFile('x.json', '[{"sku":"A"},5]');
    expect(file.products.map((p) => p.where)).toEqual(['products[0]']);
    expect(file.problems).toEqual([{ order: 2, text: 'products[1]: must be an object.' }]);
  });
});
