import type { Readable } from 'node:stream';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import { importKeyText, KeysRefused, type KeyProblem } from '../fulfilment/key-file.js';
import { MAX_LOW_STOCK, type KeyPoolService } from '../fulfilment/key-pool.service.js';
import type { ProductFilesService } from '../fulfilment/product-files.service.js';
import type { Database } from '../platform/db/db.js';
import { AppError, ConflictError, NotFoundError } from '../platform/errors.js';

export interface AdminStockDeps {
  db: Database;
  catalog: Pick<CatalogService, 'getProductForOwner'>;
  keyPool: Pick<KeyPoolService, 'importKeys' | 'findKeysInPools' | 'countByStatus' | 'getLowStockSettings' | 'setLowStockThreshold'>;
  productFiles: Pick<
    ProductFilesService,
    'storeUpload' | 'recordStored' | 'replaceWithStored' | 'removeFile' | 'dropUnusedBytes' | 'listFilesForOwner'
  >;
  audit: Pick<AuditService, 'recordOwnerAction'>;
  /** Orders paid after their reservation ended wait for keys; an import delivers them (as `keys import` does). */
  fulfilWaitingFor?: (productId: number) => Promise<string[]>;
  /** FILE_MAX_BYTES: a larger upload is refused with nothing stored */
  fileMaxBytes: number;
}

/** An import's outcome: how many keys were added, or the refusal with every bad line (nothing imported). */
export type KeyImportResult = { ok: true; added: number; delivered: string[] } | { ok: false; message: string; lines: KeyProblem[] };

/** A threshold form's outcome: saved, or the message beside the field. */
export type ThresholdResult = { ok: true } | { ok: false; error: string };

