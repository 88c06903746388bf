import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';
import { placeOrder } from './admin-fixtures.js';

/**
 * Who may see /admin: only users whose token carries the owner role. Everyone else, anonymous
 * visitors included, gets exactly the 404 of an unknown URL (no login redirect, no 400 for a bad
 * query, no 401), so nothing tells them the area exists.
 */
describe.each(testDialects)('admin access on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let owner: LoggedIn;
  let buyer: LoggedIn;
  let demo: LoggedIn;
  let orderId: string;

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    const product = await makeProduct(catalogFixtures(t.db).catalog);
    orderId = await placeOrder(t.db, { product, email: 'someone@example.com', events: ['payment_settled'] });
    [owner, buyer, demo] = await Promise.all([loginAs(t.app, 'owner'), loginAs(t.app, 'new'), loginAs(t.app, 'demo')]);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const adminUrls = () => [
    '/admin',
    '/admin/orders',
    '/admin/orders?q=someone%40example.com&status=fulfilled&page=1',
    `/admin/orders?q=${'x'.repeat(400)}`, // fails the schema: still a 404, never a 400
    '/admin/orders?status=bogus&page=0',
    `/admin/orders/${orderId}`,
    '/admin/orders/ord_000000000000000000000000',
    '/admin/products',
    '/admin/products?status=deleted',
    '/admin/messages',
    '/admin/messages?page=abc',
  ];

  const get = (url: string, user?: LoggedIn) => t.app.inject({ method: 'GET', url, headers: user ? { cookie: user.cookie } : {} });
  // The layout's log-in link carries the current path; everything else must be identical.
  const normalised = (body: string) => body.replace(/returnTo=[^"&]*/g, 'returnTo=…');
  const headersOf = (res: Awaited<ReturnType<typeof get>>) => ({
    type: res.headers['content-type'],
    cache: res.headers['cache-control'],
    location: res.headers.location,
    cookie: res.headers['set-cookie'],
  });

  it.each([
    ['an anonymous visitor', () => undefined],
    ['a newly registered buyer', () => buyer],
    ['the demo buyer', () => demo],
  ])('answers %s on every admin URL exactly as an unknown URL', async (_who, user) => {
    const unknown = await get('/admin/no-such-page', user());
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('Page not found');
    for (const url of adminUrls()) {
      const res = await get(url, user());
      expect(res.statusCode, url).toBe(404);
      expect(normalised(res.body), url).toBe(normalised(unknown.body));
      expect(headersOf(res), url).toEqual(headersOf(unknown));
      expect(res.body, url).not.toContain('someone@example.com');
    }
    const head = await t.app.inject({ method: 'HEAD', url: '/admin/orders', headers: user() ? { cookie: user()!.cookie } : {} });
    expect(head.statusCode).toBe(404);
  });

  it('shows the owner every admin page, privately, and an Admin link in the header', async () => {
    for (const url of ['/admin', '/admin/orders', `/admin/orders/${orderId}`, '/admin/products', '/admin/messages']) {
      const res = await get(url, owner);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('private, no-store');
      expect(res.body, url).toContain('<nav class="admin-nav" aria-label="Shop administration">');
    }
    expect((await get('/', owner)).body).toContain('<a href="/admin">Admin</a>');
    expect((await get('/', buyer)).body).not.toContain('href="/admin"');
  });

  it('gives the owner clear 400s for bad input and 404s for what does not exist, never cached', async () => {
    const cases: [string, number, string][] = [
      ['/admin/orders?status=bogus', 400, 'There is no order status &quot;bogus&quot;. Choose one of: pending, fulfilled'],
      ['/admin/orders?page=0', 400, 'The page number must be a whole number, 1 or more.'],
      ['/admin/orders?page=two', 400, 'The page number must be a whole number, 1 or more.'],
      [
        '/admin/orders?q=lovelace',
        400,
        'Search by an order number (#1042), an order id (ord_…, or its beginning) or a buyer’s whole email address.',
      ],
      [`/admin/orders?q=${'x'.repeat(400)}`, 400, 'Invalid input'],
      ['/admin/orders?page=999', 404, 'There is no page 999 of orders; the last is 1.'],
      ['/admin/orders/ord_000000000000000000000000', 404, 'There is no order with that id.'],
      ['/admin/orders/not-an-id', 404, 'There is no order with that id.'],
      ['/admin/products?status=deleted', 400, 'There is no product status &quot;deleted&quot;. Choose one of: draft, active, archived.'],
      ['/admin/products?page=-1', 400, 'The page number must be a whole number, 1 or more.'],
      ['/admin/messages?page=1.5', 400, 'The page number must be a whole number, 1 or more.'],
      ['/admin/messages?page=2', 404, 'There is no page 2 of messages; the last is 1.'],
    ];
    for (const [url, status, message] of cases) {
      const res = await get(url, owner);
      expect(res.statusCode, url).toBe(status);
      expect(res.body, url).toContain(message);
      expect(res.headers['cache-control'], url).toBe('private, no-store');
    }
  });

  it('has no state-changing admin routes: a POST is the same 404 for the owner as for anyone', async () => {
    for (const user of [owner, buyer]) {
      const res = await t.app.inject({ method: 'POST', url: '/admin/orders', headers: user.headers, payload: {} });
      expect(res.statusCode).toBe(404);
    }
  });
});
