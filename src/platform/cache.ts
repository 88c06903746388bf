import { LRUCache } from 'lru-cache';

/** How a cache is bounded; every cache of the store is built with these, in one place (`src/caches.ts`). */
export interface CacheOptions<V> {
  /** Most entries kept; the least recently used goes first. */
  max: number;
  /** How long an entry is served after it was stored (stale once more than this has passed); without it, until evicted or cleared. */
  ttlMs?: number;
  /** Count the TTL from an entry's last use instead: what nobody asked for in that long is dropped. */
  ttlFromLastUse?: boolean;
  /** Bound on the sum of `sizeOf` over the entries (say, characters of HTML), beside `max`. */
  maxSize?: number;
  sizeOf?: (value: V) => number;
  /**
   * A key is kept only when it was asked for before, recently (within the last `admissionWindow`
   * distinct misses). A crawler walking every page once then neither flushes what shoppers keep
   * coming back to nor fills the heap with entries evicted soon after.
   */
  admitOnSecondRequest?: boolean;
  /** How many distinct turned-away keys admission remembers (4 × `max` unless given); long string keys cost heap. */
  admissionWindow?: number;
  /** Current time in epoch ms (tests pass their own). */
  clock?: () => number;
}

/** A bounded in-memory map with least-recently-used eviction and an optional time to live. */
export interface Cache<K, V> {
  /** The value if present and fresh; counts as a use. */
  get(key: K): V | undefined;
  /** The value if present and fresh, without counting as a use. */
  peek(key: K): V | undefined;
  /** Whether an entry is held for the key, fresh or expired (an expired one stays until replaced or purged). */
  holds(key: K): boolean;
  /** Stores the value (unless admission turns it away) and returns it; `ttlMs` overrides the cache's for this entry. */
  set(key: K, value: V, ttlMs?: number): V;
  delete(key: K): void;
  clear(): void;
  /** Drops expired entries, so a cache nobody reads any more holds no memory; does the work at most once a TTL. */
  purgeStale(): void;
  /** How many entries are held (expired ones included until they are dropped). */
  readonly size: number;
}

/** Anything but null and undefined: what lru-cache keeps, as keys and values. */
type Present = NonNullable<unknown>;

/** One cache implementation for the whole store: lru-cache, with admission on a second request and the store's clock. */
export function createCache<K extends Present, V extends Present>({
  max,
  ttlMs,
  ttlFromLastUse = false,
  maxSize,
  sizeOf,
  admitOnSecondRequest = false,
  admissionWindow = 4 * max,
  clock = Date.now,
}: CacheOptions<V>): Cache<K, V> {
  const lru = new LRUCache<K, V>({
    max,
    ...(ttlMs === undefined ? {} : { ttl: ttlMs, updateAgeOnGet: ttlFromLastUse }),
    // lru-cache wants a positive whole size; an empty string still costs its entry.
    ...(maxSize === undefined ? {} : { maxSize, sizeCalculation: (value: V) => Math.max(1, Math.ceil(sizeOf?.(value) ?? 1)) }),
    // The store's clock, read on every check: the default caches it for a millisecond with a timer.
    perf: { now: clock },
    ttlResolution: 0,
    // An expired entry stays until it is replaced or purged, so admission still knows its key was wanted.
    noDeleteOnStaleGet: true,
  });
  const missedOnce = new Set<K>();
  let purgeDue = ttlMs === undefined ? Infinity : clock() + ttlMs;

  function admit(key: K): boolean {
    if (!admitOnSecondRequest || lru.peek(key, { allowStale: true }) !== undefined || missedOnce.delete(key)) return true;
    if (missedOnce.size >= admissionWindow) missedOnce.clear();
    missedOnce.add(key);
    return false;
  }

  function purgeStale() {
    const now = clock();
    if (now < purgeDue) return;
    purgeDue = now + ttlMs!;
    lru.purgeStale();
  }

  return {
    get: (key) => lru.get(key),
    peek: (key) => lru.peek(key),
    holds: (key) => lru.peek(key, { allowStale: true }) !== undefined,
    set(key, value, ttl) {
      if (admit(key)) lru.set(key, value, ttl === undefined ? undefined : { ttl });
      purgeStale();
      return value;
    },
    delete(key) {
      lru.delete(key);
    },
    clear() {
      lru.clear();
      missedOnce.clear();
    },
    purgeStale,
    get size() {
      return lru.size;
    },
  };
}

/** A cache of loads: concurrent requests for a key share one promise, and a failed load is forgotten at once. */
export interface LoadingCache<K, V> {
  get(key: K, load: () => Promise<V>): Promise<V>;
  /**
   * Values for many keys, in order. When any of them is missing or expired, all of them are loaded
   * again by one call to `load` (a key it answers no value for gets `absent`): keys read together
   * then expire together, so the next time they cost one load, not one per key.
   */
  getAll(keys: readonly K[], load: (keys: readonly K[]) => Promise<Map<K, V>>, absent: V): Promise<V[]>;
  clear(): void;
  purgeStale(): void;
  readonly size: number;
}

/** A LoadingCache over `createCache`, bounded the same way. */
export function createLoadingCache<K extends Present, V>(options: CacheOptions<Promise<V>>): LoadingCache<K, V> {
  return loadingCacheOver(createCache<K, Promise<V>>(options));
}

/** A cache that keeps nothing: for a service run without the app's caches (seeding, the CLI), which reads afresh every time. */
export function noCache<K, V>(): Cache<K, V> {
  return {
    get: () => undefined,
    peek: () => undefined,
    holds: () => false,
    set: (_key, value) => value,
    delete() {},
    clear() {},
    purgeStale() {},
    size: 0,
  };
}

/** Loads through `cache`: a LoadingCache over any Cache (noCache() included). */
export function loadingCacheOver<K, V>(cache: Cache<K, Promise<V>>): LoadingCache<K, V> {
  function put(key: K, value: Promise<V>): Promise<V> {
    // The caller handles the rejection; this only forgets it (after the set below: it runs later).
    void value.catch(() => {
      if (cache.peek(key) === value) cache.delete(key);
    });
    return cache.set(key, value);
  }

  return {
    get(key, load) {
      return cache.get(key) ?? put(key, load());
    },
    getAll(keys, load, absent) {
      const hits: Promise<V>[] = [];
      for (const key of keys) {
        const hit = cache.get(key);
        if (!hit) break;
        hits.push(hit);
      }
      if (hits.length === keys.length) return Promise.all(hits);
      const loaded = load(keys);
      return Promise.all(
        keys.map((key) =>
          put(
            key,
            loaded.then((found) => (found.has(key) ? found.get(key)! : absent)),
          ),
        ),
      );
    },
    clear: () => cache.clear(),
    purgeStale: () => cache.purgeStale(),
    get size() {
      return cache.size;
    },
  };
}
