import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../support/database.js';
import { makeProduct } from '../support/factories.js';
import { SAME_ORIGIN_POST } from '../support/auth.js';
import { filesUnder, MAX_BYTES, picture, startImagesHarness, type ImagesHarness } from './image-fixtures.js';

/** Uploads on the owner's image page: judged by their bytes, resized to metadata-free renditions, served same-origin; every refusal stores nothing. */
describe.each(testDialects)('admin image uploads on %s', (dialect) => {
  let h: ImagesHarness;
  beforeAll(async () => {
    h = await startImagesHarness(dialect);
  });
  afterAll(() => h?.close());

  it.each([
    ['jpeg', 'image/jpeg', 'photo.jpg'],
    ['png', 'image/png', 'drawing.png'],
    ['webp', 'image/webp', 'art.webp'],
    ['avif', 'image/avif', 'art.avif'],
  ] as const)(
    'uploads a %s: AVIF and WebP renditions at card and gallery width, stored, served same-origin without metadata',
    async (format, type, filename) => {
      const product = await makeProduct(h.fx.catalog);
      const res = await h.upload(product.sku, { bytes: await picture(format), filename, type });
      expect(res.statusCode, res.body.slice(0, 800)).toBe(303);
      expect(res.headers.location).toBe(`/admin/products/${product.sku}/images?done=added`);

      const [row] = await h.imageRows(product.id);
      expect(row).toMatchObject({ alt: 'A blue square with an orange circle', position: 0, width: 1200, height: 750 });
      const renditions = h.keysOf(row!);
      expect(renditions.map((r) => `${r.type} ${r.width}`).sort()).toEqual([
        'image/avif 1200',
        'image/avif 480',
        'image/webp 1200',
        'image/webp 480',
      ]);
      expect(row!.url).toBe(`/media/${renditions.find((r) => r.type === 'image/webp' && r.width === 1200)!.key}`);
      for (const r of renditions) {
        const served = await h.get(`/media/${r.key}`, null);
        expect(served.statusCode).toBe(200);
        expect(served.headers['content-type']).toBe(r.type);
        expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(served.headers['x-content-type-options']).toBe('nosniff');
        const meta = await sharp(served.rawPayload).metadata();
        expect(meta.format).toBe(r.type === 'image/avif' ? 'heif' : 'webp');
        expect(meta.width).toBe(r.width);
        // No EXIF (the JPEG's artist and GPS fields) in anything the shop keeps.
        expect(meta.exif).toBeUndefined();
      }
      expect((await h.get(`/admin/products/${product.sku}/images?done=added`)).body).toContain('Image added.');
    },
  );

  it('never upscales: a small image is kept at its own width, once per type', async () => {
    const product = await makeProduct(h.fx.catalog);
    expect(
      (await h.upload(product.sku, { bytes: await picture('png', 300, 200), filename: 'small.png', type: 'image/png' })).statusCode,
    ).toBe(303);
    const [row] = await h.imageRows(product.id);
    expect(row).toMatchObject({ width: 300, height: 200 });
    expect(
      h
        .keysOf(row!)
        .map((r) => `${r.type} ${r.width}`)
        .sort(),
    ).toEqual(['image/avif 300', 'image/webp 300']);
  });

  it('judges the type by the bytes: a text file named .jpg, a GIF, a truncated JPEG are refused with the form, nothing stored', async () => {
    const product = await makeProduct(h.fx.catalog);
    const before = filesUnder(h.storageDir);
    const text = await h.upload(product.sku, {
      bytes: Buffer.from('just some text, not a picture\n'),
      filename: 'photo.jpg',
      type: 'image/jpeg',
    });
    expect(text.statusCode).toBe(415);
    expect(h.fieldError(text.body, 'image-file')).toBe('This file is not a JPEG, PNG, WebP or AVIF image.');
    expect(text.body).toContain('value="A blue square with an orange circle"');
    expect(text.headers['cache-control']).toBe('private, no-store');

    const gif = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
      .gif()
      .toBuffer();
    const gifRes = await h.upload(product.sku, { bytes: gif, filename: 'x.png', type: 'image/png' });
    expect(gifRes.statusCode).toBe(415);
    expect(h.fieldError(gifRes.body, 'image-file')).toBe('This file is GIF; please upload JPEG, PNG, WebP or AVIF.');

    const jpeg = await picture('jpeg');
    const truncated = await h.upload(product.sku, {
      bytes: jpeg.subarray(0, Math.floor(jpeg.length / 2)),
      filename: 'cut.jpg',
      type: 'image/jpeg',
    });
    expect(truncated.statusCode).toBe(400);
    expect(h.fieldError(truncated.body, 'image-file')).toMatch(/could not be read as an image/);

    expect(await h.imageRows(product.id)).toEqual([]);
    expect(filesUnder(h.storageDir)).toEqual(before);
    expect(await h.auditRows(product.sku)).toEqual([]);
  });

  it('refuses a file over IMAGE_MAX_BYTES with 413 and the limit beside the field, nothing stored', async () => {
    const product = await makeProduct(h.fx.catalog);
    const before = filesUnder(h.storageDir);
    // Random pixels do not compress: well over the 200 kB the test allows.
    const noise = await sharp(Buffer.from(Array.from({ length: 400 * 400 * 3 }, () => Math.floor(Math.random() * 256))), {
      raw: { width: 400, height: 400, channels: 3 },
    })
      .png()
      .toBuffer();
    expect(noise.length).toBeGreaterThan(MAX_BYTES);
    const res = await h.upload(product.sku, { bytes: noise, filename: 'big.png', type: 'image/png' });
    expect(res.statusCode).toBe(413);
    expect(h.fieldError(res.body, 'image-file')).toBe('This file is larger than 0.2 MB, the largest image the shop accepts.');
    expect(await h.imageRows(product.id)).toEqual([]);
    expect(filesUnder(h.storageDir)).toEqual(before);
  });

  it('takes an upload larger than BODY_LIMIT (the form posts) up to IMAGE_MAX_BYTES', async () => {
    const product = await makeProduct(h.fx.catalog);
    const noise = await sharp(Buffer.from(Array.from({ length: 220 * 220 * 3 }, () => Math.floor(Math.random() * 256))), {
      raw: { width: 220, height: 220, channels: 3 },
    })
      .png()
      .toBuffer();
    expect(noise.length).toBeGreaterThan(65_536);
    expect(noise.length).toBeLessThan(MAX_BYTES);
    const res = await h.upload(product.sku, { bytes: noise, filename: 'noise.png', type: 'image/png' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect(await h.imageRows(product.id)).toMatchObject([{ width: 220, height: 220 }]);
  });

  it('answers a malformed or cut-off multipart body with 400, and a second file with 413; nothing stored', async () => {
    const product = await makeProduct(h.fx.catalog);
    const before = filesUnder(h.storageDir);
    const send = (payload: string) =>
      h.t.app.inject({
        method: 'POST',
        url: `/admin/products/${product.sku}/images`,
        payload,
        headers: { ...SAME_ORIGIN_POST, 'content-type': 'multipart/form-data; boundary=x', cookie: h.owner.cookie },
      });
    const part = (name: string) => `--x\r\nContent-Disposition: form-data; name="${name}"; filename="a.png"\r\n\r\nabc\r\n`;
    for (const payload of ['garbage', part('file').slice(0, -2)]) {
      const res = await send(payload);
      expect(res.statusCode, payload).toBe(400);
      expect(res.body).toContain('The upload arrived incomplete or malformed.');
    }
    expect((await send(`${part('file')}${part('other')}--x--\r\n`)).statusCode).toBe(413);
    expect(await h.imageRows(product.id)).toEqual([]);
    expect(filesUnder(h.storageDir)).toEqual(before);
  });

  it('asks for a file and for alt text, storing nothing without them', async () => {
    const product = await makeProduct(h.fx.catalog);
    const before = filesUnder(h.storageDir);
    const none = await h.upload(product.sku, null);
    expect(none.statusCode).toBe(400);
    expect(h.fieldError(none.body, 'image-file')).toBe('Choose an image file to upload.');
    const noAlt = await h.upload(product.sku, { bytes: await picture('png'), filename: 'a.png', type: 'image/png' }, '   ');
    expect(noAlt.statusCode).toBe(400);
    expect(h.fieldError(noAlt.body, 'image-alt')).toBe('Describe the image in a few words for people who cannot see it.');
    expect(await h.imageRows(product.id)).toEqual([]);
    expect(filesUnder(h.storageDir)).toEqual(before);
  });
});
