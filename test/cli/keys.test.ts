import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { auditRowsFor, CLI_ACTOR, runStore, tempFile } from './cli-harness.js';

describe.each(testDialects)('keys import and count on %s', (dialect) => {
  let db: TestDatabase;
  let fx: CatalogFixtures;
  const store = (...argv: string[]) => runStore(argv, { db });
  const poolSize = async () =>
    Number(
      (
        await db.kysely
          .selectFrom('license_keys')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    fx = catalogFixtures(db);
  });
  afterAll(() => db.drop());

  it('imports one key per line, trimmed, skipping blank lines and # comments', async () => {
    const product = await makeKeyLimProduct(fx, 0);
    const file = tempFile('keys.txt', '\uFEFF# batch 7 from the vendor\r\nAAAA-1111\r\n\r\n   BBBB-2222   \r\n# end\r\nCCCC-3333');
    const r = await store('keys', 'import', product.sku.toLowerCase(), file);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(new RegExp(`^Imported 3 keys into the pool of ${product.sku} in \\d+\\.\\d s\\.\\n$`));
    expect((await fx.keyPool.countAvailable([product.id])).get(product.id)).toBe(3);
    expect([...(await fx.keyPool.findKeysInPools(['AAAA-1111', 'BBBB-2222', 'CCCC-3333', 'DDDD-4444']))].sort()).toEqual([
      'AAAA-1111',
      'BBBB-2222',
      'CCCC-3333',
    ]);
    // /admin/audit: the keys page's row (the count, never a key), with the command line as actor.
    expect(await auditRowsFor(db, product.sku)).toEqual([
      { action: 'product.keys.import', subject: product.sku, ...CLI_ACTOR, before: null, after: { added: 3, source: 'file' } },
    ]);
  });

  it('refuses a file with repeated keys, over-long keys and keys already in a pool, naming their lines; nothing is written', async () => {
    const other = await makeKeyLimProduct(fx, ['TAKEN-0001', 'TAKEN-0002']);
    const product = await makeKeyLimProduct(fx, 0);
    const before = await poolSize();
    const lines = ['NEW-0001', 'NEW-0002', 'TAKEN-0002', 'NEW-0001', '', 'X'.repeat(501), 'NEW-0003', '  NEW-0002  ', 'TAKEN-0001'];
    const r = await store('keys', 'import', product.sku, tempFile('keys.txt', lines.join('\n')));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([
      'No keys were imported: 5 problems in the file.',
      '  line 3: key TAKE…02 is already in a pool.',
      '  line 4: the same key as line 1.',
      '  line 6: the key has 501 characters; at most 500.',
      '  line 8: the same key as line 2.',
      '  line 9: key TAKE…01 is already in a pool.',
      '',
    ]);
    expect(await poolSize()).toBe(before);
    expect(other.keys).toHaveLength(2);
    expect(await auditRowsFor(db, product.sku)).toEqual([]);
  });

  it('imports only into key_lim products, and says why not', async () => {
    const signed = await makeProduct(fx.catalog, { type: 'key' });
    const file = tempFile('keys.txt', 'KEY-1\n');
    const wrongType = await store('keys', 'import', signed.sku, file);
    expect(wrongType).toMatchObject({
      code: 1,
      stderr: `${signed.sku} is a key product; only key_lim products have a pool of imported keys.\n`,
    });
    const unknown = await store('keys', 'import', 'NO-SUCH-SKU', file);
    expect(unknown).toMatchObject({ code: 1, stderr: 'There is no product with SKU NO-SUCH-SKU.\n' });
    const product = await makeKeyLimProduct(fx, 0);
    const empty = await store('keys', 'import', product.sku, tempFile('empty.txt', '# nothing yet\n\n'));
    expect(empty).toMatchObject({ code: 1, stderr: 'The file holds no keys (blank lines and lines starting with # are skipped).\n' });
  });

  it('imports 10,000 keys in one go, with a progress bar on a terminal', async () => {
    const product = await makeKeyLimProduct(fx, 0);
    const keys = Array.from(
      { length: 10_000 },
      (_, i) => `BULK-${dialect}-${String(i).padStart(6, '0')}-${(i * 7919).toString(36).toUpperCase()}`,
    );
    const r = await runStore(['keys', 'import', product.sku, tempFile('bulk.txt', keys.join('\n'))], { db, tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Imported 10000 keys');
    expect(r.stderr).toContain('100% 10000/10000');
    expect((await fx.keyPool.countAvailable([product.id])).get(product.id)).toBe(10_000);

    // The same file again: every key is a duplicate, nothing is added.
    const again = await store('keys', 'import', product.sku, tempFile('bulk.txt', keys.join('\n')));
    expect(again.code).toBe(1);
    expect(again.stderr.split('\n')[0]).toBe('No keys were imported: 10000 problems in the file.');
    expect(again.stderr).toContain(`line 10000: key BULK…${keys[9999]!.slice(-2)} is already in a pool.`);
    expect((await fx.keyPool.countAvailable([product.id])).get(product.id)).toBe(10_000);
  });

  it('counts keys per state for one product or every key_lim product', async () => {
    const product = await makeKeyLimProduct(fx, ['COUNT-1', 'COUNT-2', 'COUNT-3'], { name: 'Counted key' });
    await db.transaction((tx) =>
      fx.keyPool.reserveKeys(tx, { productId: product.id, orderId: 'ord_count', quantity: 1, until: Date.now() + 60_000 }),
    );
    const one = await store('keys', 'count', product.sku, '--json');
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual([
      { sku: product.sku, name: 'Counted key', status: 'active', available: 2, reserved: 1, sold: 0, revoked: 0 },
    ]);
    const all = await store('keys', 'count');
    expect(all.stdout.split('\n')[0]).toMatch(/^SKU +AVAILABLE +RESERVED +SOLD +REVOKED +STATUS +NAME$/);
    expect(all.stdout).toMatch(new RegExp(`\\n${product.sku} +2 +1 +0 +0 +active `));
    const signed = await makeProduct(fx.catalog, { type: 'file' });
    expect(await store('keys', 'count', signed.sku)).toMatchObject({
      code: 1,
      stderr: `${signed.sku} is a file product; only key_lim products have a pool.\n`,
    });
  });
});
