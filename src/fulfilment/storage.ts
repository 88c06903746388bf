import type { Config } from '../platform/config.js';
import type { FileStorage } from './storage.contract.js';
import { createLocalStorage } from './storage.local.js';

// The backends import the contract, not this file, so choosing one never makes a cycle.
export * from './storage.contract.js';

/** The storage backend configuration chooses: a local directory (default) or S3-compatible object storage. */
export function createStorage(config: Config['storage']): FileStorage {
  if (config.driver !== 's3') return createLocalStorage(config.dir);
  // The AWS SDK (some 50 MB of memory) is loaded only by stores that keep their files on S3.
  const s3 = import('./storage.s3.js').then((m) => m.createS3Storage(config));
  return {
    driver: 's3',
    put: async (...args) => (await s3).put(...args),
    stat: async (key) => (await s3).stat(key),
    createReadStream: async (key, range) => (await s3).createReadStream(key, range),
    presignedUrl: async (key, options) => (await s3).presignedUrl(key, options),
    delete: async (key) => (await s3).delete(key),
  };
}

/**
 * The origin buyers' browsers are redirected to for downloads, or null when the store serves files
 * itself. Found by signing a link, so it is exactly what the S3 client builds (custom endpoint, path
 * or virtual-host style). The download form's POST ends in a redirect there, and Chrome applies the
 * CSP's form-action to every redirect after a form post: it must be listed there.
 */
export async function downloadOrigin(storage: FileStorage): Promise<string | null> {
  const url = await storage.presignedUrl('origin-probe', { filename: 'probe', contentType: 'application/octet-stream', expiresIn: 60 });
  return url === null ? null : new URL(url).origin;
}
