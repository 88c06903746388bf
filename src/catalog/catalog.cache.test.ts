import { describe, expect, it } from 'vitest';
import { createTtlCache, sharedCaches } from './catalog.cache.js';

describe('TTL cache', () => {
  it('reuses a value until it expires, and shares in-flight loads', async () => {
    const cache = createTtlCache<number>({ maxEntries: 10, ttlMs: 100 });
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    const [a, b] = await Promise.all([cache.get('k', 0, load), cache.get('k', 0, load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    expect(await cache.get('k', 99, load)).toBe(1);
    expect(await cache.get('k', 100, load)).toBe(2);
    cache.clear();
    expect(await cache.get('k', 100, load)).toBe(3);
  });

  it('forgets failures at once and evicts the least recently used entry', async () => {
    const cache = createTtlCache<string>({ maxEntries: 2, ttlMs: 1000 });
    await expect(cache.get('bad', 0, () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('bad', 0, () => Promise.resolve('ok'))).toBe('ok');
    await cache.get('a', 0, () => Promise.resolve('a1'));
    await cache.get('bad', 0, () => Promise.resolve('unused'));
    await cache.get('c', 0, () => Promise.resolve('c1'));
    // 'a' was least recently used when 'c' arrived.
    expect(await cache.get('a', 0, () => Promise.resolve('a2'))).toBe('a2');
  });

  it('gives every caller on the same handle the same caches', () => {
    const handle = {};
    const first = sharedCaches(handle, () => ({ id: 1 }));
    expect(sharedCaches(handle, () => ({ id: 2 }))).toBe(first);
    expect(sharedCaches({}, () => ({ id: 3 })).id).toBe(3);
  });
});
