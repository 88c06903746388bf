import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyPoolService, type KeyPoolService } from '../../src/fulfilment/key-pool.service.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import { createMailService } from '../../src/platform/mail/mail.service.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp, SAME_ORIGIN_POST } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { testConfig } from '../support/env.js';
import { catalogFixtures, makeFileProduct, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { rowText } from './admin-fixtures.js';
import { multipartBody, poolCounts, problemLines } from './stock-fixtures.js';

const keysUrl = (sku: string) => `/admin/products/${sku}/keys`;

/** The owner's key pool page, the low-stock threshold and its one mail per crossing, and the low-stock list filter. */
describe.each(testDialects)('admin key pools on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let fx: CatalogFixtures;
  let owner: LoggedIn;
  let buyer: LoggedIn;
  /** The pool as checkout uses it in the store: with the owner's low-stock mail. */
  let selling: KeyPoolService;

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    fx = catalogFixtures(t.db);
    const config = testConfig();
    const mail = createMailService({ db: t.db, smtpUrl: config.smtpUrl, from: config.mailFrom });
    selling = createKeyPoolService({
      db: t.db,
      secrets: createSecretBox(config.encryptionKey),
      alerts: { mail, to: config.shopEmail, settings: config },
    });
    [owner, buyer] = await Promise.all([loginAs(t.app, 'owner'), loginAs(t.app, 'new')]);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const get = (url: string, user: LoggedIn | null = owner) =>
    t.app.inject({ method: 'GET', url, headers: user ? { cookie: user.cookie } : {} });
  const postForm = (url: string, fields: Record<string, string>, user: LoggedIn | null = owner) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams(fields).toString(),
      headers: { ...SAME_ORIGIN_POST, 'content-type': 'application/x-www-form-urlencoded', ...(user ? { cookie: user.cookie } : {}) },
    });
  const postMultipart = (url: string, parts: Parameters<typeof multipartBody>[0], user: LoggedIn | null = owner) => {
    const { payload, contentType } = multipartBody(parts);
    return t.app.inject({
      method: 'POST',
      url,
      payload,
      headers: { ...SAME_ORIGIN_POST, 'content-type': contentType, ...(user ? { cookie: user.cookie } : {}) },
    });
  };
  const available = async (id: number) => (await fx.keyPool.countAvailable([id])).get(id);
  const audit = (sku: string) => t.db.kysely.selectFrom('owner_audit').selectAll().where('subject', '=', sku).orderBy('id').execute();
  const lowMails = (sku: string) =>
    t.db.kysely.selectFrom('mail_outbox').selectAll().where('subject', 'like', `%Low stock: ${sku} %`).execute();
  const sell = (productId: number, quantity = 1) =>
    t.db.transaction((tx) =>
      selling.reserveKeys(tx, { productId, orderId: `ord_${Math.random().toString(16).slice(2)}`, quantity, until: Date.now() + 60_000 }),
    );
  const tag = (label: string) => `${label}-${dialect}-${Math.random().toString(36).slice(2, 10)}`.toUpperCase();

  it('shows the pool’s counts (never a key) and imports pasted keys: counts change, one audit row with the count', async () => {
    const product = await makeKeyLimProduct(fx, [tag('SEEN-1'), tag('SEEN-2')]);
    const page = await get(keysUrl(product.sku));
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('private, no-store');
    expect(poolCounts(page.body)).toEqual({ available: 2, reserved: 0, sold: 0, revoked: 0 });
    expect(page.body).not.toContain('SEEN-');

    const keys = [tag('PASTE-A'), tag('PASTE-B'), tag('PASTE-C')];
    const res = await postForm(keysUrl(product.sku), { keys: `# batch\n${keys.join('\r\n')}\n\n` });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect(res.headers.location).toBe(`${keysUrl(product.sku)}?imported=3`);
    const after = await get(res.headers.location!);
    expect(poolCounts(after.body)).toEqual({ available: 5, reserved: 0, sold: 0, revoked: 0 });
    expect(after.body).toContain('Imported 3 keys.');
    expect(after.body).not.toContain('PASTE-');
    const [row] = await audit(product.sku);
    expect(row).toMatchObject({ action: 'product.keys.import', actor_email: owner.user.email });
    expect(JSON.parse(row!.after!)).toEqual({ added: 3, source: 'pasted text' });
    expect(row!.after).not.toContain('PASTE-');
  });

  it('refuses a paste with a repeated key or one already in a pool: 400, every bad line named, nothing imported', async () => {
    const taken = tag('TAKEN');
    await makeKeyLimProduct(fx, [taken]);
    const product = await makeKeyLimProduct(fx, 1);
    const fresh = tag('FRESH');
    const text = [fresh, tag('OTHER'), fresh, taken, 'X'.repeat(501), `tab\there`].join('\n');
    const res = await postMultipart(keysUrl(product.sku), [
      { name: 'keys', value: text },
      { name: 'file', filename: '', data: Buffer.alloc(0) },
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('No keys were imported: 4 problems in the pasted text.');
    expect(problemLines(res.body)).toEqual([
      'line 3: the same key as line 1.',
      `line 4: key ${taken.slice(0, 4)}…${taken.slice(-2)} is already in a pool.`,
      'line 5: the key has 501 characters; at most 500.',
      'line 6: the key contains a control character (such as a tab).',
    ]);
    expect(res.body).toContain('aria-invalid="true"');
    expect(await available(product.id)).toBe(1);
    expect(await audit(product.sku)).toEqual([]);
  });

  it('imports an uploaded .txt file, refuses a paste together with a file, and an empty form', async () => {
    const product = await makeKeyLimProduct(fx, 0);
    const keys = [tag('FILE-1'), tag('FILE-2')];
    const file = { name: 'file', filename: 'keys.txt', type: 'text/plain', data: Buffer.from(`\uFEFF${keys.join('\r\n')}\r\n`) };
    const both = await postMultipart(keysUrl(product.sku), [{ name: 'keys', value: tag('PASTED') }, file]);
    expect(both.statusCode).toBe(400);
    expect(both.body).toContain('Paste keys or choose a file, not both.');
    const empty = await postMultipart(keysUrl(product.sku), [
      { name: 'keys', value: '  \n' },
      { name: 'file', filename: '', data: Buffer.alloc(0) },
    ]);
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Paste keys, one per line, or choose a .txt file.');
    const comments = await postForm(keysUrl(product.sku), { keys: '# only a comment' });
    expect(comments.statusCode).toBe(400);
    expect(comments.body).toContain('The pasted text holds no keys');
    expect(await available(product.id)).toBe(0);

    const res = await postMultipart(keysUrl(product.sku), [{ name: 'keys', value: '' }, file]);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect(await available(product.id)).toBe(2);
    expect(JSON.parse((await audit(product.sku))[0]!.after!)).toEqual({ added: 2, source: 'file' });
  });

  it('validates the threshold beside its field and saves a whole number or the default, audited', async () => {
    const product = await makeKeyLimProduct(fx, 3);
    for (const bad of ['-1', 'abc', '1.5', '100001', '1e3']) {
      const res = await postForm(`${keysUrl(product.sku)}/threshold`, { threshold: bad });
      expect(res.statusCode, bad).toBe(400);
      expect(res.body).toMatch(/id="low-stock-threshold-error">Enter a whole number from 0 to 100000/);
      expect(res.body).toContain(`value="${bad}"`);
    }
    expect((await selling.getLowStockSettings(product.id)).own).toBeNull();
    const saved = await postForm(`${keysUrl(product.sku)}/threshold`, { threshold: '2' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`${keysUrl(product.sku)}?saved=1`);
    expect(await selling.getLowStockSettings(product.id)).toMatchObject({ own: 2, threshold: 2 });
    expect((await get(saved.headers.location!)).body).toContain('value="2"');
    await postForm(`${keysUrl(product.sku)}/threshold`, { threshold: '' });
    expect(await selling.getLowStockSettings(product.id)).toMatchObject({ own: null, threshold: 5 });
    expect((await audit(product.sku)).map((r) => [r.action, r.before, r.after])).toEqual([
      ['product.low_stock_threshold', '{"threshold":null}', '{"threshold":2}'],
      ['product.low_stock_threshold', '{"threshold":2}', '{"threshold":null}'],
    ]);
  });

  it('mails the owner once when sales take the pool to its threshold, not on the next sales; an import re-arms it', async () => {
    const product = await makeKeyLimProduct(fx, 8);
    await postForm(`${keysUrl(product.sku)}/threshold`, { threshold: '5' });
    await sell(product.id); // 7 left
    await sell(product.id); // 6 left
    expect(await lowMails(product.sku)).toHaveLength(0);
    await sell(product.id); // 5 left: at the threshold
    const [mail] = await lowMails(product.sku);
    expect(mail).toMatchObject({ recipient: testConfig().shopEmail });
    expect(mail!.subject).toContain(`Low stock: ${product.sku} — 5 keys left`);
    expect(mail!.text_body).toContain(`/admin/products/${product.sku}/keys`);
    await sell(product.id, 2); // 3 left
    await sell(product.id); // 2 left
    expect(await lowMails(product.sku)).toHaveLength(1);
    expect((await get(keysUrl(product.sku))).body).toContain('Mail sent <time');

    // Keys that still leave the pool at the threshold do not re-arm it; enough to go above do.
    await postForm(keysUrl(product.sku), { keys: [tag('REFILL-1'), tag('REFILL-2'), tag('REFILL-3')].join('\n') }); // 5
    expect((await selling.getLowStockSettings(product.id)).notifiedAt).not.toBeNull();
    await postForm(keysUrl(product.sku), { keys: tag('REFILL-4') }); // 6
    expect((await selling.getLowStockSettings(product.id)).notifiedAt).toBeNull();
    await sell(product.id); // 5 left: a second crossing
    expect(await lowMails(product.sku)).toHaveLength(2);
  });

  it('sends one mail when two sales cross the threshold at once', async () => {
    const product = await makeKeyLimProduct(fx, 7);
    await postForm(`${keysUrl(product.sku)}/threshold`, { threshold: '5' });
    await sell(product.id); // 6 left: one more reaches the threshold
    let releaseFirst!: () => void;
    const held = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstReserved!: () => void;
    const reserved = new Promise<void>((resolve) => (firstReserved = resolve));
    const first = t.db.transaction(async (tx) => {
      await selling.reserveKeys(tx, { productId: product.id, orderId: 'ord_race_1', quantity: 1, until: Date.now() + 60_000 });
      firstReserved();
      await held; // the second sale reads the pool while this one has not committed
    });
    await reserved;
    const second = sell(product.id);
    await new Promise((r) => setTimeout(r, 150));
    releaseFirst();
    await Promise.all([first, second]);
    expect(await available(product.id)).toBe(4);
    expect(await lowMails(product.sku)).toHaveLength(1);
  });

  it('re-arms the mail when released reservations bring the pool back above the threshold', async () => {
    const product = await makeKeyLimProduct(fx, 6);
    const orderId = 'ord_release_test_' + dialect;
    await t.db.transaction((tx) => selling.reserveKeys(tx, { productId: product.id, orderId, quantity: 2, until: Date.now() + 60_000 }));
    expect(await lowMails(product.sku)).toHaveLength(1);
    await selling.releaseReservation(orderId);
    expect((await selling.getLowStockSettings(product.id)).notifiedAt).toBeNull();
  });

  it('filters the product list to low pools by each product’s own threshold; the dashboard lists the same', async () => {
    const name = tag('Lowfilter');
    const custom = await makeKeyLimProduct(fx, 3, { name: `${name} custom` }); // threshold 2: not low
    const raised = await makeKeyLimProduct(fx, 8, { name: `${name} raised` }); // threshold 10: low
    const defaulted = await makeKeyLimProduct(fx, 4, { name: `${name} default` }); // default 5: low
    const plenty = await makeKeyLimProduct(fx, 9, { name: `${name} plenty` }); // default 5: not low
    const signed = await makeProduct(fx.catalog, { name: `${name} signed` });
    await postForm(`${keysUrl(custom.sku)}/threshold`, { threshold: '2' });
    await postForm(`${keysUrl(raised.sku)}/threshold`, { threshold: '10' });

    const all = await get(`/admin/products?q=${name.toLowerCase()}`);
    expect(all.body).toContain(`<tr data-sku="${raised.sku}" class="low-stock">`);
    expect(all.body).toContain(`<tr data-sku="${custom.sku}">`);
    const low = await get(`/admin/products?q=${name.toLowerCase()}&low=1`);
    expect(low.statusCode).toBe(200);
    expect([...low.body.matchAll(/<tr data-sku="([^"]+)"/g)].map((m) => m[1]).sort()).toEqual([raised.sku, defaulted.sku].sort());
    expect(low.body).toContain('name="low" value="1" checked/>');
    expect(rowText(low.body, 'data-sku', raised.sku)).toContain('Key pool');
    expect([plenty.sku, signed.sku].some((s) => low.body.includes(`data-sku="${s}"`))).toBe(false);
    expect((await get('/admin/products?low=maybe')).statusCode).toBe(400);

    const dashboard = await get('/admin');
    expect(dashboard.body).toContain(raised.sku);
    expect(dashboard.body).toContain(defaulted.sku);
    expect(dashboard.body).not.toContain(custom.sku);
    expect(dashboard.body).not.toContain(plenty.sku);
  });

  it('answers 404 for products without a pool, and to anyone but the owner on every route', async () => {
    const file = await makeFileProduct(fx.catalog);
    expect((await get(keysUrl(file.sku))).statusCode).toBe(404);
    expect((await get(keysUrl('NO-SUCH-SKU'))).statusCode).toBe(404);
    const product = await makeKeyLimProduct(fx, 1);
    for (const user of [buyer, null]) {
      expect((await get(keysUrl(product.sku), user)).statusCode).toBe(404);
      expect((await postForm(keysUrl(product.sku), { keys: tag('SNEAK') }, user)).statusCode).toBe(404);
      expect((await postForm(`${keysUrl(product.sku)}/threshold`, { threshold: '1' }, user)).statusCode).toBe(404);
    }
    expect(await available(product.id)).toBe(1);
    expect((await selling.getLowStockSettings(product.id)).own).toBeNull();
  });
});
