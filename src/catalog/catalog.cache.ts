/**
 * A small in-memory cache of promises with a time-to-live and a size bound (least recently used
 * goes first). Promises, so concurrent requests for the same key share one query; a rejected
 * promise is forgotten at once.
 */
export function createTtlCache<V>({ maxEntries, ttlMs }: { maxEntries: number; ttlMs: number }) {
  const entries = new Map<string, { expires: number; value: Promise<V> }>();
  return {
    get(key: string, now: number, load: () => Promise<V>): Promise<V> {
      const hit = entries.get(key);
      if (hit && hit.expires > now) {
        entries.delete(key);
        entries.set(key, hit);
        return hit.value;
      }
      const entry = { expires: now + ttlMs, value: load() };
      entries.delete(key);
      entries.set(key, entry);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      entry.value.catch(() => entries.get(key) === entry && entries.delete(key));
      return entry.value;
    },
    clear() {
      entries.clear();
    },
  };
}

export type TtlCache<V> = ReturnType<typeof createTtlCache<V>>;

const byHandle = new WeakMap<object, unknown>();

/**
 * Caches shared by every catalog service on the same database handle, so a write through any of
 * them (the app's, a test's, the demo loader's) clears them all. Other app instances are not told:
 * their copies expire after the TTL. The first service on a handle decides the settings.
 */
export function sharedCaches<T>(handle: object, make: () => T): T {
  let caches = byHandle.get(handle) as T | undefined;
  if (!caches) {
    caches = make();
    byHandle.set(handle, caches);
  }
  return caches;
}
