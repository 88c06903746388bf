import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import type { Dialect } from '../../src/platform/db/db.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, SAME_ORIGIN_POST, startTestIdp, type LoggedIn } from '../support/auth.js';
import { catalogFixtures, type CatalogFixtures } from '../support/factories.js';

/** IMAGE_MAX_BYTES of the image tests' store (BODY_LIMIT is 64 kB, below it). */
export const MAX_BYTES = 200_000;

/** A picture with some detail, in one of the accepted formats (sharp makes the test's fixtures). */
export async function picture(format: 'jpeg' | 'png' | 'webp' | 'avif', width = 1600, height = 1000) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#3451c9"/><circle cx="${width / 2}" cy="${height / 2}" r="${height / 3}" fill="#f5a623"/></svg>`;
  const image = sharp(Buffer.from(svg));
  if (format === 'jpeg')
    return image
      .jpeg()
      .withExif({ IFD0: { Artist: 'Secret Photographer' }, IFD3: { GPSLatitudeRef: 'N' } })
      .toBuffer();
  return (format === 'avif' ? image.avif({ effort: 0 }) : image[format]()).toBuffer();
}

/** A multipart/form-data body as a browser sends the upload form: the alt text, then the file. */
export function uploadBody(file: { bytes: Buffer; filename: string; type: string } | null, alt = 'A blue square with an orange circle') {
  const boundary = `----test${Math.random().toString(16).slice(2)}`;
  const parts = [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\n${alt}\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file?.filename ?? ''}"\r\nContent-Type: ${file?.type ?? 'application/octet-stream'}\r\n\r\n`,
    ),
    file?.bytes ?? Buffer.alloc(0),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ];
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Every file under a directory, as paths relative to it. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** The owner's image page: uploads checked by their bytes, renditions served same-origin, order, alt text, deletion and audit. */

/** The store for the image tests (own storage directory), an owner and a buyer, and the requests and rows the tests look at. */
export async function startImagesHarness(dialect: Dialect) {
  const idp = await startTestIdp();
  const storageDir = mkdtempSync(join(tmpdir(), 'store-images-'));
  const t: TestApp = await createTestApp(dialect, {
    ...idp.env,
    STORAGE_DIR: storageDir,
    IMAGE_MAX_BYTES: String(MAX_BYTES),
    BODY_LIMIT: '65536',
  });
  const fx: CatalogFixtures = catalogFixtures(t.db);
  const [owner, buyer] = await Promise.all([loginAs(t.app, 'owner'), loginAs(t.app, 'new')]);

  const upload = (sku: string, file: Parameters<typeof uploadBody>[0], alt?: string, user: LoggedIn = owner) => {
    const { payload, contentType } = uploadBody(file, alt);
    return t.app.inject({
      method: 'POST',
      url: `/admin/products/${sku}/images`,
      payload,
      headers: { ...SAME_ORIGIN_POST, 'content-type': contentType, cookie: user.cookie },
    });
  };
  const post = (url: string, form: Record<string, string> = {}, user: LoggedIn | null = owner) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams(form).toString(),
      headers: { ...SAME_ORIGIN_POST, 'content-type': 'application/x-www-form-urlencoded', ...(user ? { cookie: user.cookie } : {}) },
    });
  const get = (url: string, user: LoggedIn | null = owner) =>
    t.app.inject({ method: 'GET', url, headers: user ? { cookie: user.cookie } : {} });
  const imageRows = (productId: number) =>
    t.db.kysely.selectFrom('product_images').selectAll().where('product_id', '=', productId).orderBy('position').execute();
  const auditRows = (subject: string) =>
    t.db.kysely.selectFrom('owner_audit').selectAll().where('subject', '=', subject).orderBy('id').execute();
  const keysOf = (row: { renditions: string | null }) =>
    JSON.parse(row.renditions ?? '[]') as { key: string; type: string; width: number }[];
  const fieldError = (body: string, id: string) => new RegExp(`id="${id}-error">([^<]*)<`).exec(body)?.[1]?.replace(/&#x27;/g, "'");

  return {
    t,
    fx,
    owner,
    buyer,
    storageDir,
    upload,
    post,
    get,
    imageRows,
    auditRows,
    keysOf,
    fieldError,
    close: async () => {
      await t.close();
      await idp.close();
    },
  };
}

export type ImagesHarness = Awaited<ReturnType<typeof startImagesHarness>>;
