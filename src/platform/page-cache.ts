import { hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createCache, type Cache } from './cache.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The page is the same for every visitor the store knows nothing of: shared caches (the page cache, a CDN) may keep it. */
    sharedPage?: boolean;
  }
  interface FastifyRequest {
    /** The page cache's key for this request: null unless an anonymous GET of a shared page. */
    sharedPageKey: string | null;
    /** Answered from the page cache (nothing left to store). */
    fromPageCache: boolean;
    /**
     * Set by a route that says which stock its page shows (none: empty lists): the page is then kept
     * as long as the catalog is, and checked against the stock shown now on every hit. Left null, it
     * is kept no longer than shown stock may be stale.
     */
    shownStock: ShownStock | null;
  }
}

/** The products whose stock a page shows, and what it shows for each (compared as strings). */
export interface ShownStock {
  ids: readonly number[];
  shown: readonly string[];
}
/** A page that shows no stock that can change. */
export const NO_STOCK: ShownStock = Object.freeze({ ids: [], shown: [] });

/** A finished response, ready to write: its body and the headers that belong to the page. */
interface PageEntry {
  body: Buffer;
  etag: string;
  headers: Record<string, string>;
  stock: ShownStock | null;
}

/** How the page cache is bounded, and what it tells shared caches downstream. */
export interface PageCacheOptions {
  /** Most pages kept. */
  max: number;
  /** Most bytes of body kept, all pages together. */
  maxBytes: number;
  /** How long a page that did not say what stock it shows is answered from memory (no longer than shown stock may be stale). */
  ttlMs: number;
  /** How long a page that said what stock it shows is (the catalog's cache time: catalog changes clear it). */
  stockFreeTtlMs: number;
  /** How long a CDN or proxy may serve a page (the catalog's own cache time). */
  sharedMaxAgeSeconds: number;
  clock?: () => number;
}

/** Whole pages for anonymous visitors, one per normalised URL. */
export interface PageCache {
  get(key: string): PageEntry | undefined;
  /**
   * Whether a page missed now should be kept: one asked for before, lately, or kept until it expired
   * (a crawler's single visits keep nothing; a popular page is kept again on its first miss).
   */
  admit(key: string): boolean;
  set(key: string, entry: PageEntry): void;
  clear(): void;
  /** Drops the pages that did not say what stock they show (a pool's count changed); the others are checked on every hit. */
  clearStock(): void;
  readonly size: number;
  /** The Cache-Control of a shared page. */
  readonly sharedCacheControl: string;
}

/**
 * Builds the page cache (src/caches.ts): one pool of bytes for every page, so whichever pages are
 * asked for most are the ones kept; a page that said what stock it shows lives `stockFreeTtlMs`, any
 * other `ttlMs`.
 */
export function createPageCache({ max, maxBytes, ttlMs, stockFreeTtlMs, sharedMaxAgeSeconds, clock }: PageCacheOptions): PageCache {
  // The headers object and key cost a few hundred bytes of heap beside the body.
  const pages: Cache<string, PageEntry> = createCache({
    max,
    maxSize: maxBytes,
    sizeOf: (entry) => entry.body.length + 300,
    ttlMs: stockFreeTtlMs,
    clock,
  });
  const askedOnce = new Set<string>();
  // Keys of pages kept briefly, to drop them when stock changes; pruned of evicted ones now and then.
  let withStock = new Set<string>();
  return {
    get: (key) => pages.get(key),
    admit(key) {
      if (askedOnce.delete(key) || pages.holds(key)) return true;
      if (askedOnce.size >= max) askedOnce.clear();
      askedOnce.add(key);
      return false;
    },
    set(key, entry) {
      if (entry.stock) {
        withStock.delete(key);
        pages.set(key, entry);
        return;
      }
      if (withStock.size >= 2 * max) withStock = new Set([...withStock].filter((k) => pages.holds(k)));
      withStock.add(key);
      pages.set(key, entry, ttlMs);
    },
    clear() {
      pages.clear();
      askedOnce.clear();
      withStock.clear();
    },
    clearStock() {
      for (const key of withStock) pages.delete(key);
      withStock.clear();
    },
    get size() {
      return pages.size;
    },
    sharedCacheControl: `public, max-age=0, s-maxage=${sharedMaxAgeSeconds}, stale-while-revalidate=${sharedMaxAgeSeconds}`,
  };
}

const PERSONAL = 'private, no-store';
// Written per request, or by Fastify itself: never part of a kept page.
const NOT_KEPT = new Set(['x-request-id', 'content-length', 'set-cookie', 'date', 'connection', 'transfer-encoding']);

/** Path and query with the parameters sorted and encoded one way; null for URLs too long to be worth keeping. */
export function pageKey(url: string): string | null {
  if (url.length > 500) return null;
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  params.sort();
  const query = params.toString();
  return query ? `${url.slice(0, q)}?${query}` : url.slice(0, q);
}

