import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createCaches } from '../../src/caches.js';
import { createDatabase, type Database } from '../../src/platform/db/db.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp, SAME_ORIGIN_POST } from '../support/auth.js';
import { postgresUrl } from '../support/database.js';
import { testConfig } from '../support/env.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';

/** An image uploaded on one instance shows on another (same database and storage) once its catalog cache expires. */
describe.skipIf(!postgresUrl)('product images on two instances', () => {
  let idp: TestIdp;
  let a: TestApp;
  let b: Awaited<ReturnType<typeof buildApp>>;
  let bDb: Database;
  let owner: LoggedIn;
  let now = Date.now();
  const clock = () => now;

  beforeAll(async () => {
    idp = await startTestIdp();
    const env = { ...idp.env, STORAGE_DIR: mkdtempSync(join(tmpdir(), 'store-images-shared-')) };
    a = await createTestApp('postgres', env, clock);
    bDb = createDatabase(postgresUrl!, { searchPath: a.db.schema!, poolSize: 2 });
    b = await buildApp({ config: testConfig(env), db: bDb, clock, caches: createCaches({ clock }) });
    await b.ready();
    owner = await loginAs(a.app, 'owner');
  });
  afterAll(async () => {
    await b?.close();
    await bDb?.destroy();
    await a?.close();
    await idp?.close();
  });

  it('shows on the other instance within the catalog cache time (30 s), at once on the one that made it', async () => {
    const { sku } = await makeProduct(catalogFixtures(a.db, clock).catalog);
    // Instance B keeps the page: asked for twice, so its caches admit it.
    for (let i = 0; i < 2; i++) expect((await b.inject(`/${sku}`)).body).not.toContain('/media/');

    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="100%" height="100%" fill="#3451c9"/></svg>';
    const bytes = await sharp(Buffer.from(svg)).png().toBuffer();
    const boundary = '----shared';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\nShared picture\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await a.app.inject({
      method: 'POST',
      url: `/admin/products/${sku}/images`,
      payload,
      headers: { ...SAME_ORIGIN_POST, 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: owner.cookie },
    });
    expect(res.statusCode).toBe(303);

    expect((await a.app.inject(`/${sku}`)).body).toContain('alt="Shared picture"');
    expect((await b.inject(`/${sku}`)).body).not.toContain('alt="Shared picture"');
    now += 31_000;
    const page = (await b.inject(`/${sku}`)).body;
    expect(page).toContain('alt="Shared picture"');
    const src = /src="(\/media\/[^"]+)"/.exec(page)![1]!;
    expect((await b.inject(src)).statusCode).toBe(200);
  });
});