/** An uploaded file as the routes read it from the multipart stream. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  stream: Readable;
}

const WHOLE = /^\d{1,7}$/;

/** Key pools and product files from /admin: the same services as the CLI, each change with its audit row in one transaction. */
export function createAdminStockService({ db, catalog, keyPool, productFiles, audit, fulfilWaitingFor, fileMaxBytes }: AdminStockDeps) {
  /** The product behind a keys or files page: 404 unless it exists and has that kind of stock. */
  async function productOf(sku: string, type: 'key_lim' | 'file') {
    const p = await catalog.getProductForOwner(sku);
    if (!p) throw new NotFoundError('We could not find that product.', 'product_not_found');
    if (p.type !== type)
      throw new NotFoundError(type === 'key_lim' ? `${p.sku} has no key pool.` : `${p.sku} has no files to manage.`, 'not_found');
    return { id: p.id, sku: p.sku, name: p.name, status: p.status };
  }

  return {
    /** FILE_MAX_BYTES, for the upload's multipart limit. */
    maxUploadBytes: fileMaxBytes,

    /** `/admin/products/:sku/keys`: the pool's counts and threshold (never a key). */
    async getKeysPage(sku: string) {
      const product = await productOf(sku, 'key_lim');
      const [counts, lowStock] = await Promise.all([keyPool.countByStatus([product.id]), keyPool.getLowStockSettings(product.id)]);
      return { product, counts: counts.get(product.id)!, lowStock };
    },

    /** Imports pasted or uploaded keys, all or nothing; the audit row carries the count, never a key. */
    async importKeys(actor: AuditActor, sku: string, text: string, source: 'file' | 'pasted text'): Promise<KeyImportResult> {
      const product = await productOf(sku, 'key_lim');
      try {
        const { added } = await db.transaction(async (tx) => {
          const r = await importKeyText({ db, keyPool }, product.id, text, { source, tx });
          await audit.recordOwnerAction(
            { actor, action: 'product.keys.import', subject: product.sku, after: { added: r.added, source } },
            tx,
          );
          return r;
        });
        return { ok: true, added, delivered: (await fulfilWaitingFor?.(product.id)) ?? [] };
      } catch (err) {
        if (err instanceof KeysRefused) return { ok: false, message: err.message, lines: err.lines };
        if (err instanceof AppError && err.code === 'no_keys') return { ok: false, message: err.message, lines: [] };
        throw err;
      }
    },

    /** Sets the product's low-stock threshold: a whole number 0 to MAX_LOW_STOCK, or empty for the default. */
    async setThreshold(actor: AuditActor, sku: string, raw: string): Promise<ThresholdResult> {
      const product = await productOf(sku, 'key_lim');
      const value = raw.trim();
      if (value !== '' && !(WHOLE.test(value) && Number(value) <= MAX_LOW_STOCK))
        return { ok: false, error: `Enter a whole number from 0 to ${MAX_LOW_STOCK}, or leave it empty for the shop’s default.` };
      const threshold = value === '' ? null : Number(value);
      await db.transaction(async (tx) => {
        const before = (await keyPool.getLowStockSettings(product.id, tx)).own;
        if (before === threshold) return;
        await keyPool.setLowStockThreshold(product.id, threshold, tx);
        await audit.recordOwnerAction(
          { actor, action: 'product.low_stock_threshold', subject: product.sku, before: { threshold: before }, after: { threshold } },
          tx,
        );
      });
      return { ok: true };
    },

    /** `/admin/products/:sku/files`: the files buyers download, with size, SHA-256 and upload time. */
    async getFilesPage(sku: string) {
      const product = await productOf(sku, 'file');
      return { product, files: await productFiles.listFilesForOwner(product.id), maxBytes: fileMaxBytes };
    },

    /**
     * Streams an upload into storage (spooled and hashed on the way, never whole in memory), then
     * records it as a new file of the product with its audit row. The upload runs before the
     * transaction: a slow one holds no database lock.
     */
    async uploadFile(actor: AuditActor, sku: string, upload: UploadedFile) {
      const product = await productOf(sku, 'file');
      const stored = await productFiles.storeUpload(product.id, { ...upload, maxBytes: fileMaxBytes });
      return undoing(stored.storage_key, () =>
        db.transaction(async (tx) => {
          const file = await productFiles.recordStored(stored, tx);
          await audit.recordOwnerAction({ actor, action: 'product.file.upload', subject: product.sku, after: described(file) }, tx);
          return file;
        }),
      );
    },

    /** Puts new bytes behind one of the product's files: existing grants and links download the new version. */
    async replaceFile(actor: AuditActor, sku: string, fileId: number, upload: UploadedFile) {
      const product = await productOf(sku, 'file');
      await fileOf(product.id, fileId);
      const stored = await productFiles.storeUpload(product.id, { ...upload, maxBytes: fileMaxBytes });
      const { before, after } = await undoing(stored.storage_key, () =>
        db.transaction(async (tx) => {
          const r = await productFiles.replaceWithStored(fileId, stored, tx);
          const action = 'product.file.replace';
          await audit.recordOwnerAction(
            { actor, action, subject: product.sku, before: described(r.before), after: described(r.after) },
            tx,
          );
          return r;
        }),
      );
      if (before.storage_key !== after.storage_key) await productFiles.dropUnusedBytes(before.storage_key);
      return after;
    },

    /**
     * Removes a file. The last file of an active product cannot be removed (its buyers would have
     * nothing to download): replace it, or take the product out of sale first.
     */
    async removeFile(actor: AuditActor, sku: string, fileId: number) {
      const product = await productOf(sku, 'file');
      const files = await fileOf(product.id, fileId);
      if (product.status === 'active' && files.length === 1)
        throw new ConflictError(
          'last_file',
          `${files[0]!.filename} is the only file of ${product.sku}, which is on sale: replace it instead, or set the product to draft or archived before removing it.`,
        );
      const removed = await db.transaction(async (tx) => {
        const file = await productFiles.removeFile(fileId, tx);
        await audit.recordOwnerAction({ actor, action: 'product.file.remove', subject: product.sku, before: described(file) }, tx);
        return file;
      });
      await productFiles.dropUnusedBytes(removed.storage_key);
      return removed;
    },
  };

  /** Runs the write of stored bytes; if it fails, the bytes go too unless a served file uses them. */
  async function undoing<T>(storageKey: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      await productFiles.dropUnusedBytes(storageKey).catch(() => undefined);
      throw err;
    }
  }

  /** The product's files, after checking that `fileId` is one of them (anything else: 404). */
  async function fileOf(productId: number, fileId: number) {
    const files = await productFiles.listFilesForOwner(productId);
    if (!files.some((f) => f.id === fileId)) throw new NotFoundError('That file is not attached to this product.', 'file_not_found');
    return files;
  }
}

/** What the audit log keeps of a file: never its storage key. */
const described = (f: { filename: string; size: number; sha256: string }) => ({ name: f.filename, size: f.size, sha256: f.sha256 });

export type AdminStockService = ReturnType<typeof createAdminStockService>;
export type AdminKeysPage = Awaited<ReturnType<AdminStockService['getKeysPage']>>;
export type AdminFilesPage = Awaited<ReturnType<AdminStockService['getFilesPage']>>;
