import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { CROSS_SITE, loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct, type CatalogFixtures } from '../support/factories.js';

const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin', origin: 'http://localhost:3000' };
const MAX_BYTES = 200_000;

/** A picture with some detail, in one of the accepted formats (sharp makes the test's fixtures). */
async function picture(format: 'jpeg' | 'png' | 'webp' | 'avif', width = 1600, height = 1000) {
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
function uploadBody(file: { bytes: Buffer; filename: string; type: string } | null, alt = 'A blue square with an orange circle') {
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
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** The owner's image page: uploads checked by their bytes, renditions served same-origin, order, alt text, deletion and audit. */
describe.each(testDialects)('admin product images on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let fx: CatalogFixtures;
  let owner: LoggedIn;
  let buyer: LoggedIn;
  let storageDir: string;

  beforeAll(async () => {
    idp = await startTestIdp();
    storageDir = mkdtempSync(join(tmpdir(), 'store-images-'));
    t = await createTestApp(dialect, { ...idp.env, STORAGE_DIR: storageDir, IMAGE_MAX_BYTES: String(MAX_BYTES), BODY_LIMIT: '65536' });
    fx = catalogFixtures(t.db);
    [owner, buyer] = await Promise.all([loginAs(t.app, 'owner'), loginAs(t.app, 'new')]);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const upload = (sku: string, file: Parameters<typeof uploadBody>[0], alt?: string, user: LoggedIn = owner) => {
    const { payload, contentType } = uploadBody(file, alt);
    return t.app.inject({
      method: 'POST',
      url: `/admin/products/${sku}/images`,
      payload,
      headers: { ...SAME_ORIGIN, 'content-type': contentType, cookie: user.cookie },
    });
  };
  const post = (url: string, form: Record<string, string> = {}, user: LoggedIn | null = owner) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams(form).toString(),
      headers: { ...SAME_ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...(user ? { cookie: user.cookie } : {}) },
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

  it.each([
    ['jpeg', 'image/jpeg', 'photo.jpg'],
    ['png', 'image/png', 'drawing.png'],
    ['webp', 'image/webp', 'art.webp'],
    ['avif', 'image/avif', 'art.avif'],
  ] as const)(
    'uploads a %s: AVIF and WebP renditions at card and gallery width, stored, served same-origin without metadata',
    async (format, type, filename) => {
      const product = await makeProduct(fx.catalog);
      const res = await upload(product.sku, { bytes: await picture(format), filename, type });
      expect(res.statusCode, res.body.slice(0, 800)).toBe(303);
      expect(res.headers.location).toBe(`/admin/products/${product.sku}/images?done=added`);

      const [row] = await imageRows(product.id);
      expect(row).toMatchObject({ alt: 'A blue square with an orange circle', position: 0, width: 1200, height: 750 });
      const renditions = keysOf(row!);
      expect(renditions.map((r) => `${r.type} ${r.width}`).sort()).toEqual([
        'image/avif 1200',
        'image/avif 480',
        'image/webp 1200',
        'image/webp 480',
      ]);
      expect(row!.url).toBe(`/media/${renditions.find((r) => r.type === 'image/webp' && r.width === 1200)!.key}`);
      for (const r of renditions) {
        const served = await get(`/media/${r.key}`, null);
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
      expect((await get(`/admin/products/${product.sku}/images?done=added`)).body).toContain('Image added.');
    },
  );

  it('never upscales: a small image is kept at its own width, once per type', async () => {
    const product = await makeProduct(fx.catalog);
    expect(
      (await upload(product.sku, { bytes: await picture('png', 300, 200), filename: 'small.png', type: 'image/png' })).statusCode,
    ).toBe(303);
    const [row] = await imageRows(product.id);
    expect(row).toMatchObject({ width: 300, height: 200 });
    expect(
      keysOf(row!)
        .map((r) => `${r.type} ${r.width}`)
        .sort(),
    ).toEqual(['image/avif 300', 'image/webp 300']);
  });

  it('judges the type by the bytes: a text file named .jpg, a GIF, a truncated JPEG are refused with the form, nothing stored', async () => {
    const product = await makeProduct(fx.catalog);
    const before = filesUnder(storageDir);
    const text = await upload(product.sku, {
      bytes: Buffer.from('just some text, not a picture\n'),
      filename: 'photo.jpg',
      type: 'image/jpeg',
    });
    expect(text.statusCode).toBe(415);
    expect(fieldError(text.body, 'image-file')).toBe('This file is not a JPEG, PNG, WebP or AVIF image.');
    expect(text.body).toContain('value="A blue square with an orange circle"');
    expect(text.headers['cache-control']).toBe('private, no-store');

    const gif = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
      .gif()
      .toBuffer();
    const gifRes = await upload(product.sku, { bytes: gif, filename: 'x.png', type: 'image/png' });
    expect(gifRes.statusCode).toBe(415);
    expect(fieldError(gifRes.body, 'image-file')).toBe('This file is GIF; please upload JPEG, PNG, WebP or AVIF.');

    const jpeg = await picture('jpeg');
    const truncated = await upload(product.sku, {
      bytes: jpeg.subarray(0, Math.floor(jpeg.length / 2)),
      filename: 'cut.jpg',
      type: 'image/jpeg',
    });
    expect(truncated.statusCode).toBe(400);
    expect(fieldError(truncated.body, 'image-file')).toMatch(/could not be read as an image/);

    expect(await imageRows(product.id)).toEqual([]);
    expect(filesUnder(storageDir)).toEqual(before);
    expect(await auditRows(product.sku)).toEqual([]);
  });

  it('refuses a file over IMAGE_MAX_BYTES with 413 and the limit beside the field, nothing stored', async () => {
    const product = await makeProduct(fx.catalog);
    const before = filesUnder(storageDir);
    // Random pixels do not compress: well over the 200 kB the test allows.
    const noise = await sharp(Buffer.from(Array.from({ length: 400 * 400 * 3 }, () => Math.floor(Math.random() * 256))), {
      raw: { width: 400, height: 400, channels: 3 },
    })
      .png()
      .toBuffer();
    expect(noise.length).toBeGreaterThan(MAX_BYTES);
    const res = await upload(product.sku, { bytes: noise, filename: 'big.png', type: 'image/png' });
    expect(res.statusCode).toBe(413);
    expect(fieldError(res.body, 'image-file')).toBe('This file is larger than 0.2 MB, the largest image the shop accepts.');
    expect(await imageRows(product.id)).toEqual([]);
    expect(filesUnder(storageDir)).toEqual(before);
  });

  it('takes an upload larger than BODY_LIMIT (the form posts) up to IMAGE_MAX_BYTES', async () => {
    const product = await makeProduct(fx.catalog);
    const noise = await sharp(Buffer.from(Array.from({ length: 220 * 220 * 3 }, () => Math.floor(Math.random() * 256))), {
      raw: { width: 220, height: 220, channels: 3 },
    })
      .png()
      .toBuffer();
    expect(noise.length).toBeGreaterThan(65_536);
    expect(noise.length).toBeLessThan(MAX_BYTES);
    const res = await upload(product.sku, { bytes: noise, filename: 'noise.png', type: 'image/png' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect(await imageRows(product.id)).toMatchObject([{ width: 220, height: 220 }]);
  });

  it('answers a malformed or cut-off multipart body with 400, and a second file with 413; nothing stored', async () => {
    const product = await makeProduct(fx.catalog);
    const before = filesUnder(storageDir);
    const send = (payload: string) =>
      t.app.inject({
        method: 'POST',
        url: `/admin/products/${product.sku}/images`,
        payload,
        headers: { ...SAME_ORIGIN, 'content-type': 'multipart/form-data; boundary=x', cookie: owner.cookie },
      });
    const part = (name: string) => `--x\r\nContent-Disposition: form-data; name="${name}"; filename="a.png"\r\n\r\nabc\r\n`;
    for (const payload of ['garbage', part('file').slice(0, -2)]) {
      const res = await send(payload);
      expect(res.statusCode, payload).toBe(400);
      expect(res.body).toContain('The upload arrived incomplete or malformed.');
    }
    expect((await send(`${part('file')}${part('other')}--x--\r\n`)).statusCode).toBe(413);
    expect(await imageRows(product.id)).toEqual([]);
    expect(filesUnder(storageDir)).toEqual(before);
  });

  it('asks for a file and for alt text, storing nothing without them', async () => {
    const product = await makeProduct(fx.catalog);
    const before = filesUnder(storageDir);
    const none = await upload(product.sku, null);
    expect(none.statusCode).toBe(400);
    expect(fieldError(none.body, 'image-file')).toBe('Choose an image file to upload.');
    const noAlt = await upload(product.sku, { bytes: await picture('png'), filename: 'a.png', type: 'image/png' }, '   ');
    expect(noAlt.statusCode).toBe(400);
    expect(fieldError(noAlt.body, 'image-alt')).toBe('Describe the image in a few words for people who cannot see it.');
    expect(await imageRows(product.id)).toEqual([]);
    expect(filesUnder(storageDir)).toEqual(before);
  });

  /** A product with three uploaded images (alt "One", "Two", "Three"); returns it and its rows in order. */
  async function productWithThree() {
    const product = await makeProduct(fx.catalog);
    for (const alt of ['One', 'Two', 'Three'])
      expect(
        (await upload(product.sku, { bytes: await picture('png', 500, 400), filename: 'a.png', type: 'image/png' }, alt)).statusCode,
      ).toBe(303);
    return { product, rows: await imageRows(product.id) };
  }

  it('reorders with Move up/Move down: positions close up, the card shows the new first image, one audit row each', async () => {
    const { product, rows } = await productWithThree();
    const [one, two, three] = rows;
    const page = (await get(`/admin/products/${product.sku}/images`)).body;
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page.match(/class="admin-image"/g)).toHaveLength(3);

    const down = await post(`/admin/products/${product.sku}/images/${one!.id}/move`, { direction: 'down' });
    expect(down.statusCode).toBe(303);
    expect(down.headers.location).toBe(`/admin/products/${product.sku}/images?done=moved`);
    expect((await imageRows(product.id)).map((r) => r.alt)).toEqual(['Two', 'One', 'Three']);
    expect((await post(`/admin/products/${product.sku}/images/${three!.id}/move`, { direction: 'up' })).statusCode).toBe(303);
    expect((await imageRows(product.id)).map((r) => [r.alt, r.position])).toEqual([
      ['Two', 0],
      ['Three', 1],
      ['One', 2],
    ]);
    // Already first: nothing moves, nothing is logged.
    expect((await post(`/admin/products/${product.sku}/images/${two!.id}/move`, { direction: 'up' })).statusCode).toBe(303);
    expect((await post(`/admin/products/${product.sku}/images/${two!.id}/move`, { direction: 'sideways' })).statusCode).toBe(400);

    const moves = (await auditRows(product.sku)).filter((r) => r.action === 'product.image.move');
    expect(moves.map((r): unknown[] => [JSON.parse(r.before!), JSON.parse(r.after!)])).toEqual([
      [
        { id: one!.id, position: 0 },
        { id: one!.id, position: 1 },
      ],
      [
        { id: three!.id, position: 2 },
        { id: three!.id, position: 1 },
      ],
    ]);
    expect(moves[0]).toMatchObject({ actor_email: owner.user.email });

    // The shop's card (search results) shows the first image now, as a picture of same-origin renditions.
    const search = (await get(`/search?q=${encodeURIComponent(product.sku)}`, null)).body;
    const card = search.slice(search.indexOf(`href="/${product.sku}"`));
    expect(card).toMatch(/<img class="product-image" src="\/media\/images\/[0-9a-f]{24}\/500\.webp"[^>]*alt="Two"/);
  });

  it('edits alt text (empty refused beside the field) with its before and after in the audit log', async () => {
    const { product, rows } = await productWithThree();
    const id = rows[1]!.id;
    const bad = await post(`/admin/products/${product.sku}/images/${id}/alt`, { alt: '  ' });
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, `image-${id}-alt`)).toBe('Describe the image in a few words for people who cannot see it.');
    const long = await post(`/admin/products/${product.sku}/images/${id}/alt`, { alt: 'x'.repeat(301) });
    expect(fieldError(long.body, `image-${id}-alt`)).toBe('Alt text can be at most 300 characters.');

    const ok = await post(`/admin/products/${product.sku}/images/${id}/alt`, { alt: '  The export   dialog ' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/admin/products/${product.sku}/images?done=alt`);
    expect((await imageRows(product.id)).map((r) => r.alt)).toEqual(['One', 'The export dialog', 'Three']);
    const [entry] = (await auditRows(product.sku)).filter((r) => r.action === 'product.image.alt');
    expect([JSON.parse(entry!.before!), JSON.parse(entry!.after!)]).toEqual([
      { id, alt: 'Two' },
      { id, alt: 'The export dialog' },
    ]);
    const { product: shown } = await fx.catalog.getProductPage(product.sku);
    expect(shown.images.map((i) => i.alt)).toEqual(['One', 'The export dialog', 'Three']);
  });

  it('deletes after a confirmation page: row gone, the rest close up, its objects removed from storage, audited', async () => {
    const { product, rows } = await productWithThree();
    const [first, second] = rows;
    const confirm = await get(`/admin/products/${product.sku}/images/${first!.id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete image</button>');
    expect(confirm.headers['cache-control']).toBe('private, no-store');
    const keys = keysOf(first!).map((r) => r.key);
    for (const key of keys) expect(filesUnder(storageDir)).toContain(key);

    const res = await post(`/admin/products/${product.sku}/images/${first!.id}/delete`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/admin/products/${product.sku}/images?done=deleted`);
    expect((await imageRows(product.id)).map((r) => [r.alt, r.position])).toEqual([
      ['Two', 0],
      ['Three', 1],
    ]);
    for (const key of keys) {
      expect(filesUnder(storageDir)).not.toContain(key);
      expect((await get(`/media/${key}`, null)).statusCode).toBe(404);
    }
    expect((await get(`/media/${keysOf(second!)[0]!.key}`, null)).statusCode).toBe(200);
    const [entry] = (await auditRows(product.sku)).filter((r) => r.action === 'product.image.delete');
    expect(JSON.parse(entry!.before!)).toEqual({ id: first!.id, url: first!.url, alt: 'One', position: 0 });
    // Gone is gone: a second delete, or another product's image id, is a 404.
    expect((await post(`/admin/products/${product.sku}/images/${first!.id}/delete`)).statusCode).toBe(404);
    const other = await makeProduct(fx.catalog);
    expect((await post(`/admin/products/${other.sku}/images/${second!.id}/delete`)).statusCode).toBe(404);
    expect(await imageRows(product.id)).toHaveLength(2);
  });

  it('audits an upload with the image it added', async () => {
    const product = await makeProduct(fx.catalog);
    await upload(product.sku, { bytes: await picture('webp', 800, 600), filename: 'a.webp', type: 'image/webp' }, 'Added');
    const [row] = await imageRows(product.id);
    const [entry] = await auditRows(product.sku);
    expect(entry).toMatchObject({ action: 'product.image.add', before: null, actor_email: owner.user.email });
    expect(JSON.parse(entry!.after!)).toEqual({ id: row!.id, alt: 'Added', position: 0, width: 800, height: 600 });
  });

  it('shows the upload on the product page same-origin, with srcset and size, allowed by the CSP', async () => {
    const product = await makeProduct(fx.catalog);
    const before = (await get(`/${product.sku}`, null)).body;
    expect(before).not.toContain('/media/');
    await upload(product.sku, { bytes: await picture('jpeg'), filename: 'p.jpg', type: 'image/jpeg' }, 'Product shot');
    const res = await get(`/${product.sku}`, null);
    const gallery = res.body.slice(res.body.indexOf('class="gallery"'), res.body.indexOf('class="product-info"'));
    const img =
      /<picture><source type="image\/avif" srcset="([^"]+)"[^>]*><img src="(\/media\/[^"]+)" srcset="([^"]+)"[^>]* width="1200" height="750" alt="Product shot"/.exec(
        gallery,
      );
    expect(img, gallery).not.toBeNull();
    expect(img![1]).toMatch(/^\/media\/images\/[0-9a-f]{24}\/480\.avif 480w, \/media\/images\/[0-9a-f]{24}\/1200\.avif 1200w$/);
    expect(img![3]).toMatch(/480\.webp 480w, .*1200\.webp 1200w$/);
    expect((await get(img![2]!, null)).statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("img-src 'self' data:;");
  });

  it('answers 404 for unknown or malformed media keys', async () => {
    for (const key of ['images/0123456789abcdef01234567/480.webp', 'images/../../etc/passwd', 'products/1/file.zip', 'images/x/480.png'])
      expect((await get(`/media/${key}`, null)).statusCode, key).toBe(404);
  });

  it('is the 404 of an unknown URL for buyers and anonymous visitors on every image route; cross-site posts are refused', async () => {
    const { product, rows } = await productWithThree();
    const id = rows[0]!.id;
    const base = `/admin/products/${product.sku}/images`;
    for (const user of [buyer, null]) {
      for (const url of [base, `${base}/${id}/delete`]) expect((await get(url, user)).statusCode, url).toBe(404);
      for (const url of [`${base}/${id}/alt`, `${base}/${id}/move`, `${base}/${id}/delete`])
        expect((await post(url, { alt: 'x', direction: 'down' }, user)).statusCode, url).toBe(404);
      const { payload, contentType } = uploadBody({ bytes: await picture('png', 50, 50), filename: 'x.png', type: 'image/png' });
      const res = await t.app.inject({
        method: 'POST',
        url: base,
        payload,
        headers: { ...SAME_ORIGIN, 'content-type': contentType, ...(user ? { cookie: user.cookie } : {}) },
      });
      expect(res.statusCode).toBe(404);
    }
    const crossSite = await t.app.inject({
      method: 'POST',
      url: `${base}/${id}/delete`,
      headers: { ...CROSS_SITE, cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(crossSite.statusCode).toBe(403);
    expect((await imageRows(product.id)).map((r) => r.alt)).toEqual(['One', 'Two', 'Three']);
    expect((await auditRows(product.sku)).filter((r) => r.action !== 'product.image.add')).toEqual([]);
  });

  it('flags an image stored as a URL on a host outside IMAGE_HOSTS (the CSP blocks it) and lets the owner delete it', async () => {
    const product = await makeProduct(fx.catalog, {
      images: [
        { url: 'https://old-cdn.example.net/shot.png', alt: 'Old shot' },
        { url: '/assets/demo/batchname-1.svg', alt: 'Demo art' },
      ],
    });
    const page = (await get(`/admin/products/${product.sku}/images`)).body;
    expect(page).toContain('The shop cannot show this image: its host old-cdn.example.net is not in IMAGE_HOSTS');
    expect(page).not.toContain('src="https://old-cdn.example.net/shot.png"');
    expect(page).toContain('src="/assets/demo/batchname-1.svg"');
    const [old] = await imageRows(product.id);
    expect((await post(`/admin/products/${product.sku}/images/${old!.id}/delete`)).statusCode).toBe(303);
    expect((await imageRows(product.id)).map((r) => [r.alt, r.position])).toEqual([['Demo art', 0]]);
  });

  it('links the images page from the product edit page', async () => {
    const product = await makeProduct(fx.catalog);
    expect((await get(`/admin/products/${product.sku}/edit`)).body).toContain(`href="/admin/products/${product.sku}/images"`);
    expect((await get('/admin/products/NO-SUCH-SKU/images')).statusCode).toBe(404);
  });
});
