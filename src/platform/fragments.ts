import { createCache } from './cache.js';

/** Rendered HTML: one string, or a page cut into parts (such as a template's text and slot names). */
export type Fragment = string | readonly string[];

/**
 * The one place where rendered HTML is kept for reuse. A key names everything the fragment depends
 * on (a product's id and update time, a shop name, the category list's text), so an entry is never
 * stale: a change makes a new key, and the old entry ages out of the cache.
 */
export interface FragmentCache {
  /** The HTML kept under `key`, or what `render` makes (kept when the key is asked for again). */
  html(key: string, render: () => string): string;
  /** The parts kept under `key`, or what `render` makes. */
  parts(key: string, render: () => readonly string[]): readonly string[];
  clear(): void;
  readonly size: number;
}

const sizeOf = (fragment: Fragment) => (typeof fragment === 'string' ? fragment.length : fragment.reduce((n, s) => n + s.length, 0));

/** How a fragment cache is bounded. */
export interface FragmentCacheOptions {
  /** Most fragments kept. */
  max: number;
  /** Most characters kept, all fragments together (a Latin-1 character is a byte of heap). */
  maxChars: number;
  /** A fragment nobody asked for in this long is dropped, so memory follows recent traffic. */
  idleMs: number;
  clock?: () => number;
}

/** Fragments admitted on a second request, so a crawler rendering every product once keeps nothing. */
export function createFragmentCache({ max, maxChars, idleMs, clock }: FragmentCacheOptions): FragmentCache {
  const cache = createCache<string, Fragment>({
    max,
    maxSize: maxChars,
    sizeOf,
    ttlMs: idleMs,
    ttlFromLastUse: true,
    admitOnSecondRequest: true,
    // Keys are strings of a few dozen characters: remember as many turned-away keys as entries kept.
    admissionWindow: max,
    clock,
  });
  return {
    html(key, render) {
      const hit = cache.get(key);
      if (typeof hit === 'string') return hit;
      const made = render();
      cache.set(key, made);
      return made;
    },
    parts(key, render) {
      const hit = cache.get(key);
      if (typeof hit === 'object') return hit;
      const made = render();
      cache.set(key, made);
      return made;
    },
    clear: () => cache.clear(),
    get size() {
      return cache.size;
    },
  };
}

/** Renders every time and keeps nothing: for pages rendered element by element, to compare kept HTML with. */
export const renderEveryTime: FragmentCache = {
  html: (_key, render) => render(),
  parts: (_key, render) => render(),
  clear() {},
  size: 0,
};
