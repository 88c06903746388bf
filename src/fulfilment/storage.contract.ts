import type { Readable } from 'node:stream';
import { AppError } from '../platform/errors.js';

/** Inclusive byte offsets, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredObjectInfo {
  size: number;
  /** epoch ms */
  lastModified: number;
}

export interface PresignOptions {
  /** the name the buyer's browser saves the file under */
  filename: string;
  contentType: string;
  /** seconds */
  expiresIn: number;
}

/**
 * Where product files live. Keys are relative, slash-separated names chosen by the store
 * (`checkStorageKey`); every method refuses anything else before touching the backend.
 */
export interface FileStorage {
  readonly driver: 'local' | 's3';
  /** Stores an object; a stream needs `size` for backends that must know the length up front (S3). */
  put(key: string, body: Readable | Buffer, contentType: string, options?: { size?: number }): Promise<void>;
  /** Size and modification time, or null when there is no such object. */
  stat(key: string): Promise<StoredObjectInfo | null>;
  /** The object's bytes, or the inclusive range of them; rejects when the object is missing. */
  createReadStream(key: string, range?: ByteRange): Promise<Readable>;
  /** A signed, expiring URL the buyer's browser can fetch directly; null when the store streams the file itself. */
  presignedUrl(key: string, options: PresignOptions): Promise<string | null>;
  /** Removes an object; a missing object is not an error. */
  delete(key: string): Promise<void>;
}

/** A storage key that could name something outside the store's files. */
export class InvalidStorageKeyError extends AppError {
  constructor(reason: string) {
    super('invalid_storage_key', `Invalid storage key: ${reason}.`, 400);
  }
}

// One segment: letters, digits, dot, dash, underscore; never starting with a dot, so `.`, `..` and
// hidden names cannot appear. No backslash, colon, percent or NUL can get through either.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** Refuses keys that are empty, absolute, contain `..`, NUL, backslashes or odd characters; returns the key. */
export function checkStorageKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidStorageKeyError('empty');
  if (key.length > 500) throw new InvalidStorageKeyError('longer than 500 characters');
  if (key.includes('\0')) throw new InvalidStorageKeyError('contains NUL');
  if (key.startsWith('/') || key.startsWith('\\') || /^[A-Za-z]:/.test(key)) throw new InvalidStorageKeyError('absolute path');
  for (const segment of key.split('/')) {
    if (segment === '..' || segment === '.') throw new InvalidStorageKeyError('contains . or ..');
    if (!SEGMENT.test(segment))
      throw new InvalidStorageKeyError('segments may only hold letters, digits, ".", "-" and "_", and not start with "."');
  }
  return key;
}

/** A key-safe rendering of a file name: "Inkwell Brush Pack (v2).zip" -> "Inkwell-Brush-Pack-v2-.zip". */
export function keySafeName(filename: string): string {
  const safe = filename
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 100);
  return safe.length > 0 ? safe : 'file';
}

/**
 * `Content-Disposition: attachment` for any file name (RFC 6266): an ASCII fallback in `filename`
 * and the exact UTF-8 name in `filename*` (RFC 8187), so quotes, semicolons, line breaks or
 * non-Latin letters can neither break the header nor change its meaning.
 */
export function attachmentDisposition(filename: string): string {
  const name = filename.replace(/\p{Cc}/gu, '').trim() || 'download';
  const fallback = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\/%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
