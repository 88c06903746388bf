import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { bytes, downloadsStore, MINUTE, type DownloadsStore } from './downloads-helpers.js';

const SIZE = 2048;
const ALLOWANCE = SIZE / 8; // what one counted download may send beyond a copy (resumes)
const data = bytes(SIZE, 5);

/**
 * The download limit against the tricks that bypassed it: every request shape, fresh links within
 * the resume window, a second address. In each, what the store sends never adds up to more copies
 * than it counted, and the count never passes the limit.
 */
describe.each(testDialects)('the download limit against range tricks on %s', (dialect) => {
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

  /** A fresh order of one 2 KiB file with `limit` downloads, links signed at will, and a tally of what was sent. */
  async function limited(limit: number) {
    const order = await s.paidFileOrder(buyer, {
      files: [{ filename: 'album.zip', contentType: 'application/zip', data }],
      downloadLimit: limit,
    });
    const [grant] = await s.grantsOf(order.item.id);
    let sent = 0;
    return {
      order,
      /** a new link, as the buyer's button would give (valid an hour) */
      link: () => `/download/${s.tokens.sign({ grantId: grant!.id, fileId: order.files[0]!.id, expiresAt: s.clock() + 60 * MINUTE })}`,
      /** GET with a Range from an address; the status, and the bytes tallied */
      async get(link: string, range?: string, remoteAddress = '203.0.113.7') {
        const res = await s.t.app.inject({ method: 'GET', url: link, headers: range ? { range } : {}, remoteAddress });
        if (res.statusCode < 300) sent += res.rawPayload.length;
        return res;
      },
      used: async () => (await s.grantsOf(order.item.id))[0]!.downloads_used,
      /** the limit held: the count stayed within it, and the bytes sent within what it paid for */
      async expectHeld() {
        const used = (await s.grantsOf(order.item.id))[0]!.downloads_used;
        expect(used).toBeLessThanOrEqual(limit);
        expect(sent).toBeLessThanOrEqual(used * (SIZE + ALLOWANCE));
        return used;
      },
    };
  }
  const statuses = (answers: { statusCode: number }[]) => answers.map((a) => a.statusCode);

  it('bytes=1- counts, on fresh links and on one link, and is refused at the limit', async () => {
    const fresh = await limited(3);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await fresh.get(fresh.link(), 'bytes=1-'));
    expect(statuses(answers)).toEqual([206, 206, 206, 403, 403]);
    expect(answers[0]!.rawPayload.equals(data.subarray(1))).toBe(true);
    expect(await fresh.expectHeld()).toBe(3);

    // The reported case: a download counted, then the same link asked again and again from byte 1.
    const one = await limited(3);
    const link = one.link();
    expect((await one.get(link)).statusCode).toBe(200);
    const again = [];
    for (let i = 0; i < 10; i++) again.push(await one.get(link, 'bytes=1-'));
    expect(statuses(again)).toEqual([206, 206, 403, 403, 403, 403, 403, 403, 403, 403]);
    expect(await one.expectHeld()).toBe(3);
  });

  it('suffix ranges (bytes=-N) count like any other bytes', async () => {
    const x = await limited(2);
    const link = x.link();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await x.get(link, `bytes=-${SIZE - 1}`));
    expect(statuses(answers)).toEqual([206, 206, 403, 403]);
    expect(answers[0]!.headers['content-range']).toBe(`bytes 1-${SIZE - 1}/${SIZE}`);
    // Once a whole copy was sent, even a small tail is another download.
    const y = await limited(1);
    const yl = y.link();
    expect((await y.get(yl)).statusCode).toBe(200);
    expect((await y.get(yl, 'bytes=-1')).statusCode).toBe(403);
    expect(await x.expectHeld()).toBe(2);
    expect(await y.expectHeld()).toBe(1);
  });

  it('many small ranges: one copy is one download, then refused at the limit', async () => {
    const x = await limited(1);
    const link = x.link();
    const pieces = [];
    for (let round = 0; round < 2; round++)
      for (let start = 0; start < SIZE; start += 100) pieces.push(await x.get(link, `bytes=${start}-${start + 99}`));
    const codes = statuses(pieces);
    // The first copy (21 pieces) is one download; the second round would be another.
    expect(codes.slice(0, 21).every((c) => c === 206)).toBe(true);
    expect(Buffer.concat(pieces.slice(0, 21).map((p) => p.rawPayload)).equals(data)).toBe(true);
    expect(codes.slice(21).every((c) => c === 403)).toBe(true);
    expect(await x.expectHeld()).toBe(1);
  });

  it('overlapping ranges: an overlap up to the allowance is the same download, more is another', async () => {
    const x = await limited(2);
    const link = x.link();
    expect((await x.get(link, 'bytes=0-1299')).statusCode).toBe(206);
    expect((await x.get(link, `bytes=${1300 - ALLOWANCE}-`)).statusCode).toBe(206);
    expect(await x.used()).toBe(1);
    expect((await x.get(link, 'bytes=500-1499')).statusCode).toBe(206); // 1000 bytes again: a second download
    expect(await x.used()).toBe(2);
    expect((await x.get(link, 'bytes=0-1499')).statusCode).toBe(403);
    expect(await x.expectHeld()).toBe(2);
  });

  it('multi-range: touching ranges are combined into one 206, disjoint ones answered whole (200) and counted as the whole file', async () => {
    const x = await limited(2);
    const link = x.link();
    const joined = await x.get(link, 'bytes=0-0,1-');
    expect(joined.statusCode).toBe(206);
    expect(joined.headers['content-range']).toBe(`bytes 0-${SIZE - 1}/${SIZE}`);
    expect(joined.rawPayload.equals(data)).toBe(true);
    const disjoint = await x.get(link, 'bytes=0-9,100-109');
    expect(disjoint.statusCode).toBe(200);
    expect(disjoint.headers['content-type']).toBe('application/zip');
    expect(disjoint.rawPayload.equals(data)).toBe(true);
    expect(await x.used()).toBe(2);
    expect((await x.get(x.link(), 'bytes=0-0,1-')).statusCode).toBe(403);
    expect((await x.get(link, 'bytes=0-99,50-149,2000-')).statusCode).toBe(403);
    expect(await x.expectHeld()).toBe(2);
  });

  it('fresh links from the order page inside the resume window each count; none is given at the limit', async () => {
    const x = await limited(3);
    const fileId = x.order.files[0]!.id;
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const link = await s.requestLink(buyer, x.order.id, x.order.item.id, fileId);
      expect(link.status).toBe(303);
      answers.push(await x.get(new URL(link.location!).pathname, i === 0 ? undefined : 'bytes=1-'));
    }
    expect(statuses(answers)).toEqual([200, 206, 206]);
    expect(await x.used()).toBe(3);
    const refused = await s.requestLink(buyer, x.order.id, x.order.item.id, fileId);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Download limit reached');
    expect(await x.expectHeld()).toBe(3);
  });

  it('a second client address on the same link is another download; the link resumes only for the address of its current download', async () => {
    const x = await limited(3);
    const link = x.link();
    expect((await x.get(link, 'bytes=0-999', '203.0.113.7')).statusCode).toBe(206);
    expect((await x.get(link, 'bytes=1000-', '198.51.100.9')).statusCode).toBe(206);
    expect(await x.used()).toBe(2);
    expect((await x.get(link, 'bytes=1000-', '198.51.100.9')).statusCode).toBe(206); // its own retry of that range: the same download
    expect(await x.used()).toBe(2);
    expect((await x.get(link, 'bytes=1000-', '203.0.113.7')).statusCode).toBe(206); // the first address again: a third
    expect(await x.used()).toBe(3);
    expect((await x.get(link, undefined, '192.0.2.1')).statusCode).toBe(403);
    expect(await x.expectHeld()).toBe(3);
  });

  /** The store on a real port (opened once), for transfers a client cuts off. */
  let origin: string | undefined;
  async function listening() {
    if (!origin) {
      await s.t.app.listen({ port: 0, host: '127.0.0.1' });
      origin = `http://127.0.0.1:${(s.t.app.server.address() as AddressInfo).port}`;
    }
    return origin;
  }
  /** GETs over a real connection and closes it once `stopAt` bytes arrived (or at the end); what arrived. */
  async function receive(path: string, headers: Record<string, string> = {}, stopAt = Infinity) {
    const url = new URL(path, await listening());
    return new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let length = 0;
      let status = 0;
      const finish = () => resolve({ status, body: Buffer.concat(chunks).subarray(0, Math.min(length, stopAt)) });
      const req = get(url, { headers }, (res) => {
        status = res.statusCode ?? 0;
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          length += chunk.length;
          if (length >= stopAt) {
            req.destroy();
            finish();
          }
        });
        res.on('end', finish);
        res.on('aborted', finish); // cut off by the store
      });
      req.on('error', () => finish());
      req.on('timeout', () => reject(new Error('timeout')));
    });
  }
  const sentOf = async (grantId: number) =>
    (await s.t.db.kysely.selectFrom('download_transfers').select('sent').where('grant_id', '=', grantId).executeTakeFirstOrThrow()).sent;
  async function bigOrder(size: number) {
    const big = randomBytes(size);
    const order = await s.paidFileOrder(buyer, {
      files: [{ filename: 'film.mkv', contentType: 'video/x-matroska', data: big }],
      downloadLimit: 1,
    });
    const [grant] = await s.grantsOf(order.item.id);
    const path = new URL((await s.requestLink(buyer, order.id, order.item.id, order.files[0]!.id)).location!).pathname;
    return { big, order, grant: grant!, path, etag: `"${order.files[0]!.sha256.slice(0, 32)}"` };
  }

  it('an interrupted transfer resumed on its link is one download, over a real connection', async () => {
    const { big, order, grant, path, etag } = await bigOrder(32 * 1024 * 1024);
    // The connection drops after the first MiB arrived.
    const received = await receive(path, {}, 1024 * 1024);
    expect(received.status).toBe(200);
    // The store gives back what it claimed but never sent (asynchronously, once the response closes).
    for (let i = 0; i < 100 && (await sentOf(grant.id)) >= 2 * 1024 * 1024; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await sentOf(grant.id)).toBeLessThan(2 * 1024 * 1024);

    // The download manager resumes from what it has, on the same link, from the same address.
    const rest = await receive(path, { range: `bytes=${received.body.length}-`, 'if-range': etag });
    expect(rest.status).toBe(206);
    expect(Buffer.concat([received.body, rest.body]).equals(big)).toBe(true);
    expect((await s.grantsOf(order.item.id))[0]!.downloads_used).toBe(1);
    expect((await s.logOf(grant.id)).map((l) => l.counted)).toEqual([1, 0]);
  });

  it('a download manager’s connections (the whole file, then open ranges of later segments, each closed at the next) are one download', async () => {
    const size = 16 * 1024 * 1024;
    const { big, order, grant, path, etag } = await bigOrder(size);
    const segment = size / 4;
    const parts = await Promise.all(
      [0, 1, 2, 3].map((i) => receive(path, i === 0 ? {} : { range: `bytes=${i * segment}-`, 'if-range': etag }, segment)),
    );
    expect(parts.map((p) => p.status)).toEqual([200, 206, 206, 206]);
    expect(Buffer.concat(parts.map((p) => p.body)).equals(big)).toBe(true);
    expect((await s.grantsOf(order.item.id))[0]!.downloads_used).toBe(1);
    expect((await s.logOf(grant.id)).map((l) => l.counted).sort()).toEqual([0, 0, 0, 1]);
  });

  it('two whole copies at once on one link: counted once, and the store cuts them off before a second copy is sent', async () => {
    const size = 16 * 1024 * 1024;
    const { big, order, path } = await bigOrder(size);
    const both = await Promise.all([receive(path), receive(path)]);
    expect(both.map((b) => b.status)).toEqual([200, 200]);
    expect(both.filter((b) => b.body.equals(big)).length).toBeLessThanOrEqual(1);
    expect(both[0]!.body.length + both[1]!.body.length).toBeLessThanOrEqual(size + size / 8);
    expect((await s.grantsOf(order.item.id))[0]!.downloads_used).toBe(1);
  });
});
