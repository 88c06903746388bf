import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkStorageKey, InvalidStorageKeyError, type ByteRange, type FileStorage } from './storage.contract.js';

/** Files in a directory on this machine (one instance, or a volume all instances share). The store streams them itself. */
export function createLocalStorage(dir: string): FileStorage {
  const root = resolve(dir);
  const pathOf = (key: string) => {
    const path = resolve(root, checkStorageKey(key));
    // The key rules already keep paths inside; this is the second lock on the same door.
    if (!path.startsWith(root + sep)) throw new InvalidStorageKeyError('outside the storage directory');
    return path;
  };

  return {
    driver: 'local',

    async put(key, body) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      // Written beside and renamed into place: a reader never sees half a file.
      const part = `${path}.${randomBytes(6).toString('hex')}.part`;
      try {
        await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(part, { flags: 'wx' }));
        await rename(part, path);
      } catch (err) {
        await rm(part, { force: true });
        throw err;
      }
    },

    async stat(key) {
      try {
        const s = await stat(pathOf(key));
        return s.isFile() ? { size: s.size, lastModified: Math.floor(s.mtimeMs) } : null;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
        throw err;
      }
    },

    async createReadStream(key: string, range?: ByteRange) {
      // Opened first, so a missing file rejects here rather than failing mid-response.
      const handle = await open(pathOf(key), 'r');
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    },

    presignedUrl: async () => null,

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
