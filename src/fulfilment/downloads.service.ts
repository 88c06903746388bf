import { hkdfSync } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import type { Database } from '../platform/db/db.js';
import { NotFoundError, type AppError } from '../platform/errors.js';
import { applyTransferEvent, claimBlock, judgeGrant, type GrantState, type TransferEvent, type TransferState } from './download-state.js';
import type { DownloadClaim, DownloadTokens } from './download-token.js';
import { DownloadProblem } from './downloads.problems.js';
import { createDownloadsRepo, type GrantRow, type TransferRow } from './downloads.repo.js';
import { planRange, type RangePlan } from './downloads.rules.js';
import type { ProductFilesService } from './product-files.service.js';
import type { FileStorage } from './storage.js';

/**
 * The HMAC key of download links, derived (HKDF-SHA256) from SESSION_SECRET under its own label:
 * a link key can never double as a cookie signature, and rotating SESSION_SECRET also ends every
 * outstanding link (they live minutes).
 */
export function downloadLinkKey(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sessionSecret, 'digital-goods-store', 'download-links/v1', 32));
}

/** What GET /download/:token answers with. */
export type DownloadAnswer =
  | { kind: 'redirect'; url: string }
  | { kind: 'unsatisfiable'; size: number }
  | {
      kind: 'file';
      file: { filename: string; contentType: string; size: number; etag: string; lastModified: number };
      range: Extract<RangePlan, { kind: 'partial' }> | null;
      /** null for HEAD */
      body: Readable | null;
    };

export interface DownloadRequest {
  method: 'GET' | 'HEAD';
  ip: string;
  range?: string;
  ifRange?: string;
}

/** How downloads learn that an order is the viewer's, and its items (anyone else's: the orders domain's 404). */
export interface OrderItemsOfOwner {
  getOrderForUser(orderId: string, userSub: string): Promise<{ items: ReadonlyArray<{ id: number; type: string }> }>;
}

export interface DownloadsDeps {
  db: Database;
  storage: FileStorage;
  productFiles: ProductFilesService;
  orders: OrderItemsOfOwner;
  tokens: DownloadTokens;
  clock?: () => number;
  /** how long a link works */
  linkMs: number;
  /** how long after a link's download last served bytes the same link and address may resume it */
  resumeWindowMs: number;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

const stateOf = (g: GrantRow): GrantState => ({
  status: g.status,
  downloadsUsed: g.downloads_used,
  downloadLimit: g.download_limit,
  expiresAt: g.expires_at,
});
const transferState = (t: TransferRow): TransferState => ({ downloads: t.downloads, ip: t.ip, activeAt: t.active_at, sent: t.sent });
type Fetch = Extract<TransferEvent, { type: 'fetch' }>;
const PRESIGNED_SECONDS = 120;

/**
 * How long past its last use a transfer is kept beyond what its link could still do with it. A link
 * uses its transfer while it is valid (the row was made at its first use, after it was signed, so it
 * was last written less than the link's lifetime ago), and after that only to resume within the
 * resume window of the bytes it last served (each of which wrote the row): past both, it is dead. The
 * day on top covers links signed or transfers resumed under a longer DOWNLOAD_LINK_MINUTES or resume
 * window before a restart lowered it (a token carries its own expiry; the config allows a day at
 * most), instances whose clocks differ, and a response still sending a block long after its last claim.
 */
const PRUNE_MARGIN_MS = 24 * 60 * 60_000;
const PRUNE_BATCH = 1000;

/**
 * The body as it is sent: bytes pass only once claimed (`claim` grants a block at a time, or
 * refuses, and the response is cut off), and when the response ends, `settle` learns how much of
 * what it claimed was never sent (the client went away, or a block was left over).
 */
function accounted(body: Readable, first: number, claim: (needed: number) => Promise<number>, settle: (unsent: number) => void): Readable {
  let claimed = first;
  let passed = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const send = () => {
        passed += chunk.length;
        done(null, chunk);
      };
      const needed = passed + chunk.length - claimed;
      if (needed <= 0) return send();
      claim(needed).then((granted) => {
        claimed += granted;
        if (granted >= needed) send();
        else counter.destroy();
      }, done);
    },
  });
  // Errors reach the response through the counter; pipeline only tears both down together.
  pipeline(body, counter, () => undefined);
  counter.once('close', () => {
    if (claimed > passed) settle(claimed - passed);
  });
  return counter;
}

