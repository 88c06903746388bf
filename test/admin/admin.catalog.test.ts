import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactService } from '../../src/contact/contact.service.js';
import { createMailService } from '../../src/platform/mail/mail.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { placeOrder, rowText } from './admin-fixtures.js';

describe.each(testDialects)('admin product and message pages on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let fx: CatalogFixtures;
  let owner: LoggedIn;

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    fx = catalogFixtures(t.db);
    owner = await loginAs(t.app, 'owner');
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const asOwner = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: { cookie: owner.cookie } });
    expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBe(200);
    return res.body;
  };
  const cell = (body: string, sku: string, column: string) => {
    const row = new RegExp(`<tr data-sku="${sku}"[^>]*>([\\s\\S]*?)</tr>`).exec(body)?.[1] ?? '';
    return new RegExp(`<td class="num ${column}">(\\d+)`).exec(row)?.[1];
  };

  it('lists products with type, price, status and each pool’s keys by state; low pools are marked', async () => {
    const pool = await makeKeyLimProduct(fx, 6, { price: 2500 });
    const plenty = await makeKeyLimProduct(fx, 9);
    const soldOut = await makeKeyLimProduct(fx, 0);
    const signed = await makeProduct(fx.catalog, { price: 990, currency: 'USD' });
    const draft = await makeProduct(fx.catalog, { status: 'draft' });
    // Keys in every state, moved by the pool's own service: 3 taken by one order (2 sold, 1 refunded), 1 held by another.
    const paid = await placeOrder(t.db, { product: pool, email: 'pool@example.com' });
    const open = await placeOrder(t.db, { product: pool, email: 'pool@example.com' });
    await t.db.transaction(async (tx) => {
      await fx.keyPool.reserveKeys(tx, { productId: pool.id, orderId: paid, quantity: 3, until: Date.now() + 60_000 });
      const sold = await fx.keyPool.sellReserved(paid, tx);
      await fx.keyPool.revokeKeys([sold[0]!.licenseKeyId], tx);
      await fx.keyPool.reserveKeys(tx, { productId: pool.id, orderId: open, quantity: 1, until: Date.now() + 60_000 });
    });

    const body = await asOwner('/admin/products');
    expect(rowText(body, 'data-sku', pool.sku)).toBe(
      `Test product ${pool.sku.slice(5)} ${pool.sku} Key pool Keys from a pool €25.00 Active 2 low 1 2 1`,
    );
    expect([
      cell(body, pool.sku, 'available'),
      cell(body, pool.sku, 'reserved'),
      cell(body, pool.sku, 'sold'),
      cell(body, pool.sku, 'revoked'),
    ]).toEqual(['2', '1', '2', '1']);
    expect(body).toContain(`<tr data-sku="${pool.sku}" class="low-stock">`);
    expect(body).toContain(`<tr data-sku="${soldOut.sku}" class="low-stock">`);
    expect(rowText(body, 'data-sku', soldOut.sku)).toMatch(/ 0 sold out 0 0 0$/);
    expect(body).toContain(`<tr data-sku="${plenty.sku}">`);
    expect(cell(body, plenty.sku, 'available')).toBe('9');
    expect(rowText(body, 'data-sku', signed.sku)).toBe(
      `Test product ${signed.sku.slice(5)} ${signed.sku} Signed keys $9.90 Active Unlimited`,
    );
    expect(body).toContain(`<a href="/${signed.sku.toLowerCase()}">`);
    expect(rowText(body, 'data-sku', draft.sku)).toContain('Draft Unlimited');
    expect(body).not.toContain(`<a href="/${draft.sku.toLowerCase()}">`);
    expect(body.indexOf(`data-sku="${draft.sku}"`)).toBeLessThan(body.indexOf(`data-sku="${pool.sku}"`)); // newest first
  });

  it('filters products by status and pages through them', async () => {
    const archived: string[] = [];
    for (let i = 0; i < 27; i++)
      archived.push((await makeProduct(fx.catalog, { status: 'archived', createdAt: 1_700_000_000_000 + i * 1000 })).sku);
    const skus = (body: string) => [...body.matchAll(/<tr data-sku="([^"]+)"/g)].map((m) => m[1]);
    const page1 = await asOwner('/admin/products?status=archived');
    expect(page1).toContain('27 products.');
    expect(skus(page1)).toEqual([...archived].reverse().slice(0, 25));
    expect(page1).toContain('<option value="archived" selected>Archived</option>');
    expect(page1).toContain('href="/admin/products?status=archived&amp;page=2"');
    expect(skus(await asOwner('/admin/products?status=archived&page=2'))).toEqual([archived[1], archived[0]]);
    const active = await asOwner('/admin/products?status=active');
    expect(active).not.toContain('Archived</span>');
    expect(skus(active).some((s) => archived.includes(s!))).toBe(false);
  });

  it('shows contact messages newest first, escaped, line breaks kept, with a reply link, in pages', async () => {
    let now = 1_750_000_000_000;
    const mail = createMailService({ db: t.db, smtpUrl: 'smtp://127.0.0.1:9', from: 'shop@example.com' });
    const contact = createContactService({
      db: t.db,
      mail,
      shopEmail: 'owner@example.com',
      shopName: 'Test shop',
      clock: () => (now += 60_000),
    });
    for (let i = 1; i <= 21; i++) {
      await contact.sendMessage(
        { name: `Sender ${i}`, email: `sender${i}@example.com`, subject: `Question ${i}`, message: `Message number ${i}, long enough.` },
        { ip: '10.0.0.1', userSub: null },
      );
    }
    await contact.sendMessage(
      {
        name: 'Eve <b>Bold</b>',
        email: 'eve+shop@example.com',
        subject: 'Keys & <script>alert(1)</script>',
        message: 'First line\nSecond line\n\n<img src=x onerror=alert(1)>',
      },
      { ip: '10.0.0.2', userSub: 'user-eve' },
    );

    const body = await asOwner('/admin/messages');
    expect(body).toContain('22 messages, newest first.');
    const subjects = [...body.matchAll(/<h2 id="message-\d+">([^<]*)<\/h2>/g)].map((m) => m[1]);
    expect(subjects).toHaveLength(20);
    expect(subjects[0]).toBe('Keys &amp; &lt;script>alert(1)&lt;/script>');
    expect(subjects[1]).toBe('Question 21');
    expect(body).not.toContain('<script>alert(1)');
    expect(body).not.toContain('<img src=x');
    expect(body).toContain('Eve &lt;b>Bold&lt;/b>');
    expect(body).toContain('<p class="message-body">First line\nSecond line\n\n&lt;img src=x onerror=alert(1)></p>');
    expect(body).toContain(
      '<a href="mailto:eve%2Bshop@example.com?subject=Re%3A%20Keys%20%26%20%3Cscript%3Ealert(1)%3C%2Fscript%3E">eve+shop@example.com</a>',
    );
    expect(body).toContain('account user-eve');
    expect(body).toContain('<time datetime="2025-06-15T15:28:40.000Z">2025-06-15 15:28 UTC</time>');
    expect(body).toContain('href="/admin/messages?page=2"');

    const page2 = await asOwner('/admin/messages?page=2');
    expect([...page2.matchAll(/<h2 id="message-\d+">([^<]*)<\/h2>/g)].map((m) => m[1])).toEqual(['Question 2', 'Question 1']);
    // The stylesheet keeps the message's own line breaks.
    expect(readFileSync(new URL('../../public/site.css', import.meta.url), 'utf8')).toMatch(
      /\.admin-message \.message-body \{[^}]*white-space: pre-wrap;/,
    );
  });
});
