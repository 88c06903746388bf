import { describe, expect, it } from 'vitest';
import { parseKeyFile } from '../fulfilment/key-file.js';
import { formatSize } from '../fulfilment/product-files.service.js';
import { AppError } from '../platform/errors.js';
import { parseLowStock } from './admin-query.js';

describe('the low-stock filter', () => {
  it('is on for 1, off for nothing or 0, and a 400 for anything else', () => {
    expect([undefined, '', '0', '1'].map(parseLowStock)).toEqual([false, false, false, true]);
    for (const bad of ['yes', 'true', '2']) {
      let code = 'no error';
      try {
        parseLowStock(bad);
      } catch (err) {
        code = err instanceof AppError ? `${err.status} ${err.code}` : String(err);
      }
      expect(code, bad).toBe('400 invalid_filter');
    }
  });
});

describe('key text as the keys page and keys import read it', () => {
  it('names every bad line with its reason, keeping the first of repeated keys', () => {
    const { keys, problems } = parseKeyFile(['A-1', 'B\u00002', 'A-1', 'x'.repeat(501), '  C-3 '].join('\n'));
    expect(keys).toEqual([
      { key: 'A-1', line: 1 },
      { key: 'C-3', line: 5 },
    ]);
    expect(problems.map((p) => p.text)).toEqual([
      'line 2: the key contains a control character (such as a tab).',
      'line 3: the same key as line 1.',
      'line 4: the key has 501 characters; at most 500.',
    ]);
  });
});

describe('file sizes as the files page shows them', () => {
  it('uses binary units', () => {
    expect([1000, 2048, 1_234_567, 2 * 1024 ** 3].map(formatSize)).toEqual(['1000 B', '2 KiB', '1.2 MiB', '2 GiB']);
  });
});
