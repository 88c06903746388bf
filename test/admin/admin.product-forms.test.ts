import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { CROSS_SITE, loginAs, startTestIdp, type LoggedIn, type TestIdp, SAME_ORIGIN_POST } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeCategory, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { placeOrder, rowText } from './admin-fixtures.js';

let serial = 0;
const freshSku = () => `FORM-${Date.now().toString(36).toUpperCase()}-${++serial}`;

/** The product form, the owner's product actions and the audit log they write, through HTTP as a browser posts them. */
describe.each(testDialects)('admin product forms on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let fx: CatalogFixtures;
  let owner: LoggedIn;
  let buyer: LoggedIn;
  let category: { slug: string };

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    fx = catalogFixtures(t.db);
    category = await makeCategory(fx.catalog, { name: 'Form tools' });
    [owner, buyer] = await Promise.all([loginAs(t.app, 'owner'), loginAs(t.app, 'new')]);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const form = (overrides: Record<string, string | string[]> = {}) => {
    const fields: Record<string, string | string[]> = {
      sku: freshSku(),
      name: 'Form-made tool',
      summary: 'Made in the browser.',
      description: 'A **bold** tool.',
      price: '12.50',
      currency: 'EUR',
      type: 'file',
      status: 'active',
      featured: '1',
      categories: [category.slug],
      spec_label: ['Platform', ''],
      spec_value: ['Linux', ''],
      download_limit: '5',
      access_days: '30',
      activation_limit: '',
      ...overrides,
    };
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return body.toString();
  };
  const post = (url: string, payload = '', user: LoggedIn | null = owner, headers: Record<string, string> = SAME_ORIGIN_POST) =>
    t.app.inject({
      method: 'POST',
      url,
      payload,
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', ...(user ? { cookie: user.cookie } : {}) },
    });
  const get = (url: string, user: LoggedIn | null = owner) =>
    t.app.inject({ method: 'GET', url, headers: user ? { cookie: user.cookie } : {} });
  const auditRows = () => t.db.kysely.selectFrom('owner_audit').selectAll().orderBy('id', 'desc').execute();
  const product = (sku: string) => fx.catalog.getProductForOwner(sku);
  const fieldError = (body: string, field: string) =>
    new RegExp(`id="product-${field}-error">([^<]*)<`).exec(body)?.[1]?.replace(/&#x27;|&quot;/g, "'");

  it('creates a product from the form: stored as typed, shown in the shop, one audit row with the new state', async () => {
    const sku = freshSku();
    const res = await post('/admin/products', form({ sku: sku.toLowerCase() }));
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    expect(res.headers.location).toBe(`/admin/products/${sku}/edit?saved=1`);
    expect(await product(sku)).toMatchObject({
      sku,
      name: 'Form-made tool',
      price: 1250,
      currency: 'EUR',
      type: 'file',
      status: 'active',
      featured: true,
      categories: [category.slug],
      specs: [['Platform', 'Linux']],
      downloadLimit: 5,
      accessDays: 30,
      activationLimit: null,
    });
    const page = await get(`/${sku.toLowerCase()}`, null);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<strong>bold</strong>');
    const edit = await get(res.headers.location!);
    expect(edit.body).toContain('Saved.');
    expect(edit.body).toContain('value="12.50"');
    const [row] = await auditRows();
    expect(row).toMatchObject({ action: 'product.create', subject: sku, before: null, actor_email: owner.user.email });
    expect(JSON.parse(row!.after!)).toMatchObject({ sku, price: 1250, status: 'active' });
  });

  it.each([
    ['name', { name: '' }, 'Name must be 1 to 200 characters.'],
    ['sku', { sku: 'a b' }, 'SKU must be 2 to 64 letters'],
    ['sku', { sku: 'contact' }, 'SKU CONTACT is reserved for a page of the store; choose another.'],
    ['price', { price: '12.345' }, 'Price must be an amount such as 19.99 (0 for free).'],
    ['price', { price: 'free' }, 'Price must be an amount such as 19.99 (0 for free).'],
    ['currency', { currency: 'XYZ' }, 'Currency must be an ISO 4217 code such as EUR or USD.'],
    ['type', { type: '' }, 'Choose a type.'],
    ['status', { status: 'deleted' }, 'Status must be one of draft, active, archived.'],
    ['summary', { summary: 'x'.repeat(501) }, 'Summary must be at most 500 characters.'],
    ['specs', { spec_label: ['', 'Size'], spec_value: ['Linux', ''] }, 'Specification label must be 1 to 100 characters.'],
    ['downloadLimit', { download_limit: 'many' }, 'Must be a whole number, or empty for no limit.'],
    ['downloadLimit', { type: 'key', access_days: '', download_limit: '5' }, 'Download limit and access days apply to file products only.'],
    ['accessDays', { access_days: '9999' }, 'Access days must be a whole number from 1 to 3650.'],
    ['activationLimit', { activation_limit: '3' }, 'Activation limit applies to key products only.'],
    ['categories', { categories: 'no-such-category' }, 'Unknown categories: no-such-category.'],
  ])('refuses a bad %s beside the field, keeps the typed values and saves nothing (%j)', async (field, overrides, message) => {
    const before = (await auditRows()).length;
    const sku = freshSku();
    const res = await post('/admin/products', form({ sku, name: 'Kept name', ...overrides }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Nothing was saved.');
    expect(fieldError(res.body, field)).toContain(message);
    if (!('name' in overrides)) expect(res.body).toContain('value="Kept name"');
    expect(await product(sku)).toBeNull();
    expect(await auditRows()).toHaveLength(before);
  });

  it('shows every refused field at once', async () => {
    const res = await post('/admin/products', form({ name: '', price: 'x', currency: 'Q' }));
    expect(res.statusCode).toBe(400);
    expect([fieldError(res.body, 'name'), fieldError(res.body, 'price'), fieldError(res.body, 'currency')].every(Boolean)).toBe(true);
  });

  it('refuses a SKU that exists in another case', async () => {
    const existing = await makeProduct(fx.catalog);
    const res = await post('/admin/products', form({ sku: existing.sku.toLowerCase(), name: 'Second' }));
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'sku')).toBe(`A product with SKU ${existing.sku} already exists (SKUs ignore case).`);
    expect((await product(existing.sku))?.name).not.toBe('Second');
  });

  it('previews the description sanitised, saving nothing', async () => {
    const sku = freshSku();
    const res = await post(
      '/admin/products',
      form({ sku, description: '# Hi\n\n<script>alert(1)</script><img src=x onerror=alert(1)>', preview: '1' }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<section class="description-preview"[\s\S]*<h1[^>]*>Hi<\/h1>/);
    const preview = /<section class="description-preview"[\s\S]*?<\/section>/.exec(res.body)?.[0] ?? '';
    expect(preview).toContain('<img src="x"');
    expect(preview).not.toMatch(/<script|onerror/);
    expect(await product(sku)).toBeNull();
  });

  it('edits a product; the audit row keeps only what changed, and an existing order keeps its price', async () => {
    const p = await makeProduct(fx.catalog, { price: 1900 });
    const orderId = await placeOrder(t.db, { product: p, email: 'earlier@example.com', total: 1900, events: ['payment_settled'] });
    const itemPrice = async () =>
      (await t.db.kysely.selectFrom('order_items').select('unit_price').where('order_id', '=', orderId).executeTakeFirstOrThrow())
        .unit_price;
    const priceBefore = await itemPrice();
    // The shop's page is cached now; the edit must show on it at once, as a CLI change does.
    expect((await get(`/${p.sku.toLowerCase()}`, null)).body).toContain('€19.00');
    const edit = await get(`/admin/products/${p.sku}/edit`);
    expect(edit.statusCode).toBe(200);
    const res = await post(
      `/admin/products/${p.sku}`,
      form({
        sku: 'IGNORED',
        name: 'Renamed',
        price: '25.00',
        type: 'key',
        status: 'active',
        featured: [],
        categories: [],
        download_limit: '',
        access_days: '',
        spec_label: [],
        spec_value: [],
        summary: 'A product made by a test.',
        description: 'Made by a **test**.',
      }),
    );
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect(await product(p.sku)).toMatchObject({ sku: p.sku, name: 'Renamed', price: 2500 });
    expect(await product('IGNORED')).toBeNull();
    const shopPage = (await get(`/${p.sku.toLowerCase()}`, null)).body;
    expect(shopPage).toContain('Renamed');
    expect(shopPage).toContain('€25.00');
    expect(await itemPrice()).toBe(priceBefore);
    const [row] = await auditRows();
    expect(row).toMatchObject({ action: 'product.update', subject: p.sku });
    expect(JSON.parse(row!.before!)).toEqual({ name: `Test product ${p.sku.slice(5)}`, price: 1900 });
    expect(JSON.parse(row!.after!)).toEqual({ name: 'Renamed', price: 2500 });
    expect(rowText((await get('/admin/audit')).body, 'data-audit-id', String(row!.id))).toContain('product.update');
  });

  it('a price changed in the admin while a buyer reviews the cart is caught at checkout: nothing is charged at either price', async () => {
    const p = await makeProduct(fx.catalog, { price: 1900 });
    const shopper = await loginAs(t.app, 'new');
    expect((await shopper.browser.request('/cart', { form: { action: 'add', sku: p.sku, quantity: '1' } })).status).toBe(303);
    const review = await shopper.browser.request('/checkout');
    expect(review.body).toContain('€19.00');
    const hidden = Object.fromEntries(
      [...review.body.matchAll(/<input type="hidden" name="(idempotencyKey|reviewedTotal|reviewedCurrency)" value="([^"]*)"/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );
    const edited = await post(
      `/admin/products/${p.sku}`,
      form({ name: 'Dearer', price: '29.00', type: 'key', download_limit: '', access_days: '' }),
    );
    expect(edited.statusCode).toBe(303);
    const placed = await shopper.browser.request('/checkout', { form: hidden });
    expect(placed.body).toContain('The total changed to €29.00 since you reviewed your order (it was €19.00)');
    const orders = await t.db.kysely.selectFrom('orders').select('id').where('user_sub', '=', shopper.user.sub).execute();
    expect(orders).toEqual([]);
  });

  it('a refused edit changes nothing', async () => {
    const p = await makeProduct(fx.catalog, { price: 1900 });
    const before = (await auditRows()).length;
    const res = await post(
      `/admin/products/${p.sku}`,
      form({ name: 'Nope', price: '-1', type: 'key', download_limit: '', access_days: '' }),
    );
    expect(res.statusCode).toBe(400);
    expect(fieldError(res.body, 'price')).toBeTruthy();
    expect(await product(p.sku)).toMatchObject({ price: 1900, name: `Test product ${p.sku.slice(5)}` });
    expect(await auditRows()).toHaveLength(before);
  });

  it('duplicates a product as a draft under a free SKU, and archives and unarchives it', async () => {
    const p = await makeProduct(fx.catalog, { categories: [category.slug], specs: [['Size', '1 MB']] });
    const first = await post(`/admin/products/${p.sku}/duplicate`);
    expect(first.headers.location).toBe(`/admin/products/${p.sku}-COPY/edit?saved=1`);
    const second = await post(`/admin/products/${p.sku}/duplicate`);
    expect(second.headers.location).toBe(`/admin/products/${p.sku}-COPY-2/edit?saved=1`);
    expect(await product(`${p.sku}-COPY`)).toMatchObject({
      status: 'draft',
      categories: [category.slug],
      specs: [['Size', '1 MB']],
      price: 1900,
    });
    const dup = (await auditRows())[0]!;
    expect(dup).toMatchObject({ action: 'product.duplicate', subject: `${p.sku}-COPY-2`, before: JSON.stringify({ from: p.sku }) });

    expect((await post(`/admin/products/${p.sku}/archive`)).statusCode).toBe(303);
    expect((await product(p.sku))?.status).toBe('archived');
    expect((await get(`/${p.sku.toLowerCase()}`, null)).statusCode).toBe(404);
    expect((await get(`/admin/products/${p.sku}/edit`)).body).toContain('Unarchive (back to draft)');
    expect((await post(`/admin/products/${p.sku}/unarchive`)).statusCode).toBe(303);
    expect((await product(p.sku))?.status).toBe('draft');
    const [unarchive, archive] = await auditRows();
    expect([archive, unarchive].map((r) => [r!.action, r!.before, r!.after])).toEqual([
      ['product.archive', '{"status":"active"}', '{"status":"archived"}'],
      ['product.unarchive', '{"status":"archived"}', '{"status":"draft"}'],
    ]);
  });

  it('refuses a cross-site form post, even with the owner’s cookie', async () => {
    const sku = freshSku();
    const res = await post('/admin/products', form({ sku }), owner, CROSS_SITE);
    expect(res.statusCode).toBe(403);
    expect(await product(sku)).toBeNull();
  });

  it('lists the audit log newest first; a page past the end is a 404', async () => {
    const body = (await get('/admin/audit')).body;
    const ids = [...body.matchAll(/data-audit-id="(\d+)"/g)].map((m) => Number(m[1]));
    expect(ids.length).toBeGreaterThan(3);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect((await get('/admin/audit?page=99')).statusCode).toBe(404);
  });

  it('filters the product list by SKU prefix or name part, type, status and category, keeping the filters across pages', async () => {
    const tag = `Zq${Date.now().toString(36)}`;
    const other = await makeCategory(fx.catalog, { name: 'Filter shelf' });
    const a = await makeProduct(fx.catalog, { name: `Alpha ${tag} 100%`, type: 'file', categories: [other.slug] });
    const b = await makeProduct(fx.catalog, { name: `Beta ${tag}`, type: 'key', status: 'draft' });
    const listed = async (query: string) => {
      const res = await get(`/admin/products?${query}`);
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      return [...res.body.matchAll(/<tr data-sku="([^"]+)"/g)].map((m) => m[1]);
    };
    expect(await listed(`q=${tag.toLowerCase()}`)).toEqual([b.sku, a.sku]);
    expect(await listed(`q=${encodeURIComponent(`${tag} 100%`)}`)).toEqual([a.sku]);
    expect(await listed(`q=${a.sku.toLowerCase()}`)).toEqual([a.sku]);
    expect(await listed('q=zz_no_such%25')).toEqual([]);
    expect(await listed(`q=${tag}&type=key`)).toEqual([b.sku]);
    expect(await listed(`q=${tag}&status=active`)).toEqual([a.sku]);
    expect(await listed(`category=${other.slug}`)).toEqual([a.sku]);
    expect(await listed(`q=${tag}&category=${category.slug}`)).toEqual([]);
    expect((await get('/admin/products?type=bogus')).statusCode).toBe(400);
    expect((await get('/admin/products?category=no-such-shelf')).statusCode).toBe(400);
    for (let i = 0; i < 25; i++) await makeProduct(fx.catalog, { name: `Many ${tag} ${i}`, type: 'key' });
    const first = (await get(`/admin/products?q=${tag}&type=key`)).body;
    expect(first).toContain(`href="/admin/products?q=${tag}&amp;type=key&amp;page=2"`);
    expect(await listed(`q=${tag}&type=key&page=2`)).toHaveLength(1);
  });

  it('gives anyone but the owner the 404 of an unknown page on every new URL, and changes nothing', async () => {
    const p = await makeProduct(fx.catalog);
    const unknown = await get('/no-such-page-at-all', null);
    const before = (await auditRows()).length;
    for (const user of [null, buyer]) {
      for (const url of ['/admin/products/new', `/admin/products/${p.sku}/edit`, '/admin/audit', '/admin/audit?page=x'])
        expect((await get(url, user)).statusCode, url).toBe(unknown.statusCode);
      for (const url of [
        '/admin/products',
        `/admin/products/${p.sku}`,
        `/admin/products/${p.sku}/duplicate`,
        `/admin/products/${p.sku}/archive`,
        `/admin/products/${p.sku}/unarchive`,
      ])
        expect((await post(url, form({ name: 'Hijacked' }), user)).statusCode, url).toBe(404);
    }
    expect(await product(`${p.sku}-COPY`)).toBeNull();
    expect((await product(p.sku))?.status).toBe('active');
    expect(await auditRows()).toHaveLength(before);
  });
});
