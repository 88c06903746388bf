import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProductFilesService, type ProductFilesService } from '../../src/fulfilment/product-files.service.js';
import { createStorage, downloadOrigin, type FileStorage } from '../../src/fulfilment/storage.js';
import { createLocalStorage } from '../../src/fulfilment/storage.local.js';
import { createS3Storage, type S3StorageConfig } from '../../src/fulfilment/storage.s3.js';
import { ConfigError } from '../../src/platform/config.js';
import { testConfig } from '../support/env.js';
import { createTestApp } from '../support/app.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { catalogFixtures, makeFileProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';

const text = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

describe('local directory storage', () => {
  let dir: string;
  let storage: FileStorage;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-local-'));
    storage = createLocalStorage(join(dir, 'files'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores buffers and streams, reports size, reads whole files and inclusive ranges, deletes', async () => {
    await storage.put('products/1/hello.txt', Buffer.from('hello, world'), 'text/plain');
    await storage.put('products/1/stream.bin', Readable.from([Buffer.from('0123'), Buffer.from('456789')]), 'application/octet-stream');
    expect(readFileSync(join(dir, 'files/products/1/hello.txt'), 'utf8')).toBe('hello, world');
    expect(await storage.stat('products/1/hello.txt')).toEqual({ size: 12, lastModified: expect.any(Number) as number });
    expect(await text(await storage.createReadStream('products/1/stream.bin'))).toBe('0123456789');
    expect(await text(await storage.createReadStream('products/1/stream.bin', { start: 2, end: 5 }))).toBe('2345');
    expect(await text(await storage.createReadStream('products/1/stream.bin', { start: 9, end: 9 }))).toBe('9');
    expect(await storage.presignedUrl('products/1/hello.txt', { filename: 'a.txt', contentType: 'text/plain', expiresIn: 60 })).toBeNull();

    await storage.delete('products/1/hello.txt');
    await storage.delete('products/1/hello.txt'); // already gone: fine
    expect(await storage.stat('products/1/hello.txt')).toBeNull();
    await expect(storage.createReadStream('products/1/hello.txt')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await storage.stat('products/1')).toBeNull(); // a directory is not an object
  });

  it('refuses keys that leave the directory, before touching the file system', async () => {
    writeFileSync(join(dir, 'secret.txt'), 'do not serve');
    for (const key of [
      '../secret.txt',
      'products/../../secret.txt',
      join(dir, 'secret.txt'),
      'products/\0x',
      '..',
      'products\\..\\..\\secret.txt',
    ]) {
      await expect(storage.put(key, Buffer.from('overwritten'), 'text/plain')).rejects.toMatchObject({ code: 'invalid_storage_key' });
      await expect(storage.stat(key)).rejects.toMatchObject({ code: 'invalid_storage_key' });
      await expect(storage.createReadStream(key)).rejects.toMatchObject({ code: 'invalid_storage_key' });
      await expect(storage.delete(key)).rejects.toMatchObject({ code: 'invalid_storage_key' });
    }
    expect(readFileSync(join(dir, 'secret.txt'), 'utf8')).toBe('do not serve');
  });

  it('leaves nothing behind when a stream fails half way, and keeps the previous version', async () => {
    await storage.put('products/2/file.bin', Buffer.from('version 1'), 'application/octet-stream');
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('connection lost'));
      },
    });
    await expect(storage.put('products/2/file.bin', failing, 'application/octet-stream')).rejects.toThrow('connection lost');
    expect(readdirSync(join(dir, 'files/products/2'))).toEqual(['file.bin']);
    expect(await text(await storage.createReadStream('products/2/file.bin'))).toBe('version 1');
  });
});

