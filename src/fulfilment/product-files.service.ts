import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database, Executor } from '../platform/db/db.js';
import { ValidationError } from '../platform/errors.js';
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
async function spool(input: Readable, dir: string) {
  const hash = createHash('sha256');
  let size = 0;
  const path = join(dir, 'upload');
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(input, measure, createWriteStream(path));
  return { path, size, sha256: hash.digest('hex') };
}

/** A file of a product, as the order page lists it (never its storage key). */
export interface DownloadFileView {
  id: number;
  filename: string;
  size: number;
  contentType: string;
}

/** The downloadable files of file products: attaching them (owner CLI, demo data) and listing them. */
export function createProductFilesService({ db, storage, clock = Date.now }: { db: Database; storage: FileStorage; clock?: () => number }) {
  const repo = createProductFilesRepo(db);
  return {
    /**
     * Stores a file and records it for a `file` product, with its size and SHA-256. Inside a
     * caller's transaction when `tx` is given. Stored bytes are content-addressed per product, so
     * attaching the same file twice stores it once; a failed insert removes what it stored.
     */
    async attachFile(productId: number, source: FileSource, tx?: Executor): Promise<ProductFileRow> {
      const { filename, contentType } = checkSource(source);
      const run = tx ?? db.kysely;
      if (!(await repo.isFileProduct(productId, run)))
        throw new ValidationError('Files can only be attached to file products.', { productId }, 'not_a_file_product');
      const tmp = source.buffer ? null : await mkdtemp(join(tmpdir(), 'store-upload-'));
      try {
        const data = source.buffer
          ? { path: null, size: source.buffer.length, sha256: createHash('sha256').update(source.buffer).digest('hex') }
          : await spool(source.stream ?? createReadStream(source.path!), tmp!);
        const key = `products/${productId}/${data.sha256.slice(0, 16)}-${keySafeName(filename)}`;
        await storage.put(key, source.buffer ?? createReadStream(data.path!), contentType, { size: data.size });
        try {
          return await repo.insertFile(
            {
              product_id: productId,
              storage_key: key,
              filename,
              content_type: contentType,
              size: data.size,
              sha256: data.sha256,
              created_at: clock(),
            },
            run,
          );
        } catch (err) {
          if ((await repo.countFilesWithKey(key, run).catch(() => 1)) === 0) await storage.delete(key).catch(() => undefined);
          throw err;
        }
      } finally {
        if (tmp) await rm(tmp, { recursive: true, force: true });
      }
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
  };
}

export type ProductFilesService = ReturnType<typeof createProductFilesService>;
