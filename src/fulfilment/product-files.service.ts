import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database, Executor } from '../platform/db/db.js';
import { AppError, NotFoundError, ValidationError } from '../platform/errors.js';
import { createProductFilesRepo, type ProductFileRow } from './product-files.repo.js';
import { keySafeName, type FileStorage } from './storage.js';

/** A file to attach: its name as buyers will see it, its type, and its bytes from exactly one of buffer, stream or path. */
export interface FileSource {
  filename: string;
  /** e.g. application/zip; application/octet-stream when not given */
  contentType?: string;
  buffer?: Buffer;
  stream?: Readable;
  path?: string;
  /** refuse (413 `file_too_large`, nothing stored) a stream longer than this */
  maxBytes?: number;
}

/** An upload over the configured size (FILE_MAX_BYTES); nothing of it was stored. */
export class FileTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super('file_too_large', `The file is larger than the ${formatSize(maxBytes)} the shop accepts (FILE_MAX_BYTES).`, 413, { maxBytes });
  }
}

/** Bytes in binary units, as file managers show them. */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

function checkSource(source: FileSource): { filename: string; contentType: string } {
  const filename = source.filename.trim();
  if (filename.length === 0 || filename.length > 255)
    throw new ValidationError('A file name must have 1 to 255 characters.', undefined, 'invalid_filename');
  if (/[\p{Cc}/\\]/u.test(filename))
    throw new ValidationError('A file name cannot contain slashes or control characters.', undefined, 'invalid_filename');
  const contentType = (source.contentType ?? 'application/octet-stream').trim().toLowerCase();
  if (!CONTENT_TYPE.test(contentType))
    throw new ValidationError(`"${contentType}" is not a media type (like application/zip).`, undefined, 'invalid_content_type');
  const given = [source.buffer, source.stream, source.path].filter((s) => s !== undefined).length;
  if (given !== 1) throw new ValidationError('Give the file as exactly one of buffer, stream or path.', undefined, 'invalid_file_source');
  return { filename, contentType };
}

/** Copies a stream to a temporary file while hashing and counting it: storage may need the size before the bytes. */
async function spool(input: Readable, dir: string, maxBytes = Infinity) {
  const hash = createHash('sha256');
  let size = 0;
  const path = join(dir, 'upload');
  let over = false;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      // An upload cut off at maxBytes + 1 (multipart's fileSize) is read to its end, so the request
      // is consumed and the owner sees the 413 page, and refused there, before storage sees it.
      over ||= size > maxBytes;
      done(null, over ? undefined : chunk);
    },
    flush(done) {
      done(over ? new FileTooLargeError(maxBytes) : null);
    },
  });
  await pipeline(input, measure, createWriteStream(path));
  return { path, size, sha256: hash.digest('hex') };
}

/** Bytes put in storage for a product, not yet recorded as one of its files. */
export interface StoredBytes {
  productId: number;
  storage_key: string;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
}

/** A file of a product, as the order page lists it (never its storage key). */
export interface DownloadFileView {
  id: number;
  filename: string;
  size: number;
  contentType: string;
}

