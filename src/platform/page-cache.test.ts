import { describe, expect, it } from 'vitest';
import { createPageCache, etagMatches, pageKey } from './page-cache.js';

describe('pageKey', () => {
  it('keeps a path as it is and sorts the query, so one page is kept once', () => {
    expect(pageKey('/CACHED-1')).toBe('/CACHED-1');
    expect(pageKey('/search?page=2&q=tool')).toBe('/search?page=2&q=tool');
    expect(pageKey('/search?q=tool&page=2')).toBe('/search?page=2&q=tool');
    expect(pageKey('/search?q=t%6Fol')).toBe('/search?q=tool');
    expect(pageKey('/category/games?')).toBe('/category/games');
  });

  it('keeps nothing for a very long URL', () => {
    expect(pageKey(`/search?q=${'x'.repeat(600)}`)).toBeNull();
  });
});

describe('etagMatches', () => {
  it('matches the tag in a list, weak or strong, and *', () => {
    expect(etagMatches('"abc"', '"abc"')).toBe(true);
    expect(etagMatches('"x", W/"abc"', '"abc"')).toBe(true);
    expect(etagMatches('*', '"abc"')).toBe(true);
    expect(etagMatches('"abcd"', '"abc"')).toBe(false);
    expect(etagMatches(undefined, '"abc"')).toBe(false);
  });
});

describe('createPageCache', () => {
  const entry = { body: Buffer.from('<p>page</p>'), etag: '"e"', headers: {} };

  it('admits a page asked for twice, and keeps it 2 s, or as long as the catalog when it shows no stock', () => {
    let now = 1_000;
    const cache = createPageCache({
      max: 10,
      maxBytes: 100_000,
      ttlMs: 2000,
      stockFreeTtlMs: 30_000,
      sharedMaxAgeSeconds: 30,
      clock: () => now,
    });
    expect(cache.admit('/a')).toBe(false);
    expect(cache.admit('/a')).toBe(true);
    cache.set('/a', entry, false);
    cache.set('/b', entry, true);
    expect(cache.get('/a')).toBe(entry);
    now += 2001;
    expect(cache.get('/a')).toBeUndefined();
    expect(cache.get('/b')).toBe(entry);
    now += 28_000;
    expect(cache.get('/b')).toBeUndefined();
    expect(cache.sharedCacheControl).toBe('public, max-age=0, s-maxage=30, stale-while-revalidate=30');
  });
});
