import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { shortDate } from '../../src/admin/admin-reports-chart.view.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';
import { placeOrder, rowText, tableRows } from './admin-fixtures.js';
import { donation, paidSale } from './sales-fixtures.js';

// Days counted back from today (UTC): logging in needs the real clock, so the fixture follows it.
const DAY = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY) * DAY;
const at = (daysAgo: number, hour: number) => TODAY - daysAgo * DAY + hour * 3_600_000;
const date = (daysAgo: number) => new Date(TODAY - daysAgo * DAY).toISOString().slice(0, 10);
const label = (daysAgo: number) => shortDate(date(daysAgo));
const iso = (ms: number) => new Date(ms).toISOString();
const EVIL = '=HYPERLINK("http://evil.example","Free")';

/**
 * The owner's sales report and exports: revenue per UTC day net of refunds (a refund lowers the day
 * its order was paid), donations apart, one chart per currency, the best sellers, and CSV files
 * with exact lines, formulas defused.
 */
describe.each(testDialects)('sales reports on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let owner: LoggedIn;
  let buyer: LoggedIn;
  const o: Record<string, { id: string; number: number }> = {};

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    const fx = catalogFixtures(t.db);
    const a = await makeProduct(fx.catalog, { sku: 'REP-A', name: 'Alpha Pack', price: 1000 });
    const b = await makeProduct(fx.catalog, { sku: 'REP-B', name: 'Beta Set', price: 500 });
    // Today: 20 % tax on top; one line named like a spreadsheet formula.
    o.one = await paidSale(t.db, {
      email: 'ada@example.com',
      paidAt: at(0, 10),
      tax: 500,
      lines: [
        { product: a, name: 'Alpha Pack', unitPrice: 1000, quantity: 2 },
        { product: b, name: EVIL, unitPrice: 500, quantity: 1 },
      ],
    });
    // Yesterday: paid, then refunded in full.
    o.two = await paidSale(t.db, {
      email: 'bob@example.com',
      paidAt: at(1, 9),
      refundAll: true,
      lines: [{ product: a, name: 'Alpha Pack', unitPrice: 1000, quantity: 1 }],
    });
    // Two days ago: three units, one refunded.
    o.three = await paidSale(t.db, {
      email: '+carol@example.com',
      paidAt: at(2, 8),
      lines: [{ product: a, name: 'Alpha Pack', unitPrice: 1000, quantity: 3, refunded: 1 }],
    });
    o.four = await paidSale(t.db, {
      email: 'dan@example.com',
      currency: 'USD',
      paidAt: at(0, 11),
      lines: [{ product: b, name: 'Beta Set', unitPrice: 700, quantity: 1 }],
    });
    // Forty days ago: only the 90-day report sees it.
    o.old = await paidSale(t.db, {
      email: 'eve@example.com',
      paidAt: at(40, 12),
      lines: [{ product: a, name: 'Alpha Pack', unitPrice: 2000, quantity: 1 }],
    });
    await placeOrder(t.db, { product: a, email: 'unpaid@example.com', createdAt: at(0, 9) });
    await donation(t.db, { amount: 2500, status: 'paid', paidAt: at(1, 12) });
    await donation(t.db, { amount: 1000, status: 'refunded', paidAt: at(1, 13) });
    await donation(t.db, { amount: 900, status: 'pending', paidAt: null });
    await donation(t.db, { amount: 300, currency: 'GBP', status: 'paid', paidAt: at(3, 12) });
    [owner, buyer] = await Promise.all([loginAs(t.app, 'owner'), loginAs(t.app, 'new')]);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const get = (url: string, user: LoggedIn | null = owner) =>
    t.app.inject({ method: 'GET', url, headers: user ? { cookie: user.cookie } : {} });
  const page = async (url: string) => {
    const res = await get(url);
    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    return res.body;
  };
  const section = (body: string, currency: string) =>
    new RegExp(`<section class="currency-sales" data-currency="${currency}"[\\s\\S]*?</section>`).exec(body)![0];
  const totals = (body: string, currency: string): Record<string, string> =>
    Object.fromEntries(
      [...section(body, currency).matchAll(/<dd data-total="(\w+)">([^<]+)<\/dd>/g)].map((m) => [m[1]!, m[2]!.replaceAll('\u00a0', ' ')]),
    );

  it('shows sales per currency net of refunds, donations apart, for the last 7 days', async () => {
    const body = await page('/admin?days=7');
    expect(body).toContain('Sales in the last 7 days');
    expect(body).toContain('<a href="/admin?days=7" aria-current="page">7 days</a>');
    // The shop's currency (DONATION_CURRENCY) first, then the others by code; GBP has only a donation.
    expect([...body.matchAll(/class="currency-sales" data-currency="(\w+)"/g)].map((m) => m[1])).toEqual(['EUR', 'GBP', 'USD']);
    expect(totals(body, 'EUR')).toEqual({ gross: '€70.00', refunded: '€20.00', net: '€50.00', orders: '3', donations: '€25.00' });
    expect(totals(body, 'USD')).toEqual({ gross: '$7.00', refunded: '$0.00', net: '$7.00', orders: '1', donations: '$0.00' });
    expect(totals(body, 'GBP')).toMatchObject({ net: '£0.00', donations: '£3.00' });
    const eur = section(body, 'EUR');
    expect(rowText(eur, 'data-date', date(0))).toBe(`${label(0)} 1 €30.00 €0.00 €30.00 €0.00`);
    // The refunded order brings its day down to nothing; the donation that day stays apart.
    expect(rowText(eur, 'data-date', date(1))).toBe(`${label(1)} 1 €10.00 €10.00 €0.00 €25.00`);
    expect(rowText(eur, 'data-date', date(2))).toBe(`${label(2)} 1 €30.00 €10.00 €20.00 €0.00`);
    expect(rowText(eur, 'data-date', date(6))).toBe(`${label(6)} 0 €0.00 €0.00 €0.00 €0.00`);
    expect(tableRows(eur, 'sales-days')).toHaveLength(7);
  });

  it('draws each day’s net as a bar (a refunded day flat) and labels the chart with the totals', async () => {
    const eur = section(await page('/admin?days=7'), 'EUR');
    expect(eur).toContain(
      `role="img" aria-label="Net sales per day in EUR, ${date(6)} to ${date(0)} (UTC): €50.00 net of €20.00 refunded, and €25.00 in donations."`,
    );
    const bar = (date: string) => new RegExp(`<rect class="(bar[^"]*)" data-date="${date}"[^>]*height="([\\d.]+)"`).exec(eur)!;
    expect(bar(date(1))[1]).toBe('bar zero');
    expect(Number(bar(date(0))[2])).toBeCloseTo(1.5 * Number(bar(date(2))[2]), 0);
    expect(eur.match(new RegExp(`<g class="donation" data-date="${date(1)}">`, 'g'))).toHaveLength(1);
    expect(eur.match(/<rect class="bar/g)).toHaveLength(7);
    expect(eur).toContain('dots: donations');
    expect(section(await page('/admin?days=7'), 'USD')).not.toContain('dots: donations');
  });

  it('switches between 7, 30 and 90 days', async () => {
    const thirty = await page('/admin?days=30');
    expect(totals(thirty, 'EUR')).toMatchObject({ gross: '€70.00', net: '€50.00', orders: '3' });
    expect(tableRows(section(thirty, 'EUR'), 'sales-days')).toHaveLength(30);
    expect(await page('/admin')).toContain('<a href="/admin?days=30" aria-current="page">30 days</a>');
    const ninety = await page('/admin?days=90');
    expect(totals(ninety, 'EUR')).toMatchObject({ gross: '€90.00', refunded: '€20.00', net: '€70.00', orders: '4' });
    expect(rowText(section(ninety, 'EUR'), 'data-date', date(40))).toBe(`${label(40)} 1 €20.00 €0.00 €20.00 €0.00`);
  });

  it('refuses any other period with a 400 page that says what works', async () => {
    for (const days of ['8', 'abc', '', '-7', '7.0']) {
      const res = await get(`/admin?days=${days}`);
      expect(res.statusCode, days).toBe(400);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('The period must be 7, 30 or 90 days.');
    }
  });

  it('lists the top products by net sales with units sold and refunded', async () => {
    const rows = tableRows(await page('/admin?days=7'), 'top-products');
    // The shop's currency first (whatever the numbers elsewhere), then by net amount.
    expect(rows[0]).toBe('Alpha Pack REP-A 6 2 €44.00');
    expect(rows[1]).toMatch(/REP-B 1 0 €6\.00$/);
    expect(rows[2]).toBe('Beta Set REP-B 1 0 $7.00');
    expect(rows).toHaveLength(3);
  });

  it('exports orders paid in a range as CSV with exact lines, amounts as decimals and formulas defused', async () => {
    const res = await get(`/admin/exports/orders.csv?from=${date(2)}&to=${date(0)}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="orders-${date(2)}-to-${date(0)}.csv"`);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.body.startsWith('\uFEFF')).toBe(true);
    expect(res.body.slice(1).split('\r\n')).toEqual([
      'Date paid (UTC),Order number,Order id,Buyer email,Status,"Net excl. tax (amounts in the currency’s units, e.g. 19.00)",Tax,Gross,Currency,Refunded (gross)',
      `${iso(at(2, 8))},#${o.three!.number},${o.three!.id},'+carol@example.com,partially_refunded,30.00,0.00,30.00,EUR,10.00`,
      `${iso(at(1, 9))},#${o.two!.number},${o.two!.id},bob@example.com,refunded,10.00,0.00,10.00,EUR,10.00`,
      `${iso(at(0, 10))},#${o.one!.number},${o.one!.id},ada@example.com,fulfilled,25.00,5.00,30.00,EUR,0.00`,
      `${iso(at(0, 11))},#${o.four!.number},${o.four!.id},dan@example.com,fulfilled,7.00,0.00,7.00,USD,0.00`,
      '',
    ]);
    const oneDay = await get(`/admin/exports/orders.csv?from=${date(1)}&to=${date(1)}`);
    expect(oneDay.body.split('\r\n').slice(1, -1)).toEqual([expect.stringContaining(o.two!.id)]);
  });

  it('exports sales lines: each line’s share of tax and total (adding up to the order), refunds per line', async () => {
    const res = await get(`/admin/exports/sales.csv?from=${date(2)}&to=${date(0)}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="sales-lines-${date(2)}-to-${date(0)}.csv"`);
    expect(res.body.slice(1).split('\r\n')).toEqual([
      'Date paid (UTC),Order number,Buyer email,SKU,Product,Quantity,"Unit price (amounts in the currency’s units, e.g. 19.00)",Net excl. tax,Tax,Gross,Currency,Refunded units,Refunded (gross)',
      `${iso(at(2, 8))},#${o.three!.number},'+carol@example.com,REP-A,Alpha Pack,3,10.00,30.00,0.00,30.00,EUR,1,10.00`,
      `${iso(at(1, 9))},#${o.two!.number},bob@example.com,REP-A,Alpha Pack,1,10.00,10.00,0.00,10.00,EUR,1,10.00`,
      `${iso(at(0, 10))},#${o.one!.number},ada@example.com,REP-A,Alpha Pack,2,10.00,20.00,4.00,24.00,EUR,0,0.00`,
      `${iso(at(0, 10))},#${o.one!.number},ada@example.com,REP-B,"'=HYPERLINK(""http://evil.example"",""Free"")",1,5.00,5.00,1.00,6.00,EUR,0,0.00`,
      `${iso(at(0, 11))},#${o.four!.number},dan@example.com,REP-B,Beta Set,1,7.00,7.00,0.00,7.00,USD,0,0.00`,
      '',
    ]);
  });

  it('answers a bad or reversed range with a 400 page saying what is wrong', async () => {
    const cases: [string, string][] = [
      ['from=2026-12-05&to=2026-12-01', 'The last day must not be before the first day.'],
      ['from=2026-02-30&to=2026-03-01', 'Enter the first day as a date, e.g. 2026-01-31.'],
      ['to=2026-03-01', 'Enter the first day as a date, e.g. 2026-01-31.'],
      ['from=2026-03-01&to=tomorrow', 'Enter the last day as a date, e.g. 2026-01-31.'],
    ];
    for (const kind of ['orders', 'sales'])
      for (const [query, message] of cases) {
        const res = await get(`/admin/exports/${kind}.csv?${query}`);
        expect(res.statusCode, query).toBe(400);
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.body).toContain(message);
      }
  });

  it('offers a form that sends a good choice on to its file and shows a bad one beside its field', async () => {
    const form = await page('/admin/exports');
    expect(form).toContain('<a href="/admin/exports" aria-current="page">Exports</a>');
    expect(form).toContain(`id="export-from" name="from" type="date" value="${date(0).slice(0, 8)}01"`);
    expect(form).toContain(`id="export-to" name="to" type="date" value="${date(0)}"`);
    const sent = await get('/admin/exports?from=2026-12-01&to=2026-12-05&kind=sales');
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/admin/exports/sales.csv?from=2026-12-01&to=2026-12-05');
    const bad = await get('/admin/exports?from=2026-12-05&to=2026-12-01&kind=invoices');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Nothing was exported.');
    expect(bad.body).toMatch(/aria-invalid="true" aria-describedby="export-to-error"/);
    expect(bad.body).toContain('<p class="field-error" id="export-to-error">The last day must not be before the first day.</p>');
    expect(bad.body).toContain('<p class="field-error" id="export-kind-error">Choose orders or sales lines.</p>');
    expect(bad.body).toContain('value="2026-12-05"'); // what the owner typed stays
  });

  it('deducts a partial refund of a taxed order alike on the dashboard (SQL) and in both files', async () => {
    // A currency of its own; 19 % on top, so a unit's share of the total has a fraction to round.
    const x = await makeProduct(catalogFixtures(t.db).catalog, { sku: 'REP-X', currency: 'CHF', price: 335 });
    const sale = await paidSale(t.db, {
      email: 'chf@example.com',
      currency: 'CHF',
      paidAt: at(0, 7),
      tax: 380,
      lines: [
        { product: x, name: 'X', unitPrice: 335, quantity: 3, refunded: 1 },
        { product: x, name: 'X', unitPrice: 995, quantity: 1 },
      ],
    });
    // round(335 × 2380 / 2000) = round(398.65) = 399
    expect(totals(await page('/admin?days=7'), 'CHF')).toMatchObject({ gross: 'CHF 23.80', refunded: 'CHF 3.99', net: 'CHF 19.81' });
    const orders = (await get(`/admin/exports/orders.csv?from=${date(0)}&to=${date(0)}`)).body;
    expect(orders).toContain(`,#${sale.number},${sale.id},chf@example.com,partially_refunded,20.00,3.80,23.80,CHF,3.99\r\n`);
    const lines = (await get(`/admin/exports/sales.csv?from=${date(0)}&to=${date(0)}`)).body;
    expect(lines).toContain(`,#${sale.number},chf@example.com,REP-X,X,3,3.35,10.05,1.91,11.96,CHF,1,3.99\r\n`);
    expect(lines).toContain(`,#${sale.number},chf@example.com,REP-X,X,1,9.95,9.95,1.89,11.84,CHF,0,0.00\r\n`);
  });

  it('is the same 404 as an unknown URL for anyone but the owner', async () => {
    const unknown = await get('/admin/nothing-here', null);
    expect(unknown.statusCode).toBe(404);
    for (const user of [null, buyer])
      for (const url of [
        '/admin?days=7',
        '/admin?days=bogus',
        '/admin/exports',
        '/admin/exports?from=x',
        '/admin/exports/orders.csv?from=2026-12-01&to=2026-12-05',
        '/admin/exports/sales.csv?from=2026-12-01&to=2026-12-05',
        '/admin/exports/sales.csv',
      ]) {
        const res = await get(url, user);
        expect(res.statusCode, url).toBe(404);
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.body).not.toContain('ada@example.com');
        expect(res.body.replace(/returnTo=[^"&]*/g, '')).toBe(
          (user ? (await get('/admin/nothing-here', user)).body : unknown.body).replace(/returnTo=[^"&]*/g, ''),
        );
      }
  });
});