/** Temporary download links for an order's owner, and the downloads themselves (counted, logged, served or redirected). */
export function createDownloadsService({
  db,
  storage,
  productFiles,
  orders,
  tokens,
  clock = Date.now,
  linkMs,
  resumeWindowMs,
  log,
}: DownloadsDeps) {
  const repo = createDownloadsRepo(db);

  /** A grant and one of its product's files, or the error for anything else. */
  async function grantAndFile<G extends GrantRow>(grant: G | undefined, fileId: number, missing: () => AppError) {
    const file = grant && (await productFiles.findFile(fileId));
    if (!grant || !file || file.product_id !== grant.product_id) throw missing();
    return { grant, file };
  }
  const notInOrder = () => new NotFoundError('There is no such file in this order.', 'download_not_found');

  /** The grant and file a link names (an expired one too: it may resume), or why the link is not valid. */
  async function locate(token: string, now: number) {
    const check = tokens.verify(token, now);
    if (!check.ok && check.reason === 'tampered') throw new DownloadProblem('link_invalid', null);
    const claim: DownloadClaim = check.claim;
    const linkExpired = !check.ok;
    // Signed by us but naming a grant or file that no longer fits (deleted data): not valid either.
    const found = await grantAndFile(await repo.findGrantWithOrder(claim.grantId), claim.fileId, () =>
      linkExpired ? new DownloadProblem('link_expired', null) : new DownloadProblem('link_invalid', null),
    );
    // An expired link that never counted a download has nothing to resume.
    if (linkExpired && !(await repo.findTransfer(claim.linkId))?.downloads) throw new DownloadProblem('link_expired', found.grant.order_id);
    return { claim, linkExpired, ...found };
  }

  /**
   * The counting rule (applyTransferEvent) applied while holding the grant, so concurrent requests
   * of one grant (and so of one link) decide one after the other, each seeing the bytes the others
   * reserved; the conditional increment is the last word at the limit. A GET is logged; HEAD is not.
   */
  function decide(claim: DownloadClaim, fetch: Fetch, size: number, now: number, range: { start: number; end: number } | null) {
    return db.transaction(async (tx) => {
      const locked = await repo.lockGrant(claim.grantId, tx);
      const row = await repo.transferOf(claim, now, tx);
      const result = applyTransferEvent(transferState(row), fetch, { grant: stateOf(locked!), size, windowMs: resumeWindowMs, now });
      if (!result.ok) return result;
      if (result.count && !(await repo.countDownload(claim.grantId, now, tx)))
        return { ok: false as const, reason: 'limit_reached' as const };
      if (fetch.head) return result;
      await repo.saveTransfer(row.id, result.next, now, tx);
      await repo.insertLog(
        {
          grant_id: claim.grantId,
          file_id: claim.fileId,
          ip: fetch.ip,
          range: range ? `${range.start}-${range.end}` : null,
          counted: result.count ? 1 : 0,
          created_at: now,
        },
        tx,
      );
      return result;
    });
  }

  /** Another event of a running response (a claim, or its settlement), applied while holding the grant. */
  async function apply(claim: DownloadClaim, event: Exclude<TransferEvent, Fetch>, size: number) {
    const now = clock();
    return db.transaction(async (tx) => {
      const locked = await repo.lockGrant(claim.grantId, tx);
      const row = await repo.findTransfer(claim.linkId, tx);
      if (!locked || !row) return false;
      const result = applyTransferEvent(transferState(row), event, { grant: stateOf(locked), size, windowMs: resumeWindowMs, now });
      if (result.ok) await repo.saveTransfer(row.id, result.next, now, tx);
      return result.ok;
    });
  }

  return {
    /**
     * Deletes the transfers no link can use any more (see PRUNE_MARGIN_MS), a batch at a time until a
     * batch finds none; returns how many went. Safe on several instances at once: a row goes once.
     */
    async pruneTransfers(): Promise<number> {
      const cutoff = clock() - Math.max(linkMs, resumeWindowMs) - PRUNE_MARGIN_MS;
      let total = 0;
      for (;;) {
        const deleted = await repo.deleteTransfersIdleSince(cutoff, PRUNE_BATCH);
        if (deleted === 0) return total;
        total += deleted;
      }
    },

    /**
     * A signed link to one file of one unit of an order item, for the order's owner only (anyone
     * else: the same 404 as a missing order). Refused with its reason when the unit cannot be
     * downloaded. Each link is a new transfer: a resume uses the link it started with.
     */
    async createLink(
      orderId: string,
      itemId: number,
      viewerSub: string,
      { unit, fileId }: { unit: number; fileId: number },
    ): Promise<string> {
      const { items } = await orders.getOrderForUser(orderId, viewerSub);
      if (!items.some((i) => i.id === itemId && i.type === 'file'))
        throw new NotFoundError('There is no such download in this order.', 'download_not_found');
      const { grant, file } = await grantAndFile(await repo.findGrantOfUnit(itemId, unit), fileId, notInOrder);
      const now = clock();
      const verdict = judgeGrant(stateOf(grant), now);
      if (verdict !== 'available') throw new DownloadProblem(verdict, orderId);
      return `/download/${tokens.sign({ grantId: grant.id, fileId: file.id, expiresAt: now + linkMs })}`;
    },

    /**
     * Checks a link and its grant, applies the counting rule in a transaction that holds the grant,
     * logs the request, and answers with the file (or its range, its sent bytes accounted to the
     * link), a redirect to the storage's presigned URL, or a DownloadProblem.
     */
    async openDownload(token: string, request: DownloadRequest): Promise<DownloadAnswer> {
      const now = clock();
      const { claim, linkExpired, grant, file } = await locate(token, now);
      const orderId = grant.order_id;
      // Refunded or past its access period: nothing about the file is needed to say so.
      const verdict = judgeGrant(stateOf(grant), now);
      if (verdict === 'revoked' || verdict === 'access_expired') throw new DownloadProblem(verdict, orderId);

      const info = await storage.stat(file.storage_key);
      if (!info) {
        log?.error({ fileId: file.id, key: file.storage_key }, 'a product file is missing from storage');
        throw new DownloadProblem('file_unavailable', orderId);
      }
      if (info.size !== file.size)
        log?.warn({ fileId: file.id, stored: info.size, recorded: file.size }, 'a product file changed size in storage');
      const meta = {
        filename: file.filename,
        contentType: file.content_type,
        size: info.size,
        etag: `"${file.sha256.slice(0, 32)}"`,
        lastModified: file.created_at,
      };
      const plan = planRange({
        size: info.size,
        range: request.range,
        ifRange: request.ifRange,
        etag: meta.etag,
        lastModified: meta.lastModified,
      });
      if (plan.kind === 'unsatisfiable') return { kind: 'unsatisfiable', size: info.size };
      const range = plan.kind === 'partial' ? plan : null;
      const head = request.method === 'HEAD';
      // HEAD is answered here (a presigned URL is signed for GET only); GET goes to the storage's URL when it has one.
      const url = head
        ? null
        : await storage.presignedUrl(file.storage_key, {
            filename: file.filename,
            contentType: file.content_type,
            // A presigned URL can be fetched again and again uncounted: it lives only long enough to
            // start the transfer (storage checks the signature when a request starts, not while it runs).
            expiresIn: PRESIGNED_SECONDS,
          });
      // Opened before counting: a download is never counted for a file that cannot be read.
      const opened = head || url ? null : await storage.createReadStream(file.storage_key, range ?? undefined);
      const bytes = head ? 0 : range ? range.end - range.start + 1 : info.size;
      // A redirect's bytes leave from the storage, unseen: all of them are claimed at once.
      const first = url ? bytes : Math.min(bytes, claimBlock(info.size));

      let decision: Awaited<ReturnType<typeof decide>>;
      try {
        decision = await decide(
          claim,
          { type: 'fetch', claim: first, head, ip: request.ip.slice(0, 64), linkExpired },
          info.size,
          now,
          range,
        );
      } catch (err) {
        opened?.destroy();
        throw err;
      }
      if (!decision.ok) {
        opened?.destroy();
        throw new DownloadProblem(decision.reason === 'exhausted' ? 'limit_reached' : decision.reason, orderId);
      }
      const pass = decision.next.downloads;
      const fail = (err: unknown) => log?.error({ err, grantId: claim.grantId }, 'a download’s bytes were not accounted');
      const body =
        opened &&
        accounted(
          opened,
          first,
          async (needed) => {
            const block = Math.max(needed, claimBlock(info.size));
            if (await apply(claim, { type: 'claim', pass, bytes: block }, info.size)) return block;
            log?.info({ grantId: claim.grantId, fileId: file.id }, 'a download was cut off: its link has sent a copy');
            return 0;
          },
          (unsent) => void apply(claim, { type: 'settle', pass, unsent }, info.size).catch(fail),
        );
      return url ? { kind: 'redirect', url } : { kind: 'file', file: meta, range, body };
    },
  };
}

export type DownloadsService = ReturnType<typeof createDownloadsService>;