describe('S3 storage (requests built and signed without a network)', () => {
  const config: S3StorageConfig = {
    driver: 's3',
    bucket: 'shop-files',
    region: 'eu-central-1',
    endpoint: 'http://minio.local:9000',
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    forcePathStyle: true,
  };
  const signedAt = Date.UTC(2026, 2, 14, 9, 26, 53);
  type Seen = { method: string; hostname: string; port?: number; path: string; headers: Record<string, string>; body?: unknown };
  type Answer = { statusCode: number; headers?: Record<string, string>; body?: string };
  function fakeS3(answer: (req: Seen) => Answer) {
    const seen: Seen[] = [];
    const requestHandler = {
      async handle(req: Seen) {
        seen.push(req);
        const a = answer(req);
        return {
          response: { statusCode: a.statusCode, headers: a.headers ?? {}, body: Readable.from(a.body ? [Buffer.from(a.body)] : []) },
        };
      },
    };
    return { seen, storage: createS3Storage(config, { requestHandler: requestHandler as never, clock: () => signedAt }) };
  }

  it('asks for objects by path-style URL with a SigV4 Authorization header, ranges as Range headers', async () => {
    const { seen, storage } = fakeS3((req): Answer =>
      req.method === 'HEAD'
        ? { statusCode: 200, headers: { 'content-length': '5501', 'last-modified': 'Sat, 14 Mar 2026 09:00:00 GMT' } }
        : req.method === 'GET'
          ? { statusCode: 206, headers: { 'content-length': '5', 'content-range': 'bytes 10-14/5501' }, body: 'hello' }
          : { statusCode: req.method === 'DELETE' ? 204 : 200 },
    );
    expect(await storage.stat('products/7/abc-Cobalt-Mono.zip')).toEqual({ size: 5501, lastModified: Date.UTC(2026, 2, 14, 9) });
    expect(await text(await storage.createReadStream('products/7/abc-Cobalt-Mono.zip', { start: 10, end: 14 }))).toBe('hello');
    await storage.put('products/7/abc-Cobalt-Mono.zip', Buffer.from('zip bytes'), 'application/zip');
    await storage.delete('products/7/abc-Cobalt-Mono.zip');

    expect(seen.map((r) => [r.method, r.hostname, r.path])).toEqual([
      ['HEAD', 'minio.local', '/shop-files/products/7/abc-Cobalt-Mono.zip'],
      ['GET', 'minio.local', '/shop-files/products/7/abc-Cobalt-Mono.zip'],
      ['PUT', 'minio.local', '/shop-files/products/7/abc-Cobalt-Mono.zip'],
      ['DELETE', 'minio.local', '/shop-files/products/7/abc-Cobalt-Mono.zip'],
    ]);
    for (const r of seen)
      expect(r.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/s3\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
      );
    expect(seen[1]!.headers.range).toBe('bytes=10-14');
    expect(seen[2]!.headers).toMatchObject({ 'content-type': 'application/zip', 'content-length': '9' });
    // No CRC checksum headers: several S3-compatible stores refuse them.
    expect(Object.keys(seen[2]!.headers).filter((h) => h.startsWith('x-amz-checksum') || h === 'x-amz-sdk-checksum-algorithm')).toEqual([]);
  });

  it('reports a missing object as null and refuses a stream of unknown size', async () => {
    const { storage } = fakeS3(() => ({ statusCode: 404 }));
    expect(await storage.stat('products/7/missing.zip')).toBeNull();
    await expect(storage.put('products/7/x.zip', Readable.from([Buffer.from('x')]), 'application/zip')).rejects.toThrow('needs its size');
  });

  it('refuses unsafe keys before any request is made', async () => {
    const { seen, storage } = fakeS3(() => ({ statusCode: 200 }));
    for (const key of ['../other-bucket/x', '/abs', 'a/../../b', 'a\0b']) {
      await expect(storage.stat(key)).rejects.toMatchObject({ code: 'invalid_storage_key' });
      await expect(storage.presignedUrl(key, { filename: 'x', contentType: 'text/plain', expiresIn: 60 })).rejects.toMatchObject({
        code: 'invalid_storage_key',
      });
    }
    expect(seen).toEqual([]);
  });

  it('presigns a GET that expires, names the file and can be verified with the secret key', async () => {
    const { seen, storage } = fakeS3(() => ({ statusCode: 200 }));
    const url = new URL(
      (await storage.presignedUrl('products/7/abc-Cobalt-Mono.zip', {
        filename: 'Cobalt Mono "v2" – Ünïcode.zip',
        contentType: 'application/zip',
        expiresIn: 900,
      }))!,
    );
    expect(seen).toEqual([]); // signed locally, nothing sent
    expect(url.origin + url.pathname).toBe('http://minio.local:9000/shop-files/products/7/abc-Cobalt-Mono.zip');
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20260314/eu-central-1/s3/aws4_request',
      'X-Amz-Date': '20260314T092653Z',
      'X-Amz-Expires': '900',
      'X-Amz-SignedHeaders': 'host',
      'response-content-type': 'application/zip',
      'response-content-disposition': `attachment; filename="Cobalt Mono _v2_ _ Unicode.zip"; filename*=UTF-8''Cobalt%20Mono%20%22v2%22%20%E2%80%93%20%C3%9Cn%C3%AFcode.zip`,
    });
    expect(q['X-Amz-Signature']).toBe(sigV4QuerySignature(url, config.secretAccessKey, config.region));
    // Any change to what was signed breaks the signature.
    const tampered = new URL(url);
    tampered.searchParams.set('X-Amz-Expires', '604800');
    expect(sigV4QuerySignature(tampered, config.secretAccessKey, config.region)).not.toBe(q['X-Amz-Signature']);
  });

  it('uses virtual-hosted URLs on AWS itself', async () => {
    const aws = createS3Storage({ ...config, endpoint: null, forcePathStyle: false }, { clock: () => signedAt });
    const url = new URL(
      (await aws.presignedUrl('products/7/a.zip', { filename: 'a.zip', contentType: 'application/zip', expiresIn: 60 }))!,
    );
    expect(url.origin + url.pathname).toBe('https://shop-files.s3.eu-central-1.amazonaws.com/products/7/a.zip');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
  });
});

