interface CacheOptions {
  maxEntries: number;
  ttlMs: number;
  /**
   * A key is kept only when it was asked for before, recently (the last few times
   * `maxEntries` distinct misses). A crawler walking every page once then neither flushes what
   * shoppers keep coming back to nor fills the heap with entries evicted soon after.
   */
  admitOnSecondRequest?: boolean;
}

/**
 * An in-memory cache of promises with a time-to-live and a size bound (least recently used goes
 * first; so does anything unused for a whole TTL, so memory follows recent traffic). Promises, so
 * concurrent requests for the same key share one query; a rejected promise is forgotten at once.
 *
 * Recency is a linked list beside the Map, not the usual "delete and re-insert" into the Map: V8
 * leaves a deleted Map entry in place until the table is rebuilt, so in a large cache each hit on a
 * busy key walked every earlier copy of it (some 50 µs a hit with 100,000 entries).
 */
export function createTtlCache<V, K extends string | number = string>({ maxEntries, ttlMs, admitOnSecondRequest = false }: CacheOptions) {
  interface Entry {
    key: K;
    expires: number;
    used: number;
    value: Promise<V>;
    newer: Entry | null;
    older: Entry | null;
  }
  const entries = new Map<K, Entry>();
  const missedOnce = new Set<K>();
  let newest: Entry | null = null;
  let oldest: Entry | null = null;

  function unlink(entry: Entry) {
    if (entry.newer) entry.newer.older = entry.older;
    else newest = entry.older;
    if (entry.older) entry.older.newer = entry.newer;
    else oldest = entry.newer;
    entry.newer = entry.older = null;
  }

  function link(entry: Entry) {
    entry.older = newest;
    if (newest) newest.newer = entry;
    newest = entry;
    oldest ??= entry;
  }

  function fresh(key: K, now: number): Promise<V> | undefined {
    const hit = entries.get(key);
    if (!hit || hit.expires <= now) return undefined;
    hit.used = now;
    if (hit !== newest) {
      unlink(hit);
      link(hit);
    }
    return hit.value;
  }

  function put(key: K, now: number, value: Promise<V>): Promise<V> {
    const stale = entries.get(key);
    if (stale) unlink(stale);
    const entry: Entry = { key, expires: now + ttlMs, used: now, value, newer: null, older: null };
    entries.set(key, entry);
    link(entry);
    while (oldest && entries.size > maxEntries) drop(oldest);
    trim(now);
    value.catch(() => {
      if (entries.get(key) === entry) drop(entry);
    });
    return value;
  }

  function drop(entry: Entry) {
    entries.delete(entry.key);
    unlink(entry);
  }

  // The list is in order of use, so what was not used for a TTL (and has expired) is at its end.
  function trim(now: number) {
    while (oldest && oldest.used + ttlMs <= now) drop(oldest);
  }

  function admit(key: K): boolean {
    if (!admitOnSecondRequest || entries.has(key) || missedOnce.delete(key)) return true;
    if (missedOnce.size >= 4 * maxEntries) missedOnce.clear();
    missedOnce.add(key);
    return false;
  }

  return {
    get(key: K, now: number, load: () => Promise<V>): Promise<V> {
      const hit = fresh(key, now);
      if (hit) return hit;
      return admit(key) ? put(key, now, load()) : load();
    },
    /**
     * Values for many keys, in order. When any of them is missing or expired, all of them are
     * loaded again by one call to `load` (a key it answers no value for gets `absent`): keys read
     * together then expire together, so the next time they cost one load, not one per key.
     */
    getAll(keys: readonly K[], now: number, load: (keys: readonly K[]) => Promise<Map<K, V>>, absent: V): Promise<V[]> {
      const hits: Promise<V>[] = [];
      for (const key of keys) {
        const hit = fresh(key, now);
        if (!hit) break;
        hits.push(hit);
      }
      if (hits.length === keys.length) return Promise.all(hits);
      const loaded = load(keys);
      return Promise.all(
        keys.map((key) => {
          const value = loaded.then((found) => (found.has(key) ? found.get(key)! : absent));
          return admit(key) ? put(key, now, value) : value;
        }),
      );
    },
    /** Drops what was not used for a whole TTL now, not at the next insertion: a cache nobody reads any more holds no memory. */
    trim,
    clear() {
      entries.clear();
      missedOnce.clear();
      newest = oldest = null;
    },
    /** How many entries are held (expired ones included until they are dropped). */
    get size() {
      return entries.size;
    },
  };
}

export type TtlCache<V, K extends string | number = string> = ReturnType<typeof createTtlCache<V, K>>;

const byHandle = new WeakMap<object, Map<string, unknown>>();

/**
 * Caches shared by every service of one kind (`name`) on the same database handle, so a write
 * through any of them (the app's, a test's, the demo loader's) clears them all. Other app instances
 * are not told: their copies expire after the TTL. The first service on a handle decides the settings.
 */
export function sharedCaches<T>(handle: object, name: string, make: () => T): T {
  let named = byHandle.get(handle);
  if (!named) byHandle.set(handle, (named = new Map()));
  let caches = named.get(name) as T | undefined;
  if (!caches) named.set(name, (caches = make()));
  return caches;
}