/** If-None-Match against a strong ETag (weak comparison, as RFC 9110 asks for this header). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function keptHeaders(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined && !NOT_KEPT.has(name)) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return headers;
}

/**
 * One layer for every page marked `config: { sharedPage: true }` (home, categories, search, products,
 * content pages). A visitor carrying none of the store's cookies (`visitorCookies`: session, cart)
 * is answered from the page cache before any routing work, or gets the page with a shared
 * Cache-Control and a strong ETag (304 on If-None-Match), and a 200 is kept for the next one. Anyone
 * carrying one of those cookies gets `private, no-store`, on shared pages and on every response that
 * did not choose its own Cache-Control.
 */
export const pageCachePlugin = fp<{
  cache: PageCache;
  visitorCookies: readonly string[];
  /** What a page would show now for each of these products' stock, as `ShownStock.shown` says it (at most as stale as shown stock may be). */
  stockNow: (ids: readonly number[]) => Promise<readonly string[]>;
}>(
  async (app, { cache, visitorCookies, stockNow }) => {
    const known = (request: FastifyRequest) => visitorCookies.some((name) => request.cookies[name] !== undefined);
    app.decorateRequest('sharedPageKey', null);
    app.decorateRequest('fromPageCache', false);
    app.decorateRequest('shownStock', null);

    // Misses being rendered now, by key: a request for the same page waits for the first one's
    // rendering instead of rendering it again (when a popular page expires, every connection asks
    // for it within the same millisecond).
    const flights = new Map<
      string,
      { leader: FastifyRequest; waiters: number; done: (kept?: PageEntry) => void; kept: Promise<PageEntry | undefined> }
    >();
    const land = (request: FastifyRequest, kept?: PageEntry) => {
      const flight = request.sharedPageKey === null ? undefined : flights.get(request.sharedPageKey);
      if (flight?.leader !== request) return;
      flights.delete(request.sharedPageKey!);
      flight.done(kept);
    };
    const serve = (request: FastifyRequest, reply: FastifyReply, entry: PageEntry) => {
      request.fromPageCache = true;
      reply.headers(entry.headers);
      if (etagMatches(request.headers['if-none-match'], entry.etag)) reply.code(304).send();
      else reply.send(entry.body);
    };

    app.addHook('onRequest', (request, reply, done) => {
      if (request.method !== 'GET' || !request.routeOptions.config.sharedPage || known(request)) return done();
      const key = pageKey(request.url);
      if (key === null) return done();
      request.sharedPageKey = key;
      const entry = cache.get(key);
      if (!entry) return miss(request, reply, key, done);
      if (!entry.stock?.ids.length) return serve(request, reply, entry);
      const { ids, shown } = entry.stock;
      // A page showing another count than the pools' now is rendered again.
      void stockNow(ids).then(
        (now) => (now.every((s, i) => s === shown[i]) ? serve(request, reply, entry) : miss(request, reply, key, done)),
        () => miss(request, reply, key, done),
      );
    });

    function miss(request: FastifyRequest, reply: FastifyReply, key: string, done: () => void) {
      const flight = flights.get(key);
      if (!flight) {
        let finish!: (kept?: PageEntry) => void;
        const kept = new Promise<PageEntry | undefined>((resolve) => (finish = resolve));
        flights.set(key, { leader: request, waiters: 0, done: finish, kept });
        return done();
      }
      flight.waiters++;
      // Not kept (an error, a personal answer): this one renders it itself.
      void flight.kept.then((page) => (page ? serve(request, reply, page) : done()));
    }

    app.addHook('onSend', (request, reply, payload, done) => {
      if (request.fromPageCache) return done(null, payload);
      if (!request.routeOptions.config.sharedPage) {
        if (!reply.hasHeader('cache-control') && known(request)) reply.header('cache-control', PERSONAL);
        return done(null, payload);
      }
      reply.header('vary', 'Cookie');
      if (known(request) || reply.hasHeader('set-cookie')) {
        reply.header('cache-control', PERSONAL);
        return done(null, payload);
      }
      if (reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return done(null, payload);
      const etag = `"${hash('sha1', payload, 'base64url')}"`;
      reply.header('cache-control', cache.sharedCacheControl).header('etag', etag);
      let body: string | Buffer = payload;
      const key = request.sharedPageKey;
      // A Buffer only for a page kept: it is written as it is, while one made per miss would churn memory off the heap.
      // Others waiting for it show it is wanted, as a second request would.
      if (key !== null && (cache.admit(key) || (flights.get(key)?.waiters ?? 0) > 0)) {
        body = typeof payload === 'string' ? Buffer.from(payload) : payload;
        const entry = { body, etag, headers: keptHeaders(reply), stock: request.shownStock };
        cache.set(key, entry);
        land(request, entry);
      }
      if (etagMatches(request.headers['if-none-match'], etag)) {
        reply.code(304);
        return done(null, '');
      }
      done(null, body);
    });

    // Whatever became of the leader (not kept, an error, the visitor gone), its waiters go on.
    app.addHook('onResponse', (request, _reply, done) => {
      land(request);
      done();
    });
    app.addHook('onRequestAbort', (request, done) => {
      land(request);
      done();
    });
  },
  { name: 'page-cache' },
);
