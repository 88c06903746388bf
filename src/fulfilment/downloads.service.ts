import { hkdfSync } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Database } from '../platform/db/db.js';
import { AppError, NotFoundError } from '../platform/errors.js';
import { judgeGrant, type GrantState } from './download-state.js';
import type { DownloadTokens } from './download-token.js';
import { createDownloadsRepo, type GrantRow } from './downloads.repo.js';
import { decideAccess, mayCreateLink, planRange, type AccessDecision, type AccessRequest, type RangePlan } from './downloads.rules.js';
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

export type DownloadProblemReason = 'link_invalid' | 'link_expired' | 'revoked' | 'access_expired' | 'limit_reached' | 'file_unavailable';

const problems: Record<DownloadProblemReason, { status: number; title: string; message: string }> = {
  link_invalid: {
    status: 404,
    title: 'This download link is not valid',
    message: 'The link is incomplete or was changed. Make a new one from your order page.',
  },
  link_expired: {
    status: 410,
    title: 'This link has expired',
    message: 'Download links work for a short time only. Make a new one from your order page.',
  },
  revoked: { status: 410, title: 'This purchase was refunded', message: 'Its downloads are no longer available.' },
  access_expired: {
    status: 410,
    title: 'The download period has ended',
    message: 'The downloads of this purchase are no longer available.',
  },
  limit_reached: {
    status: 403,
    title: 'Download limit reached',
    message: 'All downloads of this purchase have been used. If you need another, please contact us.',
  },
  file_unavailable: {
    status: 503,
    title: 'This file is unavailable right now',
    message: 'Please try again in a few minutes, or contact us if it keeps happening.',
  },
};

/** Why a download or a download link is refused; the pages show `title`, `message` and a way back to the order. */
export class DownloadProblem extends AppError {
  readonly title: string;
  constructor(
    readonly reason: DownloadProblemReason,
    /** the order the link belongs to, when known (links back to its page) */
    readonly orderId: string | null,
  ) {
    const p = problems[reason];
    super(`download_${reason}`, p.message, p.status);
    this.title = p.title;
  }
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
  /** requests within this time after a counted download of the same grant and file belong to that transfer */
  resumeWindowMs: number;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

const stateOf = (g: GrantRow): GrantState => ({
  status: g.status,
  downloadsUsed: g.downloads_used,
  downloadLimit: g.download_limit,
  expiresAt: g.expires_at,
});

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

  /** The grant and file a link names, or why the link is not valid or has expired. */
  async function locate(token: string, now: number) {
    const check = tokens.verify(token, now);
    if (!check.ok) {
      if (check.reason === 'tampered') throw new DownloadProblem('link_invalid', null);
      // The signature was valid, so the grant id (the token's first field) is genuine.
      const expired = await repo.findGrantWithOrder(Number(token.split('.')[0]));
      throw new DownloadProblem('link_expired', expired?.order_id ?? null);
    }
    // Signed by us but naming a grant or file that no longer fits (deleted data): not valid either.
    const found = await grantAndFile(
      await repo.findGrantWithOrder(check.claim.grantId),
      check.claim.fileId,
      () => new DownloadProblem('link_invalid', null),
    );
    return { claim: check.claim, ...found };
  }

  /**
   * The counting rule applied while holding the grant: concurrent requests of one grant decide one
   * after the other, and the conditional increment is the last word at the limit. A served GET is
   * logged (`log`); HEAD is not.
   */
  function decide(
    grantId: number,
    fileId: number,
    request: Omit<AccessRequest, 'resumesCounted'>,
    now: number,
    log: { ip: string; range: { start: number; end: number } | null } | null,
  ) {
    return db.transaction(async (tx): Promise<AccessDecision> => {
      const locked = await repo.lockGrant(grantId, tx);
      const resumesCounted = await repo.hasCountedSince(grantId, fileId, now - resumeWindowMs, tx);
      const d = decideAccess(stateOf(locked!), { ...request, resumesCounted }, now);
      if (!d.serve) return d;
      if (d.count && !(await repo.countDownload(grantId, now, tx))) return { serve: false, reason: 'limit_reached' };
      if (log)
        await repo.insertLog(
          {
            grant_id: grantId,
            file_id: fileId,
            ip: log.ip.slice(0, 64),
            range: log.range ? `${log.range.start}-${log.range.end}` : null,
            counted: d.count ? 1 : 0,
            created_at: now,
          },
          tx,
        );
      return d;
    });
  }

  return {
    /**
     * A signed link to one file of one unit of an order item, for the order's owner only (anyone
     * else: the same 404 as a missing order). Refused with its reason when the unit cannot be
     * downloaded; at the limit a link is still given to resume the last download within the window.
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
      const verdict = mayCreateLink(stateOf(grant), await repo.hasCountedSince(grant.id, file.id, now - resumeWindowMs), now);
      if (verdict !== 'available') throw new DownloadProblem(verdict, orderId);
      return `/download/${tokens.sign({ grantId: grant.id, fileId: file.id, expiresAt: now + linkMs })}`;
    },

    /**
     * Checks a link and its grant, applies the counting rule (see decideAccess) in a transaction
     * that holds the grant, logs the request, and answers with the file (or its range), a redirect
     * to the storage's presigned URL, or a DownloadProblem.
     */
    async openDownload(token: string, request: DownloadRequest): Promise<DownloadAnswer> {
      const now = clock();
      const { claim, grant, file } = await locate(token, now);
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
            expiresIn: Math.max(60, Math.ceil((claim.expiresAt - now) / 1000)),
          });
      // Opened before counting: a download is never counted for a file that cannot be read.
      const body = head || url ? null : await storage.createReadStream(file.storage_key, range ?? undefined);

      let decision: AccessDecision;
      try {
        decision = await decide(
          grant.id,
          file.id,
          { startsAtZero: !range || range.start === 0, head },
          now,
          head ? null : { ip: request.ip, range },
        );
      } catch (err) {
        body?.destroy();
        throw err;
      }
      if (!decision.serve) {
        body?.destroy();
        throw new DownloadProblem(decision.reason, orderId);
      }
      return url ? { kind: 'redirect', url } : { kind: 'file', file: meta, range, body };
    },
  };
}

export type DownloadsService = ReturnType<typeof createDownloadsService>;
