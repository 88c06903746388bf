import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CROSS_SITE, loginAs, startTestIdp, TestBrowser, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { makeProduct } from '../support/factories.js';
import { createDownloadsService } from '../../src/fulfilment/downloads.service.js';
import { createProductFilesService } from '../../src/fulfilment/product-files.service.js';
import { createS3Storage } from '../../src/fulfilment/storage.s3.js';
import { bytes, downloadsStore, MINUTE, type DownloadsStore } from './downloads-helpers.js';

const AWKWARD = 'Résumé "final"; v2 (1) – 日本.pdf';

describe.each(testDialects)('downloads on %s', (dialect) => {
  let idp: TestIdp;
  let s: DownloadsStore;
  let buyer: LoggedIn;

  beforeAll(async () => {
    idp = await startTestIdp();
    s = await downloadsStore(dialect, idp.env);
    buyer = await loginAs(s.t.app, 'new');
  });
  afterEach(() => {
    s.time.offset = 0;
  });
  afterAll(async () => {
    await s.close();
    await idp.close();
  });

  it('gives the owner a short-lived link that downloads without the session cookie, with type, name, length and validators', async () => {
    const data = bytes(10_000);
    const order = await s.paidFileOrder(buyer, { files: [{ filename: AWKWARD, contentType: 'application/pdf', data }] });
    const [file] = order.files;

    const posted = await s.requestLink(buyer, order.id, order.item.id, file!.id);
    expect(posted.status).toBe(303);
    expect(posted.location).toMatch(/^http:\/\/localhost:3000\/download\/\d+\.\d+\.\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);

    const res = await s.download(posted.location!);
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(data)).toBe(true);
    expect(res.headers).toMatchObject({
      'content-type': 'application/pdf',
      'content-length': '10000',
      'accept-ranges': 'bytes',
      'content-disposition': `attachment; filename="Resume _final__ v2 (1) _ __.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%3B%20v2%20%281%29%20%E2%80%93%20%E6%97%A5%E6%9C%AC.pdf`,
      etag: `"${createHash('sha256').update(data).digest('hex').slice(0, 32)}"`,
      'cache-control': 'private, no-store',
      'referrer-policy': 'no-referrer',
    });
    expect(new Date(String(res.headers['last-modified'])).getTime()).toBe(Math.floor(file!.created_at / 1000) * 1000);
    expect(res.headers['set-cookie']).toBeUndefined();

    const [grant] = await s.grantsOf(order.item.id);
    expect(grant).toMatchObject({ downloads_used: 1, download_limit: 5 });
    expect(await s.logOf(grant!.id)).toEqual([
      expect.objectContaining({ file_id: file!.id, ip: '203.0.113.7', range: null, counted: 1, created_at: expect.any(Number) as number }),
    ]);
  });

  it('makes links only for the order’s owner: others get 404, anonymous visitors are sent to log in', async () => {
    const order = await s.paidFileOrder(buyer, { files: [{ filename: 'a.zip', contentType: 'application/zip', data: bytes(100) }] });
    const fileId = order.files[0]!.id;
    const url = `/orders/${order.id}/items/${order.item.id}/download`;

    const stranger = await loginAs(s.t.app, 'new');
    const theirs = await s.requestLink(stranger, order.id, order.item.id, fileId);
    expect(theirs.status).toBe(404);
    expect(theirs.body).toContain('We could not find that order.');

    // Anonymous: sent to log in.
    const visitor = new TestBrowser(s.t.app);
    const anonymous = await visitor.request(url, { form: { unit: '0', file: String(fileId) } });
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toContain(`/login?returnTo=${encodeURIComponent(url)}`);

    // The owner, but pointing at things that are not theirs to download.
    const keyProduct = await makeProduct(s.fx.catalog);
    const other = await s.paidFileOrder(buyer, { files: [{ filename: 'other.zip', contentType: 'application/zip', data: bytes(10) }] });
    const refused = [
      await s.requestLink(buyer, order.id, order.item.id, other.files[0]!.id), // another product's file
      await s.requestLink(buyer, order.id, other.item.id, fileId), // an item of another order
      await s.requestLink(buyer, order.id, order.item.id, fileId, 3), // a unit not bought
      await s.requestLink(buyer, 'ord_000000000000000000000000', order.item.id, fileId),
      await s.requestLink(buyer, 'not-an-order', order.item.id, fileId),
      await s.requestLink(buyer, order.id, keyProduct.id, fileId),
    ];
    expect(refused.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404]);
    const bad = await buyer.browser.request(url, { form: { unit: 'first', file: String(fileId) } });
    expect(bad.status).toBe(400);
    const crossSite = await buyer.browser.request(url, { form: { unit: '0', file: String(fileId) }, headers: CROSS_SITE });
    expect(crossSite.status).toBe(403);

    expect((await s.grantsOf(order.item.id))[0]).toMatchObject({ downloads_used: 0 });
  });

  it('answers Range requests: 206 with Content-Range for one range, 416 past the end, HEAD without a body', async () => {
    const data = bytes(5000);
    const order = await s.paidFileOrder(buyer, { files: [{ filename: 'track.flac', contentType: 'audio/flac', data }] });
    const link = (await s.requestLink(buyer, order.id, order.item.id, order.files[0]!.id)).location!;

    const first = await s.download(link, { range: 'bytes=0-999' });
    expect(first.statusCode).toBe(206);
    expect(first.headers).toMatchObject({ 'content-range': 'bytes 0-999/5000', 'content-length': '1000', 'content-type': 'audio/flac' });
    expect(first.rawPayload.equals(data.subarray(0, 1000))).toBe(true);

    const rest = await s.download(link, { range: 'bytes=1000-', 'if-range': String(first.headers.etag) });
    expect(rest.statusCode).toBe(206);
    expect(rest.headers['content-range']).toBe('bytes 1000-4999/5000');
    expect(Buffer.concat([first.rawPayload, rest.rawPayload]).equals(data)).toBe(true);

    const tail = await s.download(link, { range: 'bytes=-10' });
    expect(tail.statusCode).toBe(206);
    expect(tail.rawPayload.equals(data.subarray(4990))).toBe(true);

    const stale = await s.download(link, { range: 'bytes=1000-', 'if-range': '"an-older-version"' });
    expect(stale.statusCode).toBe(200);
    expect(stale.rawPayload.equals(data)).toBe(true);

    const past = await s.download(link, { range: 'bytes=5000-' });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe('bytes */5000');
    expect(past.body).toBe('');

    const malformed = await s.download(link, { range: 'bytes=oops' });
    expect(malformed.statusCode).toBe(200);
    expect(malformed.headers['content-length']).toBe('5000');

    const head = await s.download(link, {}, 'HEAD');
    expect(head.statusCode).toBe(200);
    expect(head.headers).toMatchObject({ 'content-length': '5000', 'accept-ranges': 'bytes', 'content-type': 'audio/flac' });
    expect(head.body).toBe('');

    // One link: its first range counted and the rest of the file was the same download; once the whole
    // file was sent, the tail began another, whose copy the stale If-Range answer then was, and the
    // whole answer after it a third. Every GET that sent bytes is in the log (HEAD and 416 are not).
    const [grant] = await s.grantsOf(order.item.id);
    expect(grant!.downloads_used).toBe(3);
    expect((await s.logOf(grant!.id)).map((l) => [l.range, l.counted])).toEqual([
      ['0-999', 1],
      ['1000-4999', 0],
      ['4990-4999', 1],
      [null, 0],
      [null, 1],
    ]);
  });

  it('resumes a transfer on its own link, free within the window after its last bytes, and counts what comes after it', async () => {
    const data = bytes(3000);
    const order = await s.paidFileOrder(buyer, {
      files: [{ filename: 'game.zip', contentType: 'application/zip', data }],
      downloadLimit: 5,
    });
    const [grant] = await s.grantsOf(order.item.id);
    const link = `/download/${s.tokens.sign({ grantId: grant!.id, fileId: order.files[0]!.id, expiresAt: s.clock() + 120 * MINUTE })}`;
    const used = async () => (await s.grantsOf(order.item.id))[0]!.downloads_used;

    const first = await s.download(link, { range: 'bytes=0-499' });
    expect(first.statusCode).toBe(206);
    expect(await used()).toBe(1);
    s.time.offset = 10 * MINUTE; // the connection dropped; the manager resumes on the same link
    const middle = await s.download(link, { range: 'bytes=500-1999', 'if-range': String(first.headers.etag) });
    expect(middle.statusCode).toBe(206);
    s.time.offset = 39 * MINUTE; // dropped again: 29 minutes after its last bytes, it still belongs to it
    const rest = await s.download(link, { range: 'bytes=2000-' });
    expect(rest.statusCode).toBe(206);
    expect(Buffer.concat([first.rawPayload, middle.rawPayload, rest.rawPayload]).equals(data)).toBe(true);
    expect(await used()).toBe(1);

    // The whole file has been sent: asking again, even for its tail, is another download.
    expect((await s.download(link, { range: 'bytes=-100' })).statusCode).toBe(206);
    expect(await used()).toBe(2);
    s.time.offset = 70 * MINUTE; // 31 minutes without a byte: the window is over, even a small range is a new download
    expect((await s.download(link, { range: 'bytes=0-9' })).statusCode).toBe(206);
    expect(await used()).toBe(3);
    expect((await s.logOf(grant!.id)).map((l) => l.counted)).toEqual([1, 0, 0, 1, 1]);
  });

  it('keeps the units of one item apart, and counts a product’s files against the unit’s one limit', async () => {
    const order = await s.paidFileOrder(buyer, {
      quantity: 2,
      downloadLimit: 2,
      files: [
        { filename: 'font.otf', contentType: 'font/otf', data: bytes(200, 1) },
        { filename: 'specimen.pdf', contentType: 'application/pdf', data: bytes(300, 2) },
      ],
    });
    const [a, b] = order.files;
    for (const file of [a!, b!]) {
      const res = await s.download((await s.requestLink(buyer, order.id, order.item.id, file.id, 0)).location!);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-length']).toBe(String(file.size));
    }
    const grants = await s.grantsOf(order.item.id);
    expect(grants.map((g) => g.downloads_used)).toEqual([2, 0]);
    const second = await s.download((await s.requestLink(buyer, order.id, order.item.id, a!.id, 1)).location!);
    expect(second.statusCode).toBe(200);
    expect((await s.grantsOf(order.item.id)).map((g) => g.downloads_used)).toEqual([2, 1]);
  });

  it('with S3 storage: checks, counts and logs, then redirects to a presigned GET naming the file; HEAD is answered from the object’s size', async () => {
    const requests: { method: string; path: string }[] = [];
    const requestHandler = {
      async handle(req: { method: string; path: string }) {
        requests.push({ method: req.method, path: req.path });
        const headers: Record<string, string> =
          req.method === 'HEAD' ? { 'content-length': '4096', 'last-modified': new Date(s.clock()).toUTCString() } : {};
        return { response: { statusCode: 200, headers, body: Readable.from([]) } };
      },
    };
    const storage = createS3Storage(
      {
        driver: 's3',
        bucket: 'shop',
        region: 'eu-west-1',
        endpoint: 'http://s3.test:9000',
        accessKeyId: 'AK',
        secretAccessKey: 'SK',
        forcePathStyle: true,
      },
      { requestHandler: requestHandler as never, clock: s.clock },
    );
    const productFiles = createProductFilesService({ db: s.t.db, storage, clock: s.clock });
    const downloads = createDownloadsService({
      db: s.t.db,
      storage,
      productFiles,
      orders: s.orders,
      tokens: s.tokens,
      clock: s.clock,
      linkMs: 15 * MINUTE,
      resumeWindowMs: 30 * MINUTE,
    });
    const order = await s.paidFileOrder(buyer, {
      files: [{ filename: AWKWARD, contentType: 'application/pdf', data: bytes(4096) }],
      attachWith: productFiles,
    });
    const file = order.files[0]!;
    expect(requests).toEqual([{ method: 'PUT', path: `/shop/${file.storage_key}` }]);

    const link = await downloads.createLink(order.id, order.item.id, buyer.user.sub, { unit: 0, fileId: file.id });
    const token = link.slice('/download/'.length);
    const answer = await downloads.openDownload(token, { method: 'GET', ip: '198.51.100.4' });
    expect(answer.kind).toBe('redirect');
    const url = new URL((answer as { url: string }).url);
    expect(url.origin + url.pathname).toBe(`http://s3.test:9000/shop/${file.storage_key}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('120'); // enough to start; replaying it later fails
    expect(url.searchParams.get('response-content-disposition')).toContain(`filename*=UTF-8''R%C3%A9sum%C3%A9`);
    expect(url.searchParams.get('response-content-type')).toBe('application/pdf');

    const head = await downloads.openDownload(token, { method: 'HEAD', ip: '198.51.100.4' });
    expect(head).toMatchObject({ kind: 'file', body: null, range: null, file: { size: 4096, contentType: 'application/pdf' } });
    expect(requests.map((r) => r.method)).toEqual(['PUT', 'HEAD', 'HEAD']); // presigning sends nothing; no GET through the store
    const [grant] = await s.grantsOf(order.item.id);
    expect(grant!.downloads_used).toBe(1);
    expect(await s.logOf(grant!.id)).toEqual([expect.objectContaining({ ip: '198.51.100.4', counted: 1, range: null })]);
  });
});
