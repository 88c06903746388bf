import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaches } from '../../src/caches.js';
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
      .values({
        sku: 'POOL-1',
        name: 'Pool',
        summary: '',
        description: '',
        price: 100,
        currency: 'EUR',
        type: 'key_lim',
        status: 'active',
        featured: 0,
        specs: '[]',
        download_limit: null,
        access_days: null,
        activation_limit: null,
        created_at: now,
        updated_at: now,
      })
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
    await expect(pool.importKeys(productId, ['NEW-2', 'AAAA-2'])).rejects.toMatchObject({
      code: 'duplicate_keys',
      details: { duplicates: ['AAAA-2'] },
    });
    await expect(pool.importKeys(productId, ['NEW-3', '  '])).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await pool.countAvailable([productId])).get(productId)).toBe(3);
  });

  it('shows catalog pages a count that a change through any pool service on its caches updates at once, and another process’s within the TTL', async () => {
    let now = 1_800_000_000_000;
    const { shownStock } = createCaches({ clock: () => now });
    const shop = createKeyPoolService({ db, secrets: createSecretBox(randomBytes(32)), clock: () => now, shownStock });
    const other = createKeyPoolService({ db, secrets: createSecretBox(randomBytes(32)), clock: () => now, shownStock });
    const shown = async () => (await shop.countAvailableShown([productId, 9999])).get(productId);
    expect(await shown()).toBe(3);
    await other.importKeys(productId, ['SHOWN-1']);
    expect(await shown()).toBe(4);
    await db.transaction((tx) => other.reserveKeys(tx, { productId, orderId: 'shown', quantity: 2, until: now }));
    expect(await shown()).toBe(2);
    expect(await other.releaseReservation('shown')).toBe(2);
    expect(await shown()).toBe(4);

    // Another instance or the CLI: not seen until the count expires; the live count sees it at once.
    const [one] = await db.kysely
      .selectFrom('license_keys')
      .select('id')
      .where('status', '=', 'available')
      .where('product_id', '=', productId)
      .limit(1)
      .execute();
    await db.kysely.updateTable('license_keys').set({ status: 'revoked' }).where('id', '=', one!.id).execute();
    expect((await pool.countAvailable([productId])).get(productId)).toBe(3);
    expect(await shown()).toBe(4);
    now += 2_000;
    expect(await shown()).toBe(4);
    now += 1;
    expect(await shown()).toBe(3);
    expect((await shop.countAvailableShown([9999])).get(9999)).toBe(0);
  });
});

describe.each(testDialects)('key reservations under concurrency on %s', (dialect) => {
  let db: TestDatabase;
  let pool: ReturnType<typeof createKeyPoolService>;
  let productId: number;
  const now = 1_800_000_000_000;
  beforeAll(async () => {
    db = await createTestDatabase(dialect, { poolSize: 12 });
    pool = createKeyPoolService({ db, secrets: createSecretBox(randomBytes(32)), clock: () => now });
    const row = await db.kysely
      .insertInto('products')
      .values({
        sku: 'LAST-KEYS',
        name: 'Last keys',
        summary: '',
        description: '',
        price: 100,
        currency: 'EUR',
        type: 'key_lim',
        status: 'active',
        featured: 0,
        specs: '[]',
        download_limit: null,
        access_days: null,
        activation_limit: null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    productId = row.id;
    await pool.importKeys(
      productId,
      Array.from({ length: 12 }, (_, i) => `LAST-${i}`),
    );
  });
  afterAll(() => db.drop());

  it('lets exactly as many buyers as there are keys reserve one; the rest are told it is sold out', async () => {
    const buyers = Array.from({ length: 40 }, (_, i) => `order-${i}`);
    const results = await Promise.allSettled(
      buyers.map((orderId) =>
        db.transaction((tx) => pool.reserveKeys(tx, { productId, orderId, quantity: 1, until: now + 60_000, name: 'Last keys' })),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(12);
    expect(lost).toHaveLength(28);
    for (const r of lost) expect(r.reason).toMatchObject({ code: 'out_of_stock', message: '“Last keys” is sold out.' });
    const reserved = await db.kysely.selectFrom('license_keys').select(['id', 'order_id']).where('status', '=', 'reserved').execute();
    expect(reserved).toHaveLength(12);
    expect(new Set(reserved.map((r) => r.order_id)).size).toBe(12);
    expect((await pool.countAvailable([productId])).get(productId)).toBe(0);
  });

  it('rolls a partial reservation back, releases, sells and never resells a revoked key', async () => {
    await db.kysely.updateTable('license_keys').set({ status: 'available', order_id: null, reserved_until: null }).execute();
    await db.transaction((tx) => pool.reserveKeys(tx, { productId, orderId: 'big', quantity: 10, until: now }));
    await expect(
      db.transaction((tx) => pool.reserveKeys(tx, { productId, orderId: 'greedy', quantity: 3, until: now })),
    ).rejects.toMatchObject({
      code: 'out_of_stock',
      details: { available: 2 },
    });
    expect((await pool.countAvailable([productId])).get(productId)).toBe(2);

    expect(await pool.releaseReservation('big')).toBe(10);
    expect((await pool.countAvailable([productId])).get(productId)).toBe(12);

    await db.transaction((tx) => pool.reserveKeys(tx, { productId, orderId: 'paid', quantity: 2, until: now }));
    const sold = await db.transaction((tx) => pool.sellReserved('paid', tx));
    expect(sold.map((k) => k.key).every((k) => k.startsWith('LAST-'))).toBe(true);
    expect(await pool.releaseReservation('paid')).toBe(0);
    await db.transaction((tx) => pool.revokeKeys([sold[0]!.licenseKeyId], tx));
    expect((await pool.countAvailable([productId])).get(productId)).toBe(10);
    const statuses = await db.kysely
      .selectFrom('license_keys')
      .select('status')
      .where(
        'id',
        'in',
        sold.map((k) => k.licenseKeyId),
      )
      .orderBy('id')
      .execute();
    expect(statuses.map((r) => r.status).sort()).toEqual(['revoked', 'sold']);
  });
});
