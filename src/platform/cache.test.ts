import { describe, expect, it } from 'vitest';
import { createTtlCache, sharedCaches } from './cache.js';

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
    expect(cache.size).toBe(2);
  });

  it('keeps exactly the most recently used entries, like a reference LRU', async () => {
    const cache = createTtlCache<number, number>({ maxEntries: 5, ttlMs: 1e9 });
    let model: number[] = [];
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const key = Math.floor(rand() * 9);
      let loaded = false;
      await cache.get(key, i, () => ((loaded = true), Promise.resolve(key)));
      expect(loaded, `step ${i}`).toBe(!model.includes(key));
      model = [key, ...model.filter((k) => k !== key)].slice(0, 5);
    }
  });

  it('drops entries nobody used for a whole TTL, so memory follows recent use', async () => {
    const cache = createTtlCache<number, number>({ maxEntries: 1000, ttlMs: 100 });
    for (let k = 0; k < 50; k++) await cache.get(k, 0, () => Promise.resolve(k));
    await cache.get(1, 60, () => Promise.resolve(-1));
    await cache.get(999, 120, () => Promise.resolve(999));
    // 0 and 2..49 were last used at 0; 1 at 60 stays (expired, but used within the TTL).
    expect(cache.size).toBe(2);
  });

  it('reads many keys in order with one load for all of them when any is missing', async () => {
    const cache = createTtlCache<string | null, number>({ maxEntries: 100, ttlMs: 100 });
    const calls: number[][] = [];
    const load = async (keys: readonly number[]) => {
      calls.push([...keys]);
      return new Map(keys.filter((k) => k !== 4).map((k) => [k, `v${k}@${calls.length}`]));
    };
    expect(await cache.getAll([3, 1, 4], 0, load, null)).toEqual(['v3@1', 'v1@1', null]);
    expect(await cache.getAll([1, 3], 50, load, null)).toEqual(['v1@1', 'v3@1']);
    expect(calls).toHaveLength(1);
    // 2 is new: the whole list is loaded again, so its keys expire together from now on.
    expect(await cache.getAll([1, 2], 60, load, null)).toEqual(['v1@2', 'v2@2']);
    expect(calls[1]).toEqual([1, 2]);
    expect(await cache.getAll([], 60, load, null)).toEqual([]);
    await expect(cache.getAll([7], 70, () => Promise.reject(new Error('db down')), null)).rejects.toThrow('db down');
    expect(await cache.getAll([7], 70, load, null)).toEqual(['v7@3']);
  });

  it('with admission on a second request, keeps only keys asked for before', async () => {
    const cache = createTtlCache<string, number>({ maxEntries: 2, ttlMs: 100, admitOnSecondRequest: true });
    let loads = 0;
    const load = async (keys: readonly number[]) => (loads++, new Map(keys.map((k) => [k, `v${k}`])));
    // A crawler's single visits load every time and leave nothing behind.
    for (const k of [1, 2, 3]) expect(await cache.getAll([k], 0, load, '')).toEqual([`v${k}`]);
    expect(cache.size).toBe(0);
    // Asked again: now kept, and the next read is a hit.
    await cache.getAll([1], 1, load, '');
    expect(cache.size).toBe(1);
    expect(await cache.getAll([1], 2, load, '')).toEqual(['v1']);
    expect(loads).toBe(4);
  });

  it('trims entries unused for a whole TTL when asked, keeping those used since', async () => {
    const cache = createTtlCache<string>({ maxEntries: 10, ttlMs: 100 });
    await cache.get('idle', 0, async () => 'a');
    await cache.get('busy', 50, async () => 'b');
    await cache.get('busy', 60, async () => 'never');
    cache.trim(120);
    expect(cache.size).toBe(1);
    expect(await cache.get('busy', 120, async () => 'never')).toBe('b');
  });

  it('admits single keys read with get the same way', async () => {
    const cache = createTtlCache<string>({ maxEntries: 2, ttlMs: 100, admitOnSecondRequest: true });
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.get('a', 0, load)).toBe('v1');
    expect(cache.size).toBe(0);
    expect(await cache.get('a', 1, load)).toBe('v2');
    expect(await cache.get('a', 2, load)).toBe('v2');
    expect(cache.size).toBe(1);
  });

  it('gives every caller on the same handle the same caches of a kind', () => {
    const handle = {};
    const first = sharedCaches(handle, 'catalog', () => ({ id: 1 }));
    expect(sharedCaches(handle, 'catalog', () => ({ id: 2 }))).toBe(first);
    expect(sharedCaches(handle, 'stock', () => ({ id: 3 })).id).toBe(3);
    expect(sharedCaches({}, 'catalog', () => ({ id: 4 })).id).toBe(4);
  });
});
