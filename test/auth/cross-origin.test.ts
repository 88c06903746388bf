import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type ApiErrorBody, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import {
  CROSS_SITE,
  issueTokens,
  loginAs,
  startTestIdp,
  TEST_STORE_URL,
  TestBrowser,
  type SessionJson,
  type TestIdp,
} from '../support/auth.js';
import { catalogFixtures, makeCategory, makeProduct } from '../support/factories.js';

// Every route the app registers, as it registers it: a route added later is checked below without
// anyone remembering to list it.
const registered = vi.hoisted(() => [] as RouteOptions[]);
vi.mock('../../src/platform/server.js', async (importOriginal) => {
  const server = await importOriginal<typeof import('../../src/platform/server.js')>();
  return {
    ...server,
    createServer: async (...args: Parameters<typeof server.createServer>) => {
      const app = await server.createServer(...args);
      app.addHook('onRoute', (route) => void registered.push(route));
      return app;
    },
  };
});

/** Routes never authenticated by a cookie, which opt out with `config: { csrf: false }`. Adding one means adding it here. */
const OPTED_OUT = [
  'POST /api/licenses/activate',
  'POST /api/licenses/deactivate',
  'POST /api/licenses/validate',
  'POST /api/payment-callback',
];
const UNSAFE = ['POST', 'PUT', 'PATCH', 'DELETE'];
const REFUSAL = 'This request came from another site, so it was refused. Please go back to the store and try again.';

