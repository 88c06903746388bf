import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createPageCache, etagMatches, NO_STOCK, pageCachePlugin, pageKey, type ShownStock } from './page-cache.js';

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

// A page that did not say what stock it shows, and one that did (none).
const entry = { body: Buffer.from('<p>page</p>'), etag: '"e"', headers: {}, stock: null };
const stockFree = { ...entry, stock: NO_STOCK };
/** A page cache of 100 kB keeping pages 2 s, or 30 s when they say what stock they show. */
const smallCache = (clock?: () => number, maxBytes = 100_000) =>
  createPageCache({ max: 10, maxBytes, ttlMs: 2000, stockFreeTtlMs: 30_000, sharedMaxAgeSeconds: 30, clock });

describe('createPageCache', () => {
  it('admits a page asked for twice, and keeps it 2 s, or as long as the catalog when it shows no stock', () => {
    let now = 1_000;
    const cache = smallCache(() => now);
    expect(cache.admit('/a')).toBe(false);
    expect(cache.admit('/a')).toBe(true);
    cache.set('/a', entry);
    cache.set('/b', stockFree);
    expect(cache.get('/a')).toBe(entry);
    now += 2001;
    expect(cache.get('/a')).toBeUndefined();
    expect(cache.get('/b')).toBe(stockFree);
    now += 28_000;
    expect(cache.get('/b')).toBeUndefined();
    expect(cache.sharedCacheControl).toBe('public, max-age=0, s-maxage=30, stale-while-revalidate=30');
  });
});

describe('what the page cache keeps again and drops', () => {
  let now = 1_000;
  const cache = smallCache(() => now);

  it('keeps a page that expired again on its first miss, a page never kept only on its second', () => {
    expect(cache.admit('/popular')).toBe(false);
    expect(cache.admit('/popular')).toBe(true);
    cache.set('/popular', entry);
    now += 2001;
    expect(cache.get('/popular')).toBeUndefined();
    expect(cache.admit('/popular')).toBe(true);
    expect(cache.admit('/once')).toBe(false);
  });

  it('shares one pool of bytes between pages kept long and briefly', () => {
    const page = { ...stockFree, body: Buffer.alloc(700) };
    const small = smallCache(undefined, 4_000);
    for (const key of ['/1', '/2', '/3', '/4']) small.set(key, page);
    expect(['/1', '/2', '/3', '/4'].map((k) => small.get(k) === page)).toEqual([true, true, true, true]);
    small.set('/5', { ...page, stock: null });
    expect(small.get('/1')).toBeUndefined();
    expect(small.get('/5')?.body).toBe(page.body);
  });

  it('drops only the pages that did not say what stock they show when stock changes', () => {
    cache.set('/undeclared', entry);
    cache.set('/declared', stockFree);
    cache.clearStock();
    expect(cache.get('/undeclared')).toBeUndefined();
    expect(cache.get('/declared')).toBe(stockFree);
    expect(cache.admit('/undeclared')).toBe(false);
  });
});

describe('pageCachePlugin', () => {
  /** A shared page whose rendering waits for `open()`, counting how often it is rendered. */
  async function appWithSlowPage(status = 200, stock: { shown: ShownStock | null; now: string[] } = { shown: null, now: [] }) {
    const app = Fastify();
    await app.register(cookie);
    const cache = smallCache();
    await app.register(pageCachePlugin, { cache, visitorCookies: ['sid'], stockNow: async () => stock.now });
    let renders = 0;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    app.get('/page', { config: { sharedPage: true } }, async (request, reply) => {
      renders++;
      request.shownStock = stock.shown;
      await gate;
      return reply.code(status).type('text/html').send(`<p>render ${renders}</p>`);
    });
    return { app, open, renders: () => renders };
  }

  it('renders a page once for visitors asking for it at the same moment, and answers them all', async () => {
    const { app, open, renders } = await appWithSlowPage();
    const answers = Promise.all(Array.from({ length: 10 }, () => app.inject('/page')));
    await new Promise((r) => setTimeout(r, 20));
    open();
    const all = await answers;
    expect(renders()).toBe(1);
    expect(all.map((r) => [r.statusCode, r.body])).toEqual(Array(10).fill([200, '<p>render 1</p>']));
    expect(new Set(all.map((r) => r.headers.etag)).size).toBe(1);
    expect((await app.inject('/page')).body).toBe('<p>render 1</p>');
    await app.close();
  });

  it('lets the waiting visitors render for themselves when the first answer is not kept', async () => {
    const { app, open, renders } = await appWithSlowPage(503);
    const answers = Promise.all(Array.from({ length: 3 }, () => app.inject('/page')));
    await new Promise((r) => setTimeout(r, 20));
    open();
    expect((await answers).map((r) => r.statusCode)).toEqual([503, 503, 503]);
    expect(renders()).toBe(3);
    await app.close();
  });

  it('never makes a visitor with a session wait for, or see, a shared rendering', async () => {
    const { app, open, renders } = await appWithSlowPage();
    const anonymous = app.inject('/page');
    const personal = app.inject({ url: '/page', cookies: { sid: 'x' } });
    await new Promise((r) => setTimeout(r, 20));
    open();
    expect((await anonymous).headers['cache-control']).toMatch(/^public/);
    expect((await personal).headers['cache-control']).toBe('private, no-store');
    expect(renders()).toBe(2);
    await app.close();
  });

  it('shows a kept page while the stock it shows is still what the pools say, and renders it again once not', async () => {
    const stock = { shown: { ids: [7], shown: ['Only 3 left|3'] }, now: ['Only 3 left|3'] };
    const { app, open, renders } = await appWithSlowPage(200, stock);
    open();
    await app.inject('/page');
    await app.inject('/page');
    expect((await app.inject('/page')).body).toBe('<p>render 2</p>');
    expect(renders()).toBe(2);
    stock.now = ['Only 2 left|2'];
    expect((await app.inject('/page')).body).toBe('<p>render 3</p>');
    expect(renders()).toBe(3);
    await app.close();
  });
});
