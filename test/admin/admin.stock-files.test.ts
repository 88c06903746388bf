import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp, SAME_ORIGIN_POST } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { makeFileProduct, makeKeyLimProduct } from '../support/factories.js';
import { bytes, downloadsStore, type DownloadsStore } from '../fulfilment/downloads-helpers.js';
import { multipartBody, type FormPart } from './stock-fixtures.js';

/** FILE_MAX_BYTES for these tests: small, so an oversized upload is cheap. */
const MAX = 50_000;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const filesUrl = (sku: string) => `/admin/products/${sku}/files`;

/** The owner's files page: streamed uploads with their SHA-256, the size limit, replace in place (existing grants get the new bytes), remove. */
describe.each(testDialects)('admin product files on %s', (dialect) => {
  let idp: TestIdp;
  let s: DownloadsStore;
  let owner: LoggedIn;
  let buyer: LoggedIn;

  beforeAll(async () => {
    idp = await startTestIdp();
    s = await downloadsStore(dialect, { ...idp.env, FILE_MAX_BYTES: String(MAX) });
    [owner, buyer] = await Promise.all([loginAs(s.t.app, 'owner'), loginAs(s.t.app, 'new')]);
  });
  afterAll(async () => {
    await s?.close();
    await idp?.close();
  });

  const get = (url: string, user: LoggedIn | null = owner) =>
    s.t.app.inject({ method: 'GET', url, headers: user ? { cookie: user.cookie } : {} });
  const post = (url: string, parts: FormPart[] | null, user: LoggedIn | null = owner) => {
    const body = parts ? multipartBody(parts) : { payload: '', contentType: 'application/x-www-form-urlencoded' };
    return s.t.app.inject({
      method: 'POST',
      url,
      payload: body.payload,
      headers: { ...SAME_ORIGIN_POST, 'content-type': body.contentType, ...(user ? { cookie: user.cookie } : {}) },
    });
  };
  const upload = (filename: string, data: Buffer, type = 'application/zip'): FormPart[] => [{ name: 'file', filename, type, data }];
  const rows = (productId: number) =>
    s.t.db.kysely.selectFrom('product_files').selectAll().where('product_id', '=', productId).orderBy('id').execute();
  const stored = (productId: number) => {
    try {
      return readdirSync(join(s.dir, 'products', String(productId)));
    } catch {
      return [];
    }
  };
  const audit = (sku: string) => s.t.db.kysely.selectFrom('owner_audit').selectAll().where('subject', '=', sku).orderBy('id').execute();

  it('uploads a file into storage and shows its name, size and SHA-256; one audit row without the storage key', async () => {
    const product = await makeFileProduct(s.fx.catalog);
    const data = bytes(20_000, 3);
    const res = await post(filesUrl(product.sku), upload('Manual v1.zip', data));
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect(res.headers.location).toBe(`${filesUrl(product.sku)}?done=uploaded`);
    const page = await get(res.headers.location!);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('private, no-store');
    expect(page.body).toContain('File uploaded.');
    expect(page.body).toContain('Manual v1.zip');
    expect(page.body).toContain(`<code class="sha256">${sha256(data)}</code>`);
    expect(page.body).toContain('data-size="20000"');
    expect(page.body).not.toContain(`products/${product.id}/`); // never the storage key
    const [row] = await rows(product.id);
    expect(row).toMatchObject({ filename: 'Manual v1.zip', content_type: 'application/zip', size: 20_000, sha256: sha256(data) });
    expect(stored(product.id)).toHaveLength(1);
    const [entry] = await audit(product.sku);
    expect(entry).toMatchObject({ action: 'product.file.upload' });
    expect(JSON.parse(entry!.after!)).toEqual({ name: 'Manual v1.zip', size: 20_000, sha256: sha256(data) });
  });

  it('refuses an upload over FILE_MAX_BYTES with 413 beside the field; nothing is stored or recorded', async () => {
    const product = await makeFileProduct(s.fx.catalog);
    const exact = await post(filesUrl(product.sku), upload('exact.bin', bytes(MAX)));
    expect(exact.statusCode).toBe(303);
    const res = await post(filesUrl(product.sku), upload('huge.bin', bytes(MAX + 1)));
    expect(res.statusCode).toBe(413);
    expect(res.body).toMatch(/id="upload-file-error" role="alert">The file is larger than the 48\.8 KiB the shop accepts/);
    expect(res.body).toContain('aria-invalid="true"');
    expect((await rows(product.id)).map((r) => r.filename)).toEqual(['exact.bin']);
    expect(stored(product.id)).toHaveLength(1);
    expect((await audit(product.sku)).map((r) => r.action)).toEqual(['product.file.upload']);

    const none = await post(filesUrl(product.sku), [{ name: 'file', filename: '', data: Buffer.alloc(0) }]);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Choose a file to upload.');
  });

  it('replaces a file in place: a buyer’s existing grant and link download the new bytes', async () => {
    const v1 = bytes(8_000, 1);
    const order = await s.paidFileOrder(buyer, { files: [{ filename: 'tool-1.0.zip', contentType: 'application/zip', data: v1 }] });
    const [file] = order.files;
    const link = await s.requestLink(buyer, order.id, order.item.id, file!.id);
    expect((await s.download(link.location!)).rawPayload.equals(v1)).toBe(true);

    const v2 = bytes(9_000, 2);
    const res = await post(`${filesUrl(order.product.sku)}/${file!.id}/replace`, upload('tool-2.0.zip', v2));
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect(res.headers.location).toBe(`${filesUrl(order.product.sku)}?done=replaced`);
    const page = await get(res.headers.location!);
    expect(page.body).toContain(`<code class="sha256">${sha256(v2)}</code>`);
    expect(page.body).not.toContain(sha256(v1));

    // The link handed out before the replace, and a new one from the order page, both serve version 2.
    const again = await s.download(link.location!);
    expect(again.statusCode).toBe(200);
    expect(again.rawPayload.equals(v2)).toBe(true);
    expect(again.headers['content-disposition']).toContain('tool-2.0.zip');
    const fresh = await s.requestLink(buyer, order.id, order.item.id, file!.id);
    expect((await s.download(fresh.location!)).rawPayload.equals(v2)).toBe(true);
    expect(stored(order.product.id)).toHaveLength(1); // the old bytes are gone
    const [entry] = (await audit(order.product.sku)).filter((r) => r.action === 'product.file.replace');
    expect(JSON.parse(entry!.before!)).toEqual({ name: 'tool-1.0.zip', size: 8_000, sha256: sha256(v1) });
    expect(JSON.parse(entry!.after!)).toEqual({ name: 'tool-2.0.zip', size: 9_000, sha256: sha256(v2) });

    const tooBig = await post(`${filesUrl(order.product.sku)}/${file!.id}/replace`, upload('tool-3.0.zip', bytes(MAX + 10)));
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.body).toContain(`id="replace-${file!.id}-error"`);
    expect((await s.download(fresh.location!)).statusCode).toBe(200);
  });

  it('removes a file; the last file of an active product is refused with a clear message', async () => {
    const order = await s.paidFileOrder(buyer, {
      files: [
        { filename: 'book.pdf', contentType: 'application/pdf', data: bytes(3_000, 4) },
        { filename: 'book.epub', contentType: 'application/epub+zip', data: bytes(2_000, 5) },
      ],
    });
    const [pdf, epub] = order.files;
    const link = await s.requestLink(buyer, order.id, order.item.id, epub!.id);
    const removed = await post(`${filesUrl(order.product.sku)}/${epub!.id}/remove`, null);
    expect(removed.statusCode).toBe(303);
    expect(removed.headers.location).toBe(`${filesUrl(order.product.sku)}?done=removed`);
    expect((await get(removed.headers.location!)).body).not.toContain('book.epub');
    expect((await s.download(link.location!)).statusCode).toBe(404);
    const orderPage = await buyer.browser.request(`/orders/${order.id}`);
    expect(orderPage.body).toContain('book.pdf');
    expect(orderPage.body).not.toContain('book.epub');
    expect((await rows(order.product.id)).find((r) => r.id === epub!.id)?.removed_at).toEqual(expect.any(Number));
    expect(stored(order.product.id)).toHaveLength(1);

    const last = await post(`${filesUrl(order.product.sku)}/${pdf!.id}/remove`, null);
    expect(last.statusCode).toBe(409);
    expect(last.body).toContain('book.pdf is the only file of');
    expect(last.body).toContain('replace it instead, or set the product to draft or archived');
    expect((await s.download((await s.requestLink(buyer, order.id, order.item.id, pdf!.id)).location!)).statusCode).toBe(200);
    expect((await audit(order.product.sku)).map((r) => r.action)).toEqual(['product.file.remove']);
    expect((await post(`${filesUrl(order.product.sku)}/${epub!.id}/remove`, null)).statusCode).toBe(404);
  });

  it('answers 404 for products without files to manage, and to anyone but the owner on every route', async () => {
    const pool = await makeKeyLimProduct(s.fx, 1);
    expect((await get(filesUrl(pool.sku))).statusCode).toBe(404);
    const product = await makeFileProduct(s.fx.catalog);
    const file = await s.productFiles.attachFile(product.id, { filename: 'a.zip', buffer: bytes(100) });
    for (const user of [buyer, null]) {
      expect((await get(filesUrl(product.sku), user)).statusCode).toBe(404);
      expect((await post(filesUrl(product.sku), upload('sneak.zip', bytes(10)), user)).statusCode).toBe(404);
      expect((await post(`${filesUrl(product.sku)}/${file.id}/replace`, upload('sneak.zip', bytes(10)), user)).statusCode).toBe(404);
      expect((await post(`${filesUrl(product.sku)}/${file.id}/remove`, null, user)).statusCode).toBe(404);
    }
    expect((await rows(product.id)).map((r) => [r.filename, r.removed_at])).toEqual([['a.zip', null]]);
  });
});
