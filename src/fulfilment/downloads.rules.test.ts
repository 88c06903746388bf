import { describe, expect, it } from 'vitest';
import { planRange } from './downloads.rules.js';

const etag = '"0123456789abcdef0123456789abcdef"';
const lastModified = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const plan = (range?: string, ifRange?: string, size = 1000) => planRange({ size, range, ifRange, etag, lastModified });

describe('planRange', () => {
  it('serves the whole file without a Range header', () => {
    expect(plan()).toEqual({ kind: 'full' });
  });

  it('serves one range: explicit, open-ended, suffix, clipped to the end', () => {
    expect(plan('bytes=0-99')).toEqual({ kind: 'partial', start: 0, end: 99 });
    expect(plan('bytes=500-')).toEqual({ kind: 'partial', start: 500, end: 999 });
    expect(plan('bytes=-100')).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(plan('bytes=990-5000')).toEqual({ kind: 'partial', start: 990, end: 999 });
    expect(plan('bytes=0-0')).toEqual({ kind: 'partial', start: 0, end: 0 });
  });

  it('combines overlapping ranges into one, and answers several disjoint ranges with the whole file', () => {
    expect(plan('bytes=0-99,50-199')).toEqual({ kind: 'partial', start: 0, end: 199 });
    expect(plan('bytes=0-9,500-509')).toEqual({ kind: 'full' });
  });

  it('is unsatisfiable (416) only when no range overlaps the file', () => {
    expect(plan('bytes=1000-')).toEqual({ kind: 'unsatisfiable' });
    expect(plan('bytes=5000-6000')).toEqual({ kind: 'unsatisfiable' });
    expect(plan('bytes=5000-6000,0-9')).toEqual({ kind: 'partial', start: 0, end: 9 });
  });

  it('ignores malformed headers and other units', () => {
    for (const bad of ['bytes=abc', 'bytes=9-3', 'bytes=', 'items=0-5', 'bytes 0-5', 'bytes=--1', 'bytes=0x10-'])
      expect(plan(bad)).toEqual({ kind: 'full' });
  });

  it('honours Range only while If-Range still matches the file', () => {
    expect(plan('bytes=100-', etag)).toEqual({ kind: 'partial', start: 100, end: 999 });
    expect(plan('bytes=100-', '"something-else"')).toEqual({ kind: 'full' });
    expect(plan('bytes=100-', `W/${etag}`)).toEqual({ kind: 'full' });
    expect(plan('bytes=100-', new Date(lastModified).toUTCString())).toEqual({ kind: 'partial', start: 100, end: 999 });
    expect(plan('bytes=100-', new Date(lastModified + 60_000).toUTCString())).toEqual({ kind: 'full' });
    expect(plan('bytes=100-', 'not a date')).toEqual({ kind: 'full' });
  });

  it('serves an empty file whole whatever the Range', () => {
    expect(plan('bytes=0-', undefined, 0)).toEqual({ kind: 'full' });
  });
});
