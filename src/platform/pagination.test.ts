import { describe, expect, it } from 'vitest';
import { clampPage, pageWindow, paginate, parsePageParam } from './pagination.js';

describe('pagination', () => {
  it('parses ?page= strictly', () => {
    expect(parsePageParam(undefined)).toBe(1);
    expect(parsePageParam('')).toBe(1);
    expect(parsePageParam('3')).toBe(3);
    expect(parsePageParam('007')).toBe(7);
    for (const bad of ['0', '-1', 'abc', '1.5', '1e3', ' 2', '2 ', '0x10', '+2', '١']) expect(parsePageParam(bad), bad).toBeNull();
    expect(parsePageParam('000')).toBeNull();
    expect(parsePageParam('999999999999')).toBe(1_000_000);
    expect(parsePageParam('9'.repeat(400))).toBe(1_000_000);
    expect(parsePageParam('00000000000002')).toBe(2);
  });

  it('computes page count, offset and neighbours', () => {
    expect(paginate(0, 1, 24)).toMatchObject({ pageCount: 1, offset: 0, hasPrev: false, hasNext: false });
    expect(paginate(24, 1, 24)).toMatchObject({ pageCount: 1, hasNext: false });
    expect(paginate(25, 1, 24)).toMatchObject({ pageCount: 2, hasNext: true });
    expect(paginate(100, 3, 24)).toMatchObject({ pageCount: 5, offset: 48, hasPrev: true, hasNext: true });
    expect(paginate(100, 5, 24)).toMatchObject({ hasPrev: true, hasNext: false });
  });

  it('clamps into range', () => {
    expect(clampPage(0, 5)).toBe(1);
    expect(clampPage(-3, 5)).toBe(1);
    expect(clampPage(9, 5)).toBe(5);
    expect(clampPage(3, 0)).toBe(1);
    expect(clampPage(Number.NaN, 5)).toBe(1);
  });

  it('windows page links with gaps', () => {
    expect(pageWindow(1, 1)).toEqual([1]);
    expect(pageWindow(2, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(pageWindow(10, 20)).toEqual([1, 'gap', 8, 9, 10, 11, 12, 'gap', 20]);
    expect(pageWindow(1, 20)).toEqual([1, 2, 3, 'gap', 20]);
    expect(pageWindow(20, 20)).toEqual([1, 'gap', 18, 19, 20]);
    expect(pageWindow(4, 20)).toEqual([1, 2, 3, 4, 5, 6, 'gap', 20]);
    expect(pageWindow(50, 20)).toEqual([1, 'gap', 18, 19, 20]);
  });
});
