import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import type { Config } from '../platform/config.js';
import { attachmentDisposition, checkStorageKey, type ByteRange, type FileStorage } from './storage.contract.js';

export type S3StorageConfig = Extract<Config['storage'], { driver: 's3' }>;

export interface S3StorageOptions {
  /** Replaces the HTTP layer (tests build and inspect requests without a network). */
  requestHandler?: S3ClientConfig['requestHandler'];
  /** The time presigned URLs are signed at (tests pass a fixed one). */
  clock?: () => number;
}

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
};

/**
 * S3 or any S3-compatible object store (MinIO, Cloudflare R2, Backblaze B2, Wasabi...), through
 * the AWS SDK. Downloads never pass through the store: buyers are redirected to a presigned GET
 * that names the file (`response-content-disposition`) and expires quickly.
 */
export function createS3Storage(config: S3StorageConfig, options: S3StorageOptions = {}): FileStorage {
  const { clock = Date.now } = options;
  const client = new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    // Checksums only where S3 requires them: several S3-compatible stores reject the newer CRC headers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
  });
  const Bucket = config.bucket;

  return {
    driver: 's3',

    async put(key, body, contentType, { size } = {}) {
      const length = Buffer.isBuffer(body) ? body.length : size;
      // PutObject needs the length up front for a stream (multipart uploads are not used: objects up to 5 GB).
      if (length === undefined) throw new Error('S3 storage: put() of a stream needs its size');
      await client.send(
        new PutObjectCommand({ Bucket, Key: checkStorageKey(key), Body: body, ContentType: contentType, ContentLength: length }),
      );
    },

    async stat(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: checkStorageKey(key) }));
        return { size: head.ContentLength ?? 0, lastModified: head.LastModified?.getTime() ?? 0 };
      } catch (err) {
        if (notFound(err)) return null;
        throw err;
      }
    },

    async createReadStream(key: string, range?: ByteRange) {
      const out = await client.send(
        new GetObjectCommand({ Bucket, Key: checkStorageKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      if (!(out.Body instanceof Readable)) throw new Error('S3 storage: the object body is not a stream');
      return out.Body;
    },

    async presignedUrl(key, { filename, contentType, expiresIn }) {
      const command = new GetObjectCommand({
        Bucket,
        Key: checkStorageKey(key),
        ResponseContentDisposition: attachmentDisposition(filename),
        ResponseContentType: contentType,
        ResponseCacheControl: 'private, no-store',
      });
      return getSignedUrl(client, command, { expiresIn, signingDate: new Date(clock()) });
    },

    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: checkStorageKey(key) }));
    },
  };
}
