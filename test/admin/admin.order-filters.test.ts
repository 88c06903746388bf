import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';
import { placeOrder } from './admin-fixtures.js';

describe.each(testDialects)('admin order filters on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let owner: LoggedIn;
  const tag = randomBytes(4).toString('hex');
  const email = `filters.${tag}@example.com`;
  const ids: Record<string, string> = {};
  let skuA = '';
  let skuB = '';

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    owner = await loginAs(t.app, 'owner');
    const fx = catalogFixtures(t.db);
    const a = await makeProduct(fx.catalog);
    const b = await makeProduct(fx.catalog);
    skuA = a.sku;
    skuB = b.sku;
    const at = (day: string, hour: number) => Date.parse(`${day}T00:00:00Z`) + hour * 3_600_000;
    ids.mar1early = await placeOrder(t.db, { product: a, email, createdAt: at('2026-03-01', 0), events: ['payment_settled'] });
    ids.mar1late = await placeOrder(t.db, { product: b, email, createdAt: at('2026-03-01', 23) + 59 * 60_000, events: [] });
    ids.mar2 = await placeOrder(t.db, { product: a, email, createdAt: at('2026-03-02', 12), events: ['payment_settled'] });
    ids.mar3 = await placeOrder(t.db, { product: b, email, createdAt: at('2026-03-03', 0), events: ['payment_settled'] });
    ids.other = await placeOrder(t.db, { product: a, email: `other.${tag}@example.com`, createdAt: at('2026-03-02', 1) });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const get = (url: string, user = owner) => t.app.inject({ method: 'GET', url, headers: { cookie: user.cookie } });
  const listed = (body: string) => [...body.matchAll(/<tr data-order-id="(ord_[0-9a-f]+)">/g)].map((m) => m[1]);

  it('filters by days placed (UTC, both ends inclusive), product SKU in any case, status and email together', async () => {
    const q = encodeURIComponent(email);
    const day1 = await get(`/admin/orders?q=${q}&from=2026-03-01&to=2026-03-01`);
    expect(day1.statusCode).toBe(200);
    expect(listed(day1.body)).toEqual([ids.mar1late, ids.mar1early]);
    expect(day1.body).toContain('2 orders match.');
    expect(day1.body).toContain('name="from" value="2026-03-01"');
    expect(day1.body).toContain('name="to" value="2026-03-01"');

    expect(listed((await get(`/admin/orders?q=${q}&from=2026-03-02`)).body)).toEqual([ids.mar3, ids.mar2]);
    expect(listed((await get(`/admin/orders?q=${q}&to=2026-03-02`)).body)).toEqual([ids.mar2, ids.mar1late, ids.mar1early]);
    expect(listed((await get(`/admin/orders?q=${q}&sku=${skuB.toLowerCase()}`)).body)).toEqual([ids.mar3, ids.mar1late]);
    const combined = await get(`/admin/orders?q=${q}&sku=${skuA}&status=fulfilled&from=2026-03-02&to=2026-03-03`);
    expect(listed(combined.body)).toEqual([ids.mar2]);
    expect(combined.body).toContain(`name="sku" value="${skuA}"`);
    // Without an email: every buyer's orders of that day and product.
    expect(listed((await get(`/admin/orders?sku=${skuA}&from=2026-03-02&to=2026-03-02`)).body)).toEqual([ids.mar2, ids.other]);
    expect((await get(`/admin/orders?q=${q}&from=2026-04-01`)).body).toContain('No orders match.');
  });

  it('keeps every filter in the page links', async () => {
    const product = await makeProduct(catalogFixtures(t.db).catalog);
    const many = `many.${tag}@example.com`;
    const base = Date.parse('2025-06-10T10:00:00Z');
    for (let i = 0; i < 27; i++) await placeOrder(t.db, { product, email: many, createdAt: base + i * 1000, events: ['payment_settled'] });
    const url = `/admin/orders?q=${encodeURIComponent(many)}&status=fulfilled&sku=${product.sku}&from=2025-06-10&to=2025-06-10`;
    const page1 = await get(url);
    expect(page1.body).toContain('27 orders match.');
    const next = `href="/admin/orders?q=${encodeURIComponent(many)}&amp;status=fulfilled&amp;sku=${product.sku}&amp;from=2025-06-10&amp;to=2025-06-10&amp;page=2"`;
    expect(page1.body).toContain(next);
    expect(listed((await get(`${url}&page=2`)).body)).toHaveLength(2);
  });

  it('answers a bad day, a reversed range or a bad SKU with a 400 that says what is wrong', async () => {
    const cases: [string, string][] = [
      ['/admin/orders?from=2026-13-01', 'The “from” date “2026-13-01” is not a day written as YYYY-MM-DD, e.g. 2026-03-31.'],
      ['/admin/orders?to=2026-02-30', 'The “to” date “2026-02-30” is not a day written as YYYY-MM-DD'],
      ['/admin/orders?from=yesterday', 'The “from” date “yesterday” is not a day'],
      ['/admin/orders?from=2026-03-05&to=2026-03-01', 'The date range is reversed: “from” 2026-03-05 is after “to” 2026-03-01.'],
      ['/admin/orders?sku=no%20spaces', '“no spaces” is not a SKU'],
    ];
    for (const [url, message] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.body, url).toContain(message);
      expect(res.headers['cache-control'], url).toBe('private, no-store');
    }
  });

  it('is the same 404 as an unknown URL for a buyer, filters or not', async () => {
    const buyer = await loginAs(t.app, 'new');
    const unknown = await get('/admin/no-such-page', buyer);
    for (const url of ['/admin/orders?from=2026-03-01&to=2026-03-02&sku=ABC', '/admin/orders?from=2026-03-05&to=2026-03-01']) {
      const res = await get(url, buyer);
      expect(res.statusCode, url).toBe(404);
      expect(res.body.replace(/returnTo=[^"&]*/g, ''), url).toBe(unknown.body.replace(/returnTo=[^"&]*/g, ''));
    }
  });
});
