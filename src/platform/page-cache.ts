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
  }
}

/** A finished response, ready to write: its body and the headers that belong to the page. */
interface PageEntry {
  body: Buffer;
  etag: string;
  headers: Record<string, string>;
}

/** How the page cache is bounded, and what it tells shared caches downstream. */
export interface PageCacheOptions {
  /** Most pages kept. */
  max: number;
  /** Most bytes of body kept, all pages together. */
  maxBytes: number;
  /** How long a page is answered from memory (no longer than the stock it shows may be stale). */
  ttlMs: number;
  /** How long a CDN or proxy may serve a page (the catalog's own cache time). */
  sharedMaxAgeSeconds: number;
  clock?: () => number;
}

/** Whole pages for anonymous visitors, one per normalised URL. */
export interface PageCache {
  get(key: string): PageEntry | undefined;
  set(key: string, entry: PageEntry): void;
  clear(): void;
  readonly size: number;
  /** The Cache-Control of a shared page. */
  readonly sharedCacheControl: string;
}

/** Builds the page cache (src/caches.ts); admitted on a second request, so a crawler's single visits keep nothing. */
export function createPageCache({ max, maxBytes, ttlMs, sharedMaxAgeSeconds, clock }: PageCacheOptions): PageCache {
  const cache: Cache<string, PageEntry> = createCache({
    max,
    maxSize: maxBytes,
    // The headers object and key cost a few hundred bytes of heap beside the body.
    sizeOf: (entry) => entry.body.length + 300,
    ttlMs,
    admitOnSecondRequest: true,
    clock,
  });
  return {
    get: (key) => cache.get(key),
    set: (key, entry) => void cache.set(key, entry),
    clear: () => cache.clear(),
    get size() {
      return cache.size;
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
export const pageCachePlugin = fp<{ cache: PageCache; visitorCookies: readonly string[] }>(
  async (app, { cache, visitorCookies }) => {
    const known = (request: FastifyRequest) => visitorCookies.some((name) => request.cookies[name] !== undefined);
    app.decorateRequest('sharedPageKey', null);
    app.decorateRequest('fromPageCache', false);

    app.addHook('onRequest', (request, reply, done) => {
      if (request.method !== 'GET' || !request.routeOptions.config.sharedPage || known(request)) return done();
      const key = pageKey(request.url);
      const entry = key === null ? undefined : cache.get(key);
      request.sharedPageKey = key;
      if (!entry) return done();
      request.fromPageCache = true;
      reply.headers(entry.headers);
      if (etagMatches(request.headers['if-none-match'], entry.etag)) reply.code(304).send();
      else reply.send(entry.body);
    });

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
      const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
      const etag = `"${hash('sha1', body, 'base64url')}"`;
      reply.header('cache-control', cache.sharedCacheControl).header('etag', etag);
      if (request.sharedPageKey !== null) cache.set(request.sharedPageKey, { body, etag, headers: keptHeaders(reply) });
      if (etagMatches(request.headers['if-none-match'], etag)) {
        reply.code(304);
        return done(null, '');
      }
      done(null, body);
    });
  },
  { name: 'page-cache' },
);
