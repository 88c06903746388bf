import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { catalogFixtures, makeFileProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { auditRowsFor, CLI_ACTOR, runStore, tempFile } from './cli-harness.js';

describe.each(testDialects)('files attach on %s', (dialect) => {
  let db: TestDatabase;
  let fx: CatalogFixtures;
  const storageDir = mkdtempSync(join(tmpdir(), 'store-cli-files-'));
  const store = (...argv: string[]) => runStore(argv, { db, env: { STORAGE_DIR: storageDir } });
  const filesOf = (productId: number) =>
    db.kysely.selectFrom('product_files').selectAll().where('product_id', '=', productId).orderBy('id').execute();

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    fx = catalogFixtures(db);
  });
  afterAll(() => db.drop());

  it('stores the file with its size and SHA-256 for a file product', async () => {
    const product = await makeFileProduct(fx.catalog);
    const bytes = Buffer.from('PK\u0003\u0004 pretend zip '.repeat(100));
    const path = tempFile('pixel-pack.zip', bytes);
    const r = await store('files', 'attach', product.sku.toLowerCase(), path);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(r.stdout).toBe(`Attached pixel-pack.zip (application/zip, 1.7 KiB, sha256 ${sha}) to ${product.sku}; it has 1 file now.\n`);
    const [row] = await filesOf(product.id);
    expect(row).toMatchObject({ filename: 'pixel-pack.zip', content_type: 'application/zip', size: bytes.length, sha256: sha });
    expect(readFileSync(join(storageDir, row!.storage_key)).equals(bytes)).toBe(true);

    const named = await store(
      'files',
      'attach',
      product.sku,
      tempFile('raw.bin', 'manual'),
      '--name',
      'Manual.pdf',
      '--type',
      'application/pdf',
    );
    expect(named.stdout).toContain('Attached Manual.pdf (application/pdf, 6 B');
    expect(named.stdout).toContain('it has 2 files now.');
    // /admin/audit: the upload's row for each file (name, size, hash; never the storage key), the command line as actor.
    expect(await auditRowsFor(db, product.sku)).toEqual([
      {
        action: 'product.file.upload',
        subject: product.sku,
        ...CLI_ACTOR,
        before: null,
        after: { name: 'pixel-pack.zip', size: bytes.length, sha256: sha },
      },
      {
        action: 'product.file.upload',
        subject: product.sku,
        ...CLI_ACTOR,
        before: null,
        after: { name: 'Manual.pdf', size: 6, sha256: createHash('sha256').update('manual').digest('hex') },
      },
    ]);
  });

  it('refuses other products, missing files and bad names, storing nothing', async () => {
    const keyProduct = await makeProduct(fx.catalog, { type: 'key' });
    const path = tempFile('a.zip', 'x');
    expect(await store('files', 'attach', keyProduct.sku, path)).toMatchObject({
      code: 1,
      stderr: `${keyProduct.sku} is a key product; files can only be attached to file products.\n`,
    });
    expect(await filesOf(keyProduct.id)).toEqual([]);
    expect(await store('files', 'attach', 'NO-SUCH', path)).toMatchObject({ code: 1, stderr: 'There is no product with SKU NO-SUCH.\n' });
    const file = await makeFileProduct(fx.catalog);
    expect(await store('files', 'attach', file.sku, '/nonexistent/a.zip')).toMatchObject({
      code: 1,
      stderr: 'Cannot read /nonexistent/a.zip: no such file.\n',
    });
    expect(await store('files', 'attach', file.sku, tmpdir())).toMatchObject({
      code: 1,
      stderr: `Cannot read ${tmpdir()}: it is not a file.\n`,
    });
    const badType = await store('files', 'attach', file.sku, path, '--type', 'zip');
    expect(badType).toMatchObject({ code: 1, stderr: '"zip" is not a media type (like application/zip).\n' });
    expect(await filesOf(file.id)).toEqual([]);
  });
});
