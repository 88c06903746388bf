import { describe, expect, it } from 'vitest';
import { createCache, createLoadingCache, loadingCacheOver, noCache } from './cache.js';

describe('cache', () => {
  it('keeps exactly the most recently used entries, like a reference LRU', () => {
    const cache = createCache<number, number>({ max: 5 });
    let model: number[] = [];
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const key = Math.floor(rand() * 9);
      expect(cache.get(key) !== undefined, `step ${i}`).toBe(model.includes(key));
      if (!model.includes(key)) cache.set(key, key);
      model = [key, ...model.filter((k) => k !== key)].slice(0, 5);
    }
  });

  it('serves an entry for its TTL from when it was stored, on the clock it is given', () => {
    let now = 1_000;
    const cache = createCache<string, string>({ max: 10, ttlMs: 100, clock: () => now });
    cache.set('k', 'v');
    now += 100;
    expect(cache.get('k')).toBe('v');
    now += 1;
    expect(cache.get('k')).toBeUndefined();
  });

  it('counts the TTL from the last use when asked to, and purges what expired at most once a TTL', () => {
    let now = 1_000;
    const cache = createCache<string, string>({ max: 10, ttlMs: 100, ttlFromLastUse: true, clock: () => now });
    cache.set('busy', 'b');
    cache.set('idle', 'i');
    for (now = 1_050; now <= 1_250; now += 50) expect(cache.get('busy')).toBe('b');
    expect(cache.peek('idle')).toBeUndefined();
    // Expired entries hold memory until purged: the purge runs when a TTL has passed since the last.
    expect(cache.size).toBe(2);
    cache.purgeStale();
    expect(cache.size).toBe(1);
    cache.set('later', 'l');
    now = 1_500;
    cache.purgeStale();
    expect(cache.size).toBe(0);
  });

  it('bounds the total size of its values', () => {
    const cache = createCache<string, string>({ max: 100, maxSize: 10, sizeOf: (s) => s.length });
    cache.set('a', 'aaaa');
    cache.set('b', 'bbbb');
    cache.set('c', 'cccc');
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 'bbbb', 'cccc']);
    cache.set('empty', '');
    expect(cache.get('empty')).toBe('');
    // Too big to keep at all: answered, not stored.
    expect(cache.set('huge', 'x'.repeat(11))).toHaveLength(11);
    expect(cache.get('huge')).toBeUndefined();
  });

  it('with admission on a second request, keeps only keys asked for before, even after they expired', () => {
    let now = 1_000;
    const cache = createCache<number, string>({ max: 2, ttlMs: 100, admitOnSecondRequest: true, clock: () => now });
    // A crawler's single visits leave nothing behind.
    for (const k of [1, 2, 3]) expect(cache.set(k, `v${k}`)).toBe(`v${k}`);
    expect(cache.size).toBe(0);
    cache.set(1, 'v1');
    expect(cache.get(1)).toBe('v1');
    // Expired, it is still a key that was wanted: its next value is kept at once.
    now += 101;
    expect(cache.get(1)).toBeUndefined();
    cache.set(1, 'v1b');
    expect(cache.get(1)).toBe('v1b');
    cache.clear();
    expect(cache.size).toBe(0);
    cache.set(1, 'again');
    expect(cache.get(1)).toBeUndefined();
  });

  it('remembers as many turned-away keys as its admission window', () => {
    const cache = createCache<string, string>({ max: 10, admitOnSecondRequest: true, admissionWindow: 2 });
    for (const k of ['a', 'b', 'c']) cache.set(k, k);
    // 'a' and 'b' were forgotten when 'c' came and the window was full: asked again, they are turned away again.
    cache.set('a', 'a');
    expect(cache.get('a')).toBeUndefined();
    cache.set('c', 'c');
    expect(cache.get('c')).toBe('c');
  });

  it('that keeps nothing answers every set and holds nothing', () => {
    const none = noCache<string, number>();
    expect(none.set('a', 1)).toBe(1);
    expect(none.get('a')).toBeUndefined();
    expect(none.size).toBe(0);
  });
});

describe('loading cache', () => {
  it('reuses a load until it expires, and shares in-flight loads', async () => {
    let now = 1_000;
    const cache = createLoadingCache<string, number>({ max: 10, ttlMs: 100, clock: () => now });
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    now = 1_100;
    expect(await cache.get('k', load)).toBe(1);
    now = 1_101;
    expect(await cache.get('k', load)).toBe(2);
    cache.clear();
    expect(await cache.get('k', load)).toBe(3);
  });

  it('forgets failures at once', async () => {
    const cache = createLoadingCache<string, string>({ max: 2 });
    await expect(cache.get('bad', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('bad', () => Promise.resolve('ok'))).toBe('ok');
  });

  it('reads many keys in order with one load for all of them when any is missing', async () => {
    let now = 1_000;
    const cache = createLoadingCache<number, string | null>({ max: 100, ttlMs: 100, clock: () => now });
    const calls: number[][] = [];
    const load = async (keys: readonly number[]) => {
      calls.push([...keys]);
      return new Map(keys.filter((k) => k !== 4).map((k) => [k, `v${k}@${calls.length}`]));
    };
    expect(await cache.getAll([3, 1, 4], load, null)).toEqual(['v3@1', 'v1@1', null]);
    now = 1_050;
    expect(await cache.getAll([1, 3], load, null)).toEqual(['v1@1', 'v3@1']);
    expect(calls).toHaveLength(1);
    // 2 is new: the whole list is loaded again, so its keys expire together from now on.
    now = 1_060;
    expect(await cache.getAll([1, 2], load, null)).toEqual(['v1@2', 'v2@2']);
    expect(calls[1]).toEqual([1, 2]);
    expect(await cache.getAll([], load, null)).toEqual([]);
    await expect(cache.getAll([7], () => Promise.reject(new Error('db down')), null)).rejects.toThrow('db down');
    expect(await cache.getAll([7], load, null)).toEqual(['v7@3']);
  });

  it('with admission on a second request, loads a crawler’s single reads every time and keeps what is read again', async () => {
    const cache = createLoadingCache<number, string>({ max: 2, ttlMs: 100, admitOnSecondRequest: true });
    let loads = 0;
    const load = async (keys: readonly number[]) => (loads++, new Map(keys.map((k) => [k, `v${k}`])));
    for (const k of [1, 2, 3]) expect(await cache.getAll([k], load, '')).toEqual([`v${k}`]);
    expect(cache.size).toBe(0);
    await cache.getAll([1], load, '');
    expect(cache.size).toBe(1);
    expect(await cache.getAll([1], load, '')).toEqual(['v1']);
    expect(loads).toBe(4);
  });

  it('over a cache that keeps nothing, loads every time', async () => {
    const cache = loadingCacheOver<string, number>(noCache());
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect([await cache.get('k', load), await cache.get('k', load)]).toEqual([1, 2]);
    expect(await cache.getAll(['a', 'b'], async (keys) => new Map(keys.map((k) => [k, k.length])), 0)).toEqual([1, 1]);
  });
});