/** The downloadable files of file products: attaching, replacing and removing them (owner CLI and /admin, demo data) and listing them. */
export function createProductFilesService({ db, storage, clock = Date.now }: { db: Database; storage: FileStorage; clock?: () => number }) {
  const repo = createProductFilesRepo(db);

  /**
   * Checks a source, spools it (hashing and counting it, never whole in memory) and puts it in
   * storage under a content-addressed key. Runs outside any transaction: a long upload holds no
   * database lock; the row is written afterwards (recordStored, replaceWithStored).
   */
  async function storeBytes(productId: number, source: FileSource, run: Executor = db.kysely): Promise<StoredBytes> {
    const { filename, contentType } = await Promise.resolve()
      .then(async () => {
        const checked = checkSource(source);
        if (!(await repo.isFileProduct(productId, run)))
          throw new ValidationError('Files can only be attached to file products.', { productId }, 'not_a_file_product');
        return checked;
      })
      .catch((err: unknown) => {
        // Refused before reading: the rest of an upload is drained, so the browser gets the answer.
        source.stream?.resume();
        throw err;
      });
    const tmp = source.buffer ? null : await mkdtemp(join(tmpdir(), 'store-upload-'));
    try {
      const data = source.buffer
        ? { path: null, size: source.buffer.length, sha256: createHash('sha256').update(source.buffer).digest('hex') }
        : await spool(source.stream ?? createReadStream(source.path!), tmp!, source.maxBytes);
      const key = `products/${productId}/${data.sha256.slice(0, 16)}-${keySafeName(filename)}`;
      await storage.put(key, source.buffer ?? createReadStream(data.path!), contentType, { size: data.size });
      return { productId, storage_key: key, filename, content_type: contentType, size: data.size, sha256: data.sha256 };
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Writes the row for stored bytes; if that fails, the bytes go unless a served file uses them. */
  async function saveOrDrop(stored: StoredBytes, run: Executor, save: () => Promise<ProductFileRow>): Promise<ProductFileRow> {
    try {
      return await save();
    } catch (err) {
      if ((await repo.countFilesWithKey(stored.storage_key, run).catch(() => 1)) === 0)
        await storage.delete(stored.storage_key).catch(() => undefined);
      throw err;
    }
  }

  const columns = ({ productId: _p, ...c }: StoredBytes) => c;

  return {
    /**
     * Stores a file and records it for a `file` product, with its size and SHA-256. Inside a
     * caller's transaction when `tx` is given. Stored bytes are content-addressed per product, so
     * attaching the same file twice stores it once; a failed insert removes what it stored.
     */
    async attachFile(productId: number, source: FileSource, tx?: Executor): Promise<ProductFileRow> {
      const run = tx ?? db.kysely;
      const stored = await storeBytes(productId, source, run);
      return saveOrDrop(stored, run, () => repo.insertFile({ product_id: productId, ...columns(stored), created_at: clock() }, run));
    },

    /** Step one of an upload from the browser: the bytes into storage, before any transaction. */
    storeUpload: (productId: number, source: FileSource) => storeBytes(productId, source),

    /** Step two: the stored bytes become a new file of their product, inside the caller's transaction. */
    recordStored(stored: StoredBytes, tx: Executor): Promise<ProductFileRow> {
      return saveOrDrop(stored, tx, () => repo.insertFile({ product_id: stored.productId, ...columns(stored), created_at: clock() }, tx));
    },

    /**
     * Puts stored bytes behind an existing file (same id): every grant, and every link already
     * handed out, serves the new version. Returns the row before and after; the caller drops the
     * old bytes (dropUnusedBytes) once its transaction has committed.
     */
    async replaceWithStored(fileId: number, stored: StoredBytes, tx: Executor): Promise<{ before: ProductFileRow; after: ProductFileRow }> {
      const before = await repo.findFile(fileId, tx);
      if (!before || before.product_id !== stored.productId)
        throw new NotFoundError('That file is not attached to this product.', 'file_not_found');
      const after = await saveOrDrop(stored, tx, () => repo.updateFile(fileId, { ...columns(stored), created_at: clock() }, tx));
      return { before, after };
    },

    /** Takes a file out of service (buyers no longer see or download it); the bytes go with dropUnusedBytes after commit. */
    async removeFile(fileId: number, tx: Executor): Promise<ProductFileRow> {
      const file = await repo.findFile(fileId, tx);
      if (!file) throw new NotFoundError('That file is not attached to this product.', 'file_not_found');
      await repo.markRemoved(fileId, clock(), tx);
      return file;
    },

    /** Deletes stored bytes no served file refers to any more (after a replace or remove has committed). */
    async dropUnusedBytes(storageKey: string): Promise<void> {
      if ((await repo.countFilesWithKey(storageKey)) === 0) await storage.delete(storageKey);
    },

    /** The files of each product, oldest first, as the order page shows them. */
    async listFiles(productIds: number[]): Promise<Map<number, DownloadFileView[]>> {
      const files = new Map<number, DownloadFileView[]>(productIds.map((id) => [id, []]));
      for (const f of await repo.findFilesOfProducts([...new Set(productIds)])) {
        files.get(f.product_id)?.push({ id: f.id, filename: f.filename, size: f.size, contentType: f.content_type });
      }
      return files;
    },

    findFile: (id: number) => repo.findFile(id),

    /** A product's served files with their size, SHA-256 and upload time, for the owner (never the storage key). */
    async listFilesForOwner(productId: number) {
      const rows = await repo.findFilesOfProducts([productId]);
      return rows.map((f) => ({
        id: f.id,
        filename: f.filename,
        contentType: f.content_type,
        size: f.size,
        sha256: f.sha256,
        uploadedAt: f.created_at,
      }));
    },
  };
}

export type ProductFilesService = ReturnType<typeof createProductFilesService>;