describe.each(testDialects)('cross-origin protection on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let product: string;

  beforeAll(async () => {
    registered.length = 0;
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    const fx = catalogFixtures(t.db);
    await makeCategory(fx.catalog, { slug: 'xo-shelf', name: 'XO shelf' });
    product = (await makeProduct(fx.catalog, { categories: ['xo-shelf'] })).sku;
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const session = async (cookie: string) =>
    (await t.app.inject({ url: '/api/session', headers: { cookie } })).json<SessionJson>().authenticated;
  const cartCount = async (cookie: string) =>
    (await t.app.inject({ url: '/api/cart', headers: { cookie } })).json<{ count: number }>().count;

  it('refuses every state-changing route to a cross-site request, except the listed opt-outs', async () => {
    const unsafe = registered.flatMap((r) =>
      [r.method]
        .flat()
        .filter((m) => UNSAFE.includes(m))
        .map((m) => ({ name: `${m} ${r.url}`, method: m, url: r.url, optedOut: r.config?.csrf === false })),
    );
    // The cart, checkout, account, contact, donations, order page, downloads, logout and the session refresh at least.
    expect(unsafe.length).toBeGreaterThanOrEqual(15);
    expect(
      unsafe
        .filter((r) => r.optedOut)
        .map((r) => r.name)
        .sort(),
    ).toEqual(OPTED_OUT);

    const user = await loginAs(t.app);
    // Owner pages answer 404 to anyone else before anything: a forged request there targets the owner.
    const owner = await loginAs(t.app, 'owner');
    for (const route of unsafe) {
      const victim = route.url.startsWith('/admin') ? owner : user;
      const res = await t.app.inject({
        method: route.method as 'POST',
        url: route.url.replace(/:[^/]+/g, 'ord_1').replace('*', 'x'),
        headers: { ...victim.headers, ...CROSS_SITE, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'sku=X&quantity=1',
      });
      const refused = res.statusCode === 403 && res.body.includes(REFUSAL);
      expect(refused, `${route.name} answered ${res.statusCode}`).toBe(!route.optedOut);
    }
    expect(await session(user.cookie)).toBe(true);
    expect(await session(owner.cookie)).toBe(true);
  });

  it('refuses a form post from another site or a sibling subdomain with a 403 page, and takes the same post from the store', async () => {
    const browser = new TestBrowser(t.app);
    const post = (headers?: Record<string, string>) =>
      browser.request('/cart', { form: { action: 'add', sku: product, quantity: '1' }, headers });
    for (const headers of [CROSS_SITE, { 'sec-fetch-site': 'same-site', origin: 'http://www.localhost:3000' }]) {
      const res = await post(headers);
      expect(res.status).toBe(403);
      expect(res.body).toContain(`<p class="message">${REFUSAL}</p>`);
      expect(res.body).toContain('<header class="site-header">');
    }
    expect(browser.cookie('cart')).toBeUndefined();
    expect((await post()).status).toBe(303);
    expect((await post({ 'sec-fetch-site': 'none' })).status).toBe(303);
    expect(await cartCount(browser.cookieHeader())).toBe(2);
  });

  it('judges a fetch without Fetch Metadata by its Origin: the public one passes; another host, port or scheme, or null, does not', async () => {
    const user = await loginAs(t.app, 'new');
    const add = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/cart/add',
        headers: { ...user.headers, ...headers },
        payload: { sku: product, quantity: 1 },
      });
    for (const origin of ['https://attacker.example', 'http://localhost:3001', 'https://localhost:3000', 'http://127.0.0.1:3000', 'null']) {
      const res = await add({ origin });
      expect(res.statusCode, origin).toBe(403);
      expect(res.json<ApiErrorBody>()).toEqual({ error: { code: 'cross_origin_request', message: REFUSAL } });
    }
    expect((await add({ origin: TEST_STORE_URL })).statusCode).toBe(200);
    // Neither header: not a browser, so no browser's cookie was borrowed (curl, a server, a test).
    expect((await add({})).statusCode).toBe(200);
    expect(await cartCount(user.cookie)).toBe(2);
  });

  it('lets a route opted out (the gateway webhook) and a Bearer-authenticated call through from anywhere', async () => {
    const webhook = await t.app.inject({ method: 'POST', url: '/api/payment-callback', headers: CROSS_SITE, payload: {} });
    expect(webhook.json<ApiErrorBody>().error.code).not.toBe('cross_origin_request');
    const { accessToken } = await issueTokens(idp);
    const bearer = await t.app.inject({
      method: 'POST',
      url: '/api/cart/add',
      headers: { ...CROSS_SITE, authorization: `Bearer ${accessToken}` },
      payload: { sku: product, quantity: 1 },
    });
    expect(bearer.statusCode).toBe(200);
  });

  it('logs out from the header link at once, but only asks when another site sent the browser there', async () => {
    const user = await loginAs(t.app, 'new');
    const hijacked = ['cross-site', 'same-site'].map((site) =>
      user.browser.request('/auth/logout', { headers: { 'sec-fetch-site': site } }),
    );
    for (const res of await Promise.all(hijacked)) {
      expect(res.status).toBe(200);
      expect(res.body).toContain('Do you want to log out');
    }
    const prefetched = await user.browser.request('/auth/logout', {
      headers: { 'sec-fetch-site': 'same-origin', 'sec-purpose': 'prefetch' },
    });
    expect(prefetched.status).toBe(200);
    const forged = await user.browser.request('/auth/logout', { method: 'POST', headers: CROSS_SITE });
    expect(forged.status).toBe(403);
    expect(await session(user.cookie)).toBe(true);

    // The confirmation page's own form post is same-origin.
    const confirmed = await user.browser.request('/auth/logout', { form: {} });
    expect(confirmed.status).toBe(303);
    expect(confirmed.location!.startsWith(`${idp.idp.issuer}/session/end`)).toBe(true);
    expect(await session(user.cookie)).toBe(false);

    for (const headers of [{ 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }, {}] as Record<string, string>[]) {
      const next = await loginAs(t.app, 'new');
      const out = await next.browser.request('/auth/logout', { headers });
      expect(out.status, JSON.stringify(headers)).toBe(303);
      expect(out.location!.startsWith(`${idp.idp.issuer}/session/end`)).toBe(true);
      expect(await session(next.cookie)).toBe(false);
    }
  });

  it('keeps the session refresh to the store’s own pages', async () => {
    const user = await loginAs(t.app, 'new');
    expect((await user.browser.request('/api/session/refresh', { method: 'POST', headers: CROSS_SITE })).status).toBe(403);
    expect((await user.browser.request('/api/session/refresh', { method: 'POST' })).status).toBe(200);
  });

  it('gives a first visitor no cookie and no per-visitor secret on any page', async () => {
    const pages = [
      '/',
      '/category/xo-shelf',
      `/${product}`,
      '/search?q=tool',
      '/cart',
      '/about',
      '/contact',
      '/donate',
      '/api/session',
      '/api/cart',
    ];
    for (const path of pages) {
      const res = await t.app.inject(path);
      expect(res.statusCode, path).toBe(200);
      expect(res.headers['set-cookie'], path).toBeUndefined();
      expect(res.body, path).not.toMatch(/csrf/i);
    }
  });
});

describe('cross-origin protection behind a TLS-terminating proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { PUBLIC_URL: 'https://shop.test' });
  });
  afterAll(() => t?.close());

  it('compares Origin with PUBLIC_URL, not with the plain-http request the proxy forwards', async () => {
    const post = (origin: string) =>
      t.app.inject({ method: 'POST', url: '/api/cart/add', headers: { origin, host: 'shop.test' }, payload: { sku: 'NONE', quantity: 1 } });
    expect((await post('https://shop.test')).json<ApiErrorBody>().error.code).toBe('product_not_found');
    expect((await post('http://shop.test')).json<ApiErrorBody>().error.code).toBe('cross_origin_request');
  });
});
