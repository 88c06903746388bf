import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { bytes, DAY, downloadsStore, MINUTE, type DownloadsStore } from './downloads-helpers.js';

describe.each(testDialects)('refused downloads on %s', (dialect) => {
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

  const secret = bytes(2048, 99);
  const oneFile = () =>
    s.paidFileOrder(buyer, { files: [{ filename: 'secret.zip', contentType: 'application/zip', data: secret }], downloadLimit: 3 });

  /** A refusal page: its status, its words, a way back, and never a byte of the file. */
  function expectProblemPage(
    res: { statusCode: number; headers: Record<string, unknown>; body: string },
    status: number,
    title: string,
    orderId: string | null,
  ) {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain(`<h1 id="error-heading">${title}</h1>`);
    expect(res.body).toContain(orderId ? `href="/orders/${orderId}"` : 'href="/orders"');
    expect(res.body).not.toContain(secret.subarray(0, 64).toString('latin1'));
  }

  it('tampered links: "not valid" (404), never a file, nothing counted or logged', async () => {
    const order = await oneFile();
    const link = new URL((await s.requestLink(buyer, order.id, order.item.id, order.files[0]!.id)).location!).pathname;
    const token = link.slice('/download/'.length);
    const [g, f, e, id, sig] = token.split('.') as [string, string, string, string, string];
    const flipped = sig.startsWith('A') ? `B${sig.slice(1)}` : `A${sig.slice(1)}`;
    const otherId = id.startsWith('A') ? `B${id.slice(1)}` : `A${id.slice(1)}`;
    for (const bad of [
      `${g}.${f}.${e}.${id}.${flipped}`,
      `${Number(g) + 1}.${f}.${e}.${id}.${sig}`,
      `${g}.${Number(f) + 1}.${e}.${id}.${sig}`,
      `${g}.${f}.${Number(e) + 86_400}.${id}.${sig}`,
      `${g}.${f}.${e}.${otherId}.${sig}`,
      `${g}.${f}.${e}.${sig}`,
      'garbage',
      '1.2.3',
      `${token}x`,
      '%00..%2F..%2Fetc%2Fpasswd',
    ]) {
      const res = await s.download(`/download/${bad}`);
      expectProblemPage(res, 404, 'This download link is not valid', null);
      expect(res.body).toContain('Make a new one from your order page.');
    }
    // Longer than any real token: refused by the router, still a 4xx and no file.
    expect((await s.download(`/download/${'A'.repeat(500)}`)).statusCode).toBeLessThan(500);
    const [grant] = await s.grantsOf(order.item.id);
    expect(grant!.downloads_used).toBe(0);
    expect(await s.logOf(grant!.id)).toEqual([]);
  });

  it('expired links: "expired" (410) with a link to the order, a new link works', async () => {
    const order = await oneFile();
    const link = (await s.requestLink(buyer, order.id, order.item.id, order.files[0]!.id)).location!;
    s.time.offset = 15 * MINUTE + 1000;
    const res = await s.download(link);
    expectProblemPage(res, 410, 'This link has expired', order.id);
    expect(res.body).toContain('Make a new one from your order page.');
    s.time.offset = 0;
    expect((await s.download((await s.requestLink(buyer, order.id, order.item.id, order.files[0]!.id)).location!)).statusCode).toBe(200);
  });

  it('refunded units: "refunded" (410) for links made before the refund and for new ones; the other unit still downloads', async () => {
    const order = await s.paidFileOrder(buyer, {
      quantity: 2,
      files: [{ filename: 'secret.zip', contentType: 'application/zip', data: secret }],
    });
    const fileId = order.files[0]!.id;
    const before = (await s.requestLink(buyer, order.id, order.item.id, fileId, 1)).location!;
    // The gateway's refund of one unit, as payment events apply it: the highest unit is revoked.
    await s.t.db.transaction(async (tx) => {
      await s.orders.applyEvent(tx, order.id, 'refund_partial', 'test refund');
      await s.orders.incrementRefunded(tx, order.item.id, 1);
      await s.fulfilment.revokeUnits(tx, order.item.id, 1);
    });
    expectProblemPage(await s.download(before), 410, 'This purchase was refunded', order.id);
    expectProblemPage(await s.download(before, { range: 'bytes=100-' }), 410, 'This purchase was refunded', order.id);
    const again = await s.requestLink(buyer, order.id, order.item.id, fileId, 1);
    expect(again.status).toBe(410);
    expect(again.body).toContain('This purchase was refunded');
    expect(again.body).toContain(`href="/orders/${order.id}"`);
    expect((await s.download((await s.requestLink(buyer, order.id, order.item.id, fileId, 0)).location!)).statusCode).toBe(200);
    const grants = await s.grantsOf(order.item.id);
    expect(grants.map((g) => [g.status, g.downloads_used])).toEqual([
      ['active', 1],
      ['revoked', 0],
    ]);
    expect(await s.logOf(grants[1]!.id)).toEqual([]);
  });

  it('access period over: "download period has ended" (410), even with a link that has not expired', async () => {
    const order = await s.paidFileOrder(buyer, {
      accessDays: 1,
      files: [{ filename: 'secret.zip', contentType: 'application/zip', data: secret }],
    });
    const [grant] = await s.grantsOf(order.item.id);
    const link = `/download/${s.tokens.sign({ grantId: grant!.id, fileId: order.files[0]!.id, expiresAt: s.clock() + 2 * DAY })}`;
    s.time.offset = DAY + MINUTE;
    expectProblemPage(await s.download(link), 410, 'The download period has ended', order.id);
    expect((await s.download(link, {}, 'HEAD')).statusCode).toBe(410);
    expect((await s.grantsOf(order.item.id))[0]!.downloads_used).toBe(0);
  });

  it('stops exactly at the limit: the last download passes and may resume on its link, then "limit reached" (403) and no new link', async () => {
    const order = await oneFile(); // 3 downloads
    const fileId = order.files[0]!.id;
    const [grant] = await s.grantsOf(order.item.id);
    const sign = () => `/download/${s.tokens.sign({ grantId: grant!.id, fileId, expiresAt: s.clock() + 2 * MINUTE })}`;
    let last = '';
    // Three downloads on three links (the clock runs back; sessions are not involved).
    for (const [n, minutesAgo] of [
      [1, 100],
      [2, 65],
      [3, 31],
    ] as const) {
      s.time.offset = -minutesAgo * MINUTE;
      last = sign();
      expect((await s.download(last, { range: 'bytes=0-999' })).statusCode).toBe(206);
      expect((await s.grantsOf(order.item.id))[0]!.downloads_used).toBe(n);
    }
    s.time.offset = -20 * MINUTE; // the last transfer resumes on its own link (expired by now) within its window
    const rest = await s.download(last, { range: 'bytes=1000-' });
    expect(rest.statusCode).toBe(206);
    expect(rest.rawPayload.equals(secret.subarray(1000))).toBe(true);
    expectProblemPage(await s.download(sign(), { range: 'bytes=1000-' }), 403, 'Download limit reached', order.id); // not on a new one

    s.time.offset = 11 * MINUTE; // 31 minutes without a byte: the window is over, nothing more
    expectProblemPage(await s.download(last, { range: 'bytes=2000-' }), 410, 'This link has expired', order.id);
    const res = await s.download(sign());
    expectProblemPage(res, 403, 'Download limit reached', order.id);
    expect(res.body).toContain('href="/contact"');
    expectProblemPage(await s.download(sign(), { range: 'bytes=10-' }), 403, 'Download limit reached', order.id);
    s.time.offset = 0; // the buyer's session lives on real time
    const refused = await s.requestLink(buyer, order.id, order.item.id, fileId);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Download limit reached');
    expect((await s.grantsOf(order.item.id))[0]!.downloads_used).toBe(3);
    expect((await s.logOf(grant!.id)).map((l) => l.counted)).toEqual([1, 1, 1, 0]);
  });

  it('gives no new link at the limit: the last download resumes on the link it started with', async () => {
    const order = await s.paidFileOrder(buyer, {
      files: [{ filename: 'secret.zip', contentType: 'application/zip', data: secret }],
      downloadLimit: 1,
    });
    const fileId = order.files[0]!.id;
    const link = (await s.requestLink(buyer, order.id, order.item.id, fileId)).location!;
    expect((await s.download(link, { range: 'bytes=0-99' })).statusCode).toBe(206);
    const another = await s.requestLink(buyer, order.id, order.item.id, fileId);
    expect(another.status).toBe(403);
    expect(another.body).toContain('Download limit reached');
    expect((await s.download(link, { range: 'bytes=100-' })).rawPayload.equals(secret.subarray(100))).toBe(true);
    expect((await s.grantsOf(order.item.id))[0]!.downloads_used).toBe(1);
  });

  it('lets exactly one of several parallel downloads take the last one', async () => {
    const files = Array.from({ length: 5 }, (_, i) => ({
      filename: `part-${i + 1}.zip`,
      contentType: 'application/zip',
      data: bytes(4000, i),
    }));
    const order = await s.paidFileOrder(buyer, { files, downloadLimit: 2 });
    const [grant] = await s.grantsOf(order.item.id);
    const link = (fileId: number) => `/download/${s.tokens.sign({ grantId: grant!.id, fileId, expiresAt: s.clock() + MINUTE })}`;
    expect((await s.download(link(order.files[0]!.id))).statusCode).toBe(200);

    // Four other files at once, with one download left: one passes, three are refused.
    const answers = await Promise.all(order.files.slice(1).map((f) => s.download(link(f.id))));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 403, 403, 403]);
    expect((await s.grantsOf(order.item.id))[0]!.downloads_used).toBe(2);
    expect((await s.logOf(grant!.id)).filter((l) => l.counted === 1)).toHaveLength(2);

    // One link fetched whole six times at once: six copies, so one passes (counted) and five are refused;
    // a download manager's four ranges of one link at once are one download.
    const again = await s.paidFileOrder(buyer, { files: files.slice(0, 1), downloadLimit: 1 });
    const [g2] = await s.grantsOf(again.item.id);
    const same = `/download/${s.tokens.sign({ grantId: g2!.id, fileId: again.files[0]!.id, expiresAt: s.clock() + MINUTE })}`;
    const burst = await Promise.all(Array.from({ length: 6 }, () => s.download(same)));
    expect(burst.map((a) => a.statusCode).sort()).toEqual([200, 403, 403, 403, 403, 403]);
    expect((await s.grantsOf(again.item.id))[0]!.downloads_used).toBe(1);
    expect((await s.logOf(g2!.id)).map((l) => l.counted)).toEqual([1]);

    const third = await s.paidFileOrder(buyer, { files: files.slice(0, 1), downloadLimit: 1 });
    const [g3] = await s.grantsOf(third.item.id);
    const chunked = `/download/${s.tokens.sign({ grantId: g3!.id, fileId: third.files[0]!.id, expiresAt: s.clock() + MINUTE })}`;
    const parts = await Promise.all([0, 1, 2, 3].map((i) => s.download(chunked, { range: `bytes=${i * 1000}-${i * 1000 + 999}` })));
    expect(parts.map((a) => a.statusCode)).toEqual([206, 206, 206, 206]);
    expect(Buffer.concat(parts.map((p) => p.rawPayload)).equals(files[0]!.data)).toBe(true);
    expect((await s.grantsOf(third.item.id))[0]!.downloads_used).toBe(1);
    expect((await s.logOf(g3!.id)).map((l) => l.counted).sort()).toEqual([0, 0, 0, 1]);
  });

  it('a file missing from storage: "unavailable" (503), nothing counted, never a 500', async () => {
    const order = await s.paidFileOrder(buyer, { files: [{ filename: 'gone.zip', contentType: 'application/zip', data: bytes(50, 3) }] });
    const link = (await s.requestLink(buyer, order.id, order.item.id, order.files[0]!.id)).location!;
    rmSync(join(s.dir, order.files[0]!.storage_key));
    const res = await s.download(link);
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('This file is unavailable right now');
    expect((await s.grantsOf(order.item.id))[0]!.downloads_used).toBe(0);
  });
});
