import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CROSS_SITE } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { makeProduct } from '../support/factories.js';
import { SAME_ORIGIN_POST } from '../support/auth.js';
import { filesUnder, picture, startImagesHarness, uploadBody, type ImagesHarness } from './image-fixtures.js';

/** The owner's image page after the upload: order, alt text, deletion, audit, what the shop shows, and who may reach it. */
describe.each(testDialects)('admin image changes on %s', (dialect) => {
  let h: ImagesHarness;
  beforeAll(async () => {
    h = await startImagesHarness(dialect);
  });
  afterAll(() => h?.close());

  /** A product with three uploaded images (alt "One", "Two", "Three"); returns it and its rows in order. */
  async function productWithThree() {
    const product = await makeProduct(h.fx.catalog);
    for (const alt of ['One', 'Two', 'Three'])
      expect(
        (await h.upload(product.sku, { bytes: await picture('png', 500, 400), filename: 'a.png', type: 'image/png' }, alt)).statusCode,
      ).toBe(303);
    return { product, rows: await h.imageRows(product.id) };
  }

  it('reorders with Move up/Move down: positions close up, the card shows the new first image, one audit row each', async () => {
    const { product, rows } = await productWithThree();
    const [one, two, three] = rows;
    const page = (await h.get(`/admin/products/${product.sku}/images`)).body;
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page.match(/class="admin-image"/g)).toHaveLength(3);

    const down = await h.post(`/admin/products/${product.sku}/images/${one!.id}/move`, { direction: 'down' });
    expect(down.statusCode).toBe(303);
    expect(down.headers.location).toBe(`/admin/products/${product.sku}/images?done=moved`);
    expect((await h.imageRows(product.id)).map((r) => r.alt)).toEqual(['Two', 'One', 'Three']);
    expect((await h.post(`/admin/products/${product.sku}/images/${three!.id}/move`, { direction: 'up' })).statusCode).toBe(303);
    expect((await h.imageRows(product.id)).map((r) => [r.alt, r.position])).toEqual([
      ['Two', 0],
      ['Three', 1],
      ['One', 2],
    ]);
    // Already first: nothing moves, nothing is logged.
    expect((await h.post(`/admin/products/${product.sku}/images/${two!.id}/move`, { direction: 'up' })).statusCode).toBe(303);
    expect((await h.post(`/admin/products/${product.sku}/images/${two!.id}/move`, { direction: 'sideways' })).statusCode).toBe(400);

    const moves = (await h.auditRows(product.sku)).filter((r) => r.action === 'product.image.move');
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
    expect(moves[0]).toMatchObject({ actor_email: h.owner.user.email });

    // The shop's card (search results) shows the first image now, as a picture of same-origin renditions.
    const search = (await h.get(`/search?q=${encodeURIComponent(product.sku)}`, null)).body;
    const card = search.slice(search.indexOf(`href="/${product.sku}"`));
    expect(card).toMatch(/<img class="product-image" src="\/media\/images\/[0-9a-f]{24}\/500\.webp"[^>]*alt="Two"/);
  });

  it('edits alt text (empty refused beside the field) with its before and after in the audit log', async () => {
    const { product, rows } = await productWithThree();
    const id = rows[1]!.id;
    const bad = await h.post(`/admin/products/${product.sku}/images/${id}/alt`, { alt: '  ' });
    expect(bad.statusCode).toBe(400);
    expect(h.fieldError(bad.body, `image-${id}-alt`)).toBe('Describe the image in a few words for people who cannot see it.');
    const long = await h.post(`/admin/products/${product.sku}/images/${id}/alt`, { alt: 'x'.repeat(301) });
    expect(h.fieldError(long.body, `image-${id}-alt`)).toBe('Alt text can be at most 300 characters.');

    const ok = await h.post(`/admin/products/${product.sku}/images/${id}/alt`, { alt: '  The export   dialog ' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/admin/products/${product.sku}/images?done=alt`);
    expect((await h.imageRows(product.id)).map((r) => r.alt)).toEqual(['One', 'The export dialog', 'Three']);
    const [entry] = (await h.auditRows(product.sku)).filter((r) => r.action === 'product.image.alt');
    expect([JSON.parse(entry!.before!), JSON.parse(entry!.after!)]).toEqual([
      { id, alt: 'Two' },
      { id, alt: 'The export dialog' },
    ]);
    const { product: shown } = await h.fx.catalog.getProductPage(product.sku);
    expect(shown.images.map((i) => i.alt)).toEqual(['One', 'The export dialog', 'Three']);
  });

  it('deletes after a confirmation page: row gone, the rest close up, its objects removed from storage, audited', async () => {
    const { product, rows } = await productWithThree();
    const [first, second] = rows;
    const confirm = await h.get(`/admin/products/${product.sku}/images/${first!.id}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete image</button>');
    expect(confirm.headers['cache-control']).toBe('private, no-store');
    const keys = h.keysOf(first!).map((r) => r.key);
    for (const key of keys) expect(filesUnder(h.storageDir)).toContain(key);

    const res = await h.post(`/admin/products/${product.sku}/images/${first!.id}/delete`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/admin/products/${product.sku}/images?done=deleted`);
    expect((await h.imageRows(product.id)).map((r) => [r.alt, r.position])).toEqual([
      ['Two', 0],
      ['Three', 1],
    ]);
    for (const key of keys) {
      expect(filesUnder(h.storageDir)).not.toContain(key);
      expect((await h.get(`/media/${key}`, null)).statusCode).toBe(404);
    }
    expect((await h.get(`/media/${h.keysOf(second!)[0]!.key}`, null)).statusCode).toBe(200);
    const [entry] = (await h.auditRows(product.sku)).filter((r) => r.action === 'product.image.delete');
    expect(JSON.parse(entry!.before!)).toEqual({ id: first!.id, url: first!.url, alt: 'One', position: 0 });
    // Gone is gone: a second delete, or another product's image id, is a 404.
    expect((await h.post(`/admin/products/${product.sku}/images/${first!.id}/delete`)).statusCode).toBe(404);
    const other = await makeProduct(h.fx.catalog);
    expect((await h.post(`/admin/products/${other.sku}/images/${second!.id}/delete`)).statusCode).toBe(404);
    expect(await h.imageRows(product.id)).toHaveLength(2);
  });

  it('audits an upload with the image it added', async () => {
    const product = await makeProduct(h.fx.catalog);
    await h.upload(product.sku, { bytes: await picture('webp', 800, 600), filename: 'a.webp', type: 'image/webp' }, 'Added');
    const [row] = await h.imageRows(product.id);
    const [entry] = await h.auditRows(product.sku);
    expect(entry).toMatchObject({ action: 'product.image.add', before: null, actor_email: h.owner.user.email });
    expect(JSON.parse(entry!.after!)).toEqual({ id: row!.id, alt: 'Added', position: 0, width: 800, height: 600 });
  });

  it('shows the upload on the product page same-origin, with srcset and size, allowed by the CSP', async () => {
    const product = await makeProduct(h.fx.catalog);
    const before = (await h.get(`/${product.sku}`, null)).body;
    expect(before).not.toContain('/media/');
    await h.upload(product.sku, { bytes: await picture('jpeg'), filename: 'p.jpg', type: 'image/jpeg' }, 'Product shot');
    const res = await h.get(`/${product.sku}`, null);
    const gallery = res.body.slice(res.body.indexOf('class="gallery"'), res.body.indexOf('class="product-info"'));
    const img =
      /<picture><source type="image\/avif" srcset="([^"]+)"[^>]*><img src="(\/media\/[^"]+)" srcset="([^"]+)"[^>]* width="1200" height="750" alt="Product shot"/.exec(
        gallery,
      );
    expect(img, gallery).not.toBeNull();
    expect(img![1]).toMatch(/^\/media\/images\/[0-9a-f]{24}\/480\.avif 480w, \/media\/images\/[0-9a-f]{24}\/1200\.avif 1200w$/);
    expect(img![3]).toMatch(/480\.webp 480w, .*1200\.webp 1200w$/);
    expect((await h.get(img![2]!, null)).statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("img-src 'self' data:;");
  });

  it('answers 404 for unknown or malformed media keys', async () => {
    for (const key of ['images/0123456789abcdef01234567/480.webp', 'images/../../etc/passwd', 'products/1/file.zip', 'images/x/480.png'])
      expect((await h.get(`/media/${key}`, null)).statusCode, key).toBe(404);
  });

  it('is the 404 of an unknown URL for buyers and anonymous visitors on every image route; cross-site posts are refused', async () => {
    const { product, rows } = await productWithThree();
    const id = rows[0]!.id;
    const base = `/admin/products/${product.sku}/images`;
    for (const user of [h.buyer, null]) {
      for (const url of [base, `${base}/${id}/delete`]) expect((await h.get(url, user)).statusCode, url).toBe(404);
      for (const url of [`${base}/${id}/alt`, `${base}/${id}/move`, `${base}/${id}/delete`])
        expect((await h.post(url, { alt: 'x', direction: 'down' }, user)).statusCode, url).toBe(404);
      const { payload, contentType } = uploadBody({ bytes: await picture('png', 50, 50), filename: 'x.png', type: 'image/png' });
      const res = await h.t.app.inject({
        method: 'POST',
        url: base,
        payload,
        headers: { ...SAME_ORIGIN_POST, 'content-type': contentType, ...(user ? { cookie: user.cookie } : {}) },
      });
      expect(res.statusCode).toBe(404);
    }
    const crossSite = await h.t.app.inject({
      method: 'POST',
      url: `${base}/${id}/delete`,
      headers: { ...CROSS_SITE, cookie: h.owner.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(crossSite.statusCode).toBe(403);
    expect((await h.imageRows(product.id)).map((r) => r.alt)).toEqual(['One', 'Two', 'Three']);
    expect((await h.auditRows(product.sku)).filter((r) => r.action !== 'product.image.add')).toEqual([]);
  });

  it('flags an image stored as a URL on a host outside IMAGE_HOSTS (the CSP blocks it) and lets the owner delete it', async () => {
    const product = await makeProduct(h.fx.catalog, {
      images: [
        { url: 'https://old-cdn.example.net/shot.png', alt: 'Old shot' },
        { url: '/assets/demo/batchname-1.svg', alt: 'Demo art' },
      ],
    });
    const page = (await h.get(`/admin/products/${product.sku}/images`)).body;
    expect(page).toContain('The shop cannot show this image: its host old-cdn.example.net is not in IMAGE_HOSTS');
    expect(page).not.toContain('src="https://old-cdn.example.net/shot.png"');
    expect(page).toContain('src="/assets/demo/batchname-1.svg"');
    const [old] = await h.imageRows(product.id);
    expect((await h.post(`/admin/products/${product.sku}/images/${old!.id}/delete`)).statusCode).toBe(303);
    expect((await h.imageRows(product.id)).map((r) => [r.alt, r.position])).toEqual([['Demo art', 0]]);
  });

  it('links the images page from the product edit page', async () => {
    const product = await makeProduct(h.fx.catalog);
    expect((await h.get(`/admin/products/${product.sku}/edit`)).body).toContain(`href="/admin/products/${product.sku}/images"`);
    expect((await h.get('/admin/products/NO-SUCH-SKU/images')).statusCode).toBe(404);
  });
});