/** The AWS Signature Version 4 of a presigned URL, computed independently of the SDK (docs.aws.amazon.com, "query string authentication"). */
function sigV4QuerySignature(url: URL, secret: string, region: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = [...url.searchParams]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = ['GET', url.pathname, query, `host:${url.host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const day = amzDate.slice(0, 8);
  const toSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    `${day}/${region}/s3/aws4_request`,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  const key = [day, region, 's3', 'aws4_request'].reduce<Buffer>(
    (k, part) => createHmac('sha256', k).update(part).digest(),
    Buffer.from(`AWS4${secret}`),
  );
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('storage configuration', () => {
  it('uses a local directory by default', () => {
    expect(testConfig({ STORAGE_DIR: '/srv/files' }).storage).toEqual({ driver: 'local', dir: '/srv/files' });
    expect(createStorage(testConfig().storage).driver).toBe('local');
  });

  it('lists every missing S3 variable when the driver is s3', () => {
    const attempt = () => testConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'shop-files' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'S3_REGION: required when STORAGE_DRIVER=s3',
        'S3_ACCESS_KEY_ID: required when STORAGE_DRIVER=s3',
        'S3_SECRET_ACCESS_KEY: required when STORAGE_DRIVER=s3',
      ]);
    }
    expect(() => testConfig({ STORAGE_DRIVER: 'ftp' })).toThrow(/STORAGE_DRIVER/);
    expect(() =>
      testConfig({
        STORAGE_DRIVER: 's3',
        S3_BUCKET: 'b',
        S3_REGION: 'r',
        S3_ACCESS_KEY_ID: 'k',
        S3_SECRET_ACCESS_KEY: 's',
        S3_ENDPOINT: 'minio:9000',
      }),
    ).toThrow(/S3_ENDPOINT/);
  });

  it('builds the S3 backend from complete settings', () => {
    const config = testConfig({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'shop-files',
      S3_REGION: 'auto',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_ENDPOINT: 'https://acc.r2.cloudflarestorage.com',
      S3_FORCE_PATH_STYLE: 'true',
    });
    expect(config.storage).toEqual({
      driver: 's3',
      bucket: 'shop-files',
      region: 'auto',
      endpoint: 'https://acc.r2.cloudflarestorage.com',
      accessKeyId: 'key',
      secretAccessKey: 'secret',
      forcePathStyle: true,
    });
    expect(createStorage(config.storage).driver).toBe('s3');
  });
});

describe('form-action and where downloads go', () => {
  const s3 = {
    STORAGE_DRIVER: 's3',
    S3_BUCKET: 'shop-files',
    S3_REGION: 'eu-central-1',
    S3_ACCESS_KEY_ID: 'key',
    S3_SECRET_ACCESS_KEY: 'secret',
  };
  const formAction = async (env: Record<string, string>) => {
    const t = await createTestApp('sqlite', env);
    try {
      const csp = String((await t.app.inject('/about')).headers['content-security-policy']);
      return /form-action ([^;]*)/.exec(csp)![1]!.split(' ');
    } finally {
      await t.close();
    }
  };

  it('allows the bucket a download redirects to: Chrome applies form-action to the redirects after the download form', async () => {
    expect(await formAction({ ...s3, S3_ENDPOINT: 'https://files.shop.example', S3_FORCE_PATH_STYLE: 'true' })).toContain(
      'https://files.shop.example',
    );
    expect(await formAction(s3)).toContain('https://shop-files.s3.eu-central-1.amazonaws.com');
    const local = await formAction({});
    expect(local.filter((origin) => /files\.shop|amazonaws/.test(origin))).toEqual([]);
    expect(await downloadOrigin(createLocalStorage(tmpdir()))).toBeNull();
  });
});

describe.each(testDialects)('product files on %s', (dialect) => {
  let db: TestDatabase;
  let fx: CatalogFixtures;
  let dir: string;
  let storage: FileStorage;
  let files: ProductFilesService;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    fx = catalogFixtures(db);
    dir = mkdtempSync(join(tmpdir(), 'store-files-'));
    storage = createLocalStorage(dir);
    files = createProductFilesService({ db, storage, clock: () => 1_800_000_000_000 });
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('attaches files from a buffer, a stream or a path, with their size and SHA-256, and lists them', async () => {
    const product = await makeFileProduct(fx.catalog);
    const other = await makeFileProduct(fx.catalog);
    const bytes = Buffer.from('PK demo archive bytes');
    const a = await files.attachFile(product.id, { filename: 'Manual (EN).pdf', contentType: 'application/pdf', buffer: bytes });
    const b = await files.attachFile(product.id, {
      filename: 'Fonts – Ünïcode.zip',
      contentType: 'Application/ZIP',
      stream: Readable.from([Buffer.from('abc'), Buffer.from('def')]),
    });
    writeFileSync(join(dir, 'source.bin'), 'from a path');
    const c = await files.attachFile(other.id, { filename: 'data.bin', path: join(dir, 'source.bin') });

    const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
    expect(a).toMatchObject({
      product_id: product.id,
      filename: 'Manual (EN).pdf',
      content_type: 'application/pdf',
      size: bytes.length,
      sha256: sha(bytes),
      created_at: 1_800_000_000_000,
    });
    expect(b).toMatchObject({ content_type: 'application/zip', size: 6, sha256: sha('abcdef') });
    expect(c).toMatchObject({ content_type: 'application/octet-stream', size: 11, sha256: sha('from a path') });
    expect(a.storage_key).toBe(`products/${product.id}/${sha(bytes).slice(0, 16)}-Manual-EN-.pdf`);
    expect(readFileSync(join(dir, b.storage_key), 'utf8')).toBe('abcdef');

    expect(await files.listFiles([product.id, other.id, 999_999])).toEqual(
      new Map([
        [
          product.id,
          [
            { id: a.id, filename: 'Manual (EN).pdf', size: bytes.length, contentType: 'application/pdf' },
            { id: b.id, filename: 'Fonts – Ünïcode.zip', size: 6, contentType: 'application/zip' },
          ],
        ],
        [other.id, [{ id: c.id, filename: 'data.bin', size: 11, contentType: 'application/octet-stream' }]],
        [999_999, []],
      ]),
    );
  });

  it('refuses files for products that are not file products, and bad names or types, storing nothing', async () => {
    const keyProduct = await makeProduct(fx.catalog, { type: 'key' });
    const before = readdirSync(dir, { recursive: true }).length;
    await expect(files.attachFile(keyProduct.id, { filename: 'a.zip', buffer: Buffer.from('x') })).rejects.toMatchObject({
      code: 'not_a_file_product',
    });
    await expect(files.attachFile(987_654, { filename: 'a.zip', buffer: Buffer.from('x') })).rejects.toMatchObject({
      code: 'not_a_file_product',
    });
    const product = await makeFileProduct(fx.catalog);
    for (const filename of ['', '../evil.zip', 'a\\b.zip', 'line\nbreak.zip', 'x'.repeat(256)]) {
      await expect(files.attachFile(product.id, { filename, buffer: Buffer.from('x') })).rejects.toMatchObject({
        code: 'invalid_filename',
      });
    }
    await expect(files.attachFile(product.id, { filename: 'a.zip', contentType: 'zip', buffer: Buffer.from('x') })).rejects.toMatchObject({
      code: 'invalid_content_type',
    });
    await expect(
      files.attachFile(product.id, { filename: 'a.zip', contentType: 'text/html\r\nX-Evil: 1', buffer: Buffer.from('x') }),
    ).rejects.toMatchObject({ code: 'invalid_content_type' });
    await expect(files.attachFile(product.id, { filename: 'a.zip', buffer: Buffer.from('x'), path: '/etc/passwd' })).rejects.toMatchObject({
      code: 'invalid_file_source',
    });
    expect(readdirSync(dir, { recursive: true }).length).toBe(before);
    expect(await files.listFiles([keyProduct.id, product.id])).toEqual(
      new Map([
        [keyProduct.id, []],
        [product.id, []],
      ]),
    );
  });

  it('stores the same content for the same product once, and attaches inside a caller transaction', async () => {
    const product = await makeFileProduct(fx.catalog);
    const first = await files.attachFile(product.id, { filename: 'same.zip', buffer: Buffer.from('same bytes') });
    const second = await db.transaction((tx) =>
      files.attachFile(product.id, { filename: 'same.zip', buffer: Buffer.from('same bytes') }, tx),
    );
    expect(second.storage_key).toBe(first.storage_key);
    expect(second.id).not.toBe(first.id);
    expect(existsSync(join(dir, first.storage_key))).toBe(true);
  });
});
