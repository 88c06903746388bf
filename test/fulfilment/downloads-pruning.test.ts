import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { bytes, DAY, downloadsStore, MINUTE, type DownloadsStore } from './downloads-helpers.js';

const SIZE = 2048;
const data = bytes(SIZE, 3);
// The defaults: a link works 15 minutes, an expired one may resume within 30 minutes of its last byte.
const LINK = 15 * MINUTE;
const WINDOW = 30 * MINUTE;

/**
 * The hourly job that deletes the transfers of links that can no longer be used: a transfer idle past
 * both the link's lifetime and its resume window by more than a day goes; any a link may still
 * resume stays, and the resume works as before.
 */
describe.each(testDialects)('pruning download transfers on %s', (dialect) => {
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

  const prune = () => s.t.app.jobs.pruneDownloadTransfers();
  const transferOf = (link: string) =>
    s.t.db.kysely.selectFrom('download_transfers').selectAll().where('link_id', '=', link.split('.')[3]!).executeTakeFirst();

  /** A paid file whose link, signed `ago` ms before now, sent the first half of it then (one download counted). */
  async function halfSentAgo(ago: number) {
    const order = await s.paidFileOrder(buyer, {
      files: [{ filename: 'album.zip', contentType: 'application/zip', data }],
      downloadLimit: 3,
    });
    const [grant] = await s.grantsOf(order.item.id);
    s.time.offset = -ago;
    const link = `/download/${s.tokens.sign({ grantId: grant!.id, fileId: order.files[0]!.id, expiresAt: s.clock() + LINK })}`;
    expect((await s.download(link, { range: 'bytes=0-1023' })).statusCode).toBe(206);
    s.time.offset = 0;
    const used = async () => (await s.grantsOf(order.item.id))[0]!.downloads_used;
    return { order, link, grantId: grant!.id, used };
  }

  /** The rest of the file through the same link: a resume is served whole and counts nothing. */
  async function expectResumes(t: Awaited<ReturnType<typeof halfSentAgo>>) {
    const rest = await s.download(t.link, { range: 'bytes=1024-' });
    expect(rest.statusCode).toBe(206);
    expect(rest.rawPayload.equals(data.subarray(1024))).toBe(true);
    expect(await t.used()).toBe(1);
  }

  it('deletes a transfer idle more than a day past its link and resume window, keeps one just inside; the dead link says expired as before', async () => {
    const dead = await halfSentAgo(DAY + WINDOW + 2 * MINUTE);
    const edge = await halfSentAgo(DAY + WINDOW - 2 * MINUTE);
    const before = await s.download(dead.link, { range: 'bytes=1024-' });
    expect(before.statusCode).toBe(410);
    expect(before.body).toContain('This link has expired');

    expect(await prune()).toBe(1);
    expect(await transferOf(dead.link)).toBeUndefined();
    // Dead too, but within the day of margin: the cutoff is exactly the longer of link and window, plus a day.
    expect(await transferOf(edge.link)).toMatchObject({ downloads: 1, sent: 1024 });

    const after = await s.download(dead.link, { range: 'bytes=1024-' });
    expect(after.statusCode).toBe(410);
    expect(after.body).toContain('<h1 id="error-heading">This link has expired</h1>');
    expect(after.body).toContain(`href="/orders/${dead.order.id}"`);
    expect(after.body).not.toContain(data.subarray(1024, 1088).toString('latin1'));
    expect(await dead.used()).toBe(1);
    expect(await prune()).toBe(0);
  });

  it('keeps the transfers of a valid link and of an expired one within its resume window: both resume uncounted', async () => {
    const valid = await halfSentAgo(10 * MINUTE);
    // Expired five minutes ago, its last byte twenty minutes ago: a cutoff of the link's lifetime alone would delete it.
    const resuming = await halfSentAgo(20 * MINUTE);
    const recent = await halfSentAgo(0);

    expect(await prune()).toBe(0);
    for (const t of [valid, resuming, recent]) expect(await transferOf(t.link)).toMatchObject({ downloads: 1, sent: 1024 });
    await expectResumes(valid);
    await expectResumes(resuming);
    await expectResumes(recent);
  });

  it('deletes many in batches, each row once, with several instances pruning at the same time', async () => {
    const kept = await halfSentAgo(0);
    const fileId = kept.order.files[0]!.id;
    const old = s.clock() - 3 * DAY;
    const many = 2500;
    for (let i = 0; i < many; i += 500)
      await s.t.db.kysely
        .insertInto('download_transfers')
        .values(
          Array.from({ length: Math.min(500, many - i) }, () => ({
            link_id: randomBytes(16).toString('base64url'),
            grant_id: kept.grantId,
            file_id: fileId,
            downloads: 1,
            created_at: old,
            updated_at: old,
          })),
        )
        .execute();

    const runs = await Promise.all([prune(), prune(), prune()]);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(many);
    const left = await s.t.db.kysely.selectFrom('download_transfers').select('link_id').where('grant_id', '=', kept.grantId).execute();
    expect(left.map((r) => r.link_id)).toEqual([kept.link.split('.')[3]]);
    await expectResumes(kept);
  });
});
