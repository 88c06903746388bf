import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyPoolService } from '../../src/fulfilment/key-pool.service.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';

describe.each(testDialects)('key pools on %s', (dialect) => {
  let db: TestDatabase;
  let pool: ReturnType<typeof createKeyPoolService>;
  let productId: number;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    pool = createKeyPoolService({ db, secrets: createSecretBox(randomBytes(32)) });
    const now = Date.now();
    const row = await db.kysely
      .insertInto('products')
      .values({ sku: 'POOL-1', name: 'Pool', summary: '', description: '', price: 100, currency: 'EUR', type: 'key_lim', status: 'active', featured: 0, specs: '[]', download_limit: null, access_days: null, activation_limit: null, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    productId = row.id;
  });
  afterAll(() => db.drop());

  it('imports keys encrypted and counts them as stock', async () => {
    expect(await pool.importKeys(productId, ['AAAA-1', ' AAAA-2 ', 'AAAA-3'])).toEqual({ added: 3 });
    expect((await pool.countAvailable([productId, 9999])).get(productId)).toBe(3);
    const stored = await db.kysely.selectFrom('license_keys').select('key_encrypted').execute();
    expect(stored.every((r) => !r.key_encrypted.includes('AAAA'))).toBe(true);
  });

  it('refuses the whole import when a key repeats, in the input or in the pool', async () => {
    await expect(pool.importKeys(productId, ['NEW-1', 'NEW-1'])).rejects.toMatchObject({ code: 'duplicate_keys' });
    await expect(pool.importKeys(productId, ['NEW-2', 'AAAA-2'])).rejects.toMatchObject({ code: 'duplicate_keys', details: { duplicates: ['AAAA-2'] } });
    await expect(pool.importKeys(productId, ['NEW-3', '  '])).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await pool.countAvailable([productId])).get(productId)).toBe(3);
  });
});
