import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliServices } from '../../src/cli/context.js';
import { createRotationRepo, SEALED_COLUMNS } from '../../src/cli/rotate/rotation.repo.js';
import { createFulfilmentService } from '../../src/fulfilment/fulfilment.service.js';
import { createKeyPoolService } from '../../src/fulfilment/key-pool.service.js';
import { createKeySigner, loadSigningKey } from '../../src/fulfilment/signed-key.js';
import { ConfigError } from '../../src/platform/config.js';
import { testConfig } from '../support/env.js';
import { createSecretBox, type SecretBox } from '../../src/platform/crypto.js';
import type { Database } from '../../src/platform/db/db.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { runStore } from './cli-harness.js';

const config = testConfig();
const OLD = config.encryptionKey;
const b64 = (k: Buffer) => k.toString('base64');

describe.each(testDialects)('key rotation on %s', (dialect) => {
  let db: TestDatabase;
  let fx: CatalogFixtures;
  let seq = 0;
  const store = (argv: string[], env: Record<string, string> = {}) => runStore(argv, { db, env });

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    fx = catalogFixtures(db);
  });
  afterAll(() => db.drop());

  /** A paid order holding pool keys and a signed key, sealed under the configured (old) key. */
  async function paidOrder() {
    const shop = createCliServices({ config, db });
    const pool = await makeKeyLimProduct(fx, 3);
    const signed = await makeProduct(fx.catalog, { type: 'key' });
    const id = `ord_rot${++seq}${randomBytes(4).toString('hex')}`;
    const now = Date.now();
    const items = await db.transaction(async (tx) => {
      const inserted = await shop.orders.createOrder(
        tx,
        {
          id,
          user_sub: 'buyer',
          email: 'b@example.test',
          currency: 'EUR',
          subtotal: 0,
          tax: 0,
          total: 0,
          reserved_until: now + 60_000,
          created_at: now,
          updated_at: now,
        },
        [
          { product_id: pool.id, sku: pool.sku, name: 'Pool', type: 'key_lim', unit_price: 0, quantity: 2 },
          { product_id: signed.id, sku: signed.sku, name: 'Signed', type: 'key', unit_price: 0, quantity: 1 },
        ],
      );
      await shop.keyPool.reserveKeys(tx, { productId: pool.id, orderId: id, quantity: 2, until: now + 60_000 });
      await shop.orders.applyEvent(tx, id, 'payment_settled');
      await shop.fulfilment.deliverOrder(tx, id, inserted);
      return inserted;
    });
    return { pool, items };
  }

  /** A session and a login transaction sealed with `box`, as the auth domain writes them. */
  async function authRows(box: SecretBox) {
    const n = `${++seq}${randomBytes(6).toString('hex')}`;
    const now = Date.now();
    await db.kysely
      .insertInto('sessions')
      .values({
        id: `s${n}`,
        user_sub: 'u',
        email: 'u@example.test',
        name: 'U',
        roles: '[]',
        tokens_encrypted: box.seal(JSON.stringify({ accessToken: `at-${n}` })),
        access_expires_at: now,
        created_at: now,
        last_seen_at: now,
        expires_at: now + 60_000,
        refresh_lease_until: null,
      })
      .execute();
    await db.kysely
      .insertInto('login_transactions')
      .values({
        id: `l${n}`,
        browser_hash: 'h',
        payload_encrypted: box.seal(`{"nonce":"${n}"}`),
        created_at: now,
        expires_at: now + 60_000,
      })
      .execute();
  }

  async function sealedValues() {
    const k = db.kysely;
    return [
      ...(await k.selectFrom('license_keys').select(['key_encrypted as v', 'key_hash as h']).execute()),
      ...(await k.selectFrom('delivered_keys').select(['key_encrypted as v', 'key_hash as h']).execute()),
      ...(await k.selectFrom('sessions').select(['tokens_encrypted as v']).execute()),
      ...(await k.selectFrom('login_transactions').select(['payload_encrypted as v']).execute()),
    ] as Array<{ v: string; h?: string }>;
  }

  it('re-seals every value and lookup hash under a new key; afterwards the old key is not needed', async () => {
    const { pool, items } = await paidOrder();
    await authRows(createSecretBox(OLD));
    const oldBox = createSecretBox(OLD);
    const plainBefore = (await sealedValues()).map((s) => oldBox.open(s.v)).sort();

    const next = randomBytes(32);
    const r = await store(['keys', 'rotate-encryption', '--new-key', b64(next)]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(
      '  license_keys: 3 re-sealed\n  delivered_keys: 3 re-sealed\n  sessions: 1 re-sealed\n  login_transactions: 1 re-sealed\n',
    );
    expect(r.stdout).toContain(`  ENCRYPTION_KEY=${b64(next)}\n  ENCRYPTION_KEYS_PREVIOUS=${b64(OLD)}\n`);

    // Only the new key from here on: everything opens, and every hash is the new key's.
    const newBox = createSecretBox(next);
    const after = await sealedValues();
    expect(after.every((s) => s.v.startsWith(`v1.${newBox.keyId}.`))).toBe(true);
    expect(after.map((s) => newBox.open(s.v)).sort()).toEqual(plainBefore);
    for (const s of after.filter((x) => x.h)) expect(s.h).toBe(newBox.hash(newBox.open(s.v)));

    const keyPool = createKeyPoolService({ db, secrets: newBox });
    expect([...(await keyPool.findKeysInPools(pool.keys))].sort()).toEqual([...pool.keys].sort());
    await expect(keyPool.importKeys(pool.id, [pool.keys[0]!])).rejects.toMatchObject({ code: 'duplicate_keys' });
    const fulfilment = createFulfilmentService({
      db,
      keyPool,
      signer: createKeySigner(loadSigningKey(config.licenseSigningKey)),
      secrets: newBox,
      defaults: config.downloadDefaults,
    });
    const revealed = await fulfilment.revealKey(items[0]!.id, 0, { sub: 'buyer', ip: '127.0.0.1' });
    expect(pool.keys).toContain(revealed);

    // The CLI under the new configuration still works, and a second run has nothing left to do.
    const newEnv = { ENCRYPTION_KEY: b64(next), ENCRYPTION_KEYS_PREVIOUS: b64(OLD) };
    const again = await store(['keys', 'rotate-encryption', '--new-key', b64(next)], newEnv);
    expect(again.stdout).toContain(
      '  license_keys: 0 re-sealed\n  delivered_keys: 0 re-sealed\n  sessions: 0 re-sealed\n  login_transactions: 0 re-sealed\n',
    );
    expect(again.stdout).toContain(
      'Every value is sealed under ENCRYPTION_KEY now: ENCRYPTION_KEYS_PREVIOUS can be removed from every instance.',
    );
    // Back to the old key so the other tests' fixtures (sealed with it) stay readable.
    expect((await store(['keys', 'rotate-encryption', '--new-key', b64(OLD)], newEnv)).code).toBe(0);
  });

  it('generates and prints the new key first; resumes values written meanwhile; stops on a value no key opens', async () => {
    await paidOrder();
    const r = await store(['keys', 'rotate-encryption']);
    expect(r.code).toBe(0);
    const generated = /^New encryption key: (\S+)\n/.exec(r.stdout)![1]!;
    expect(Buffer.from(generated, 'base64')).toHaveLength(32);
    expect(r.stdout).toContain(`run again with --new-key ${generated}.`);
    const next = Buffer.from(generated, 'base64');
    const newBox = createSecretBox(next);

    // The old store wrote on while the new key was being rolled out; a value sealed with a key nobody has is refused.
    await authRows(createSecretBox(OLD));
    const stray = createSecretBox(randomBytes(32));
    await db.kysely
      .insertInto('sessions')
      .values({
        id: 'zzz-stray',
        user_sub: 'u',
        email: 'u@example.test',
        name: 'U',
        roles: '[]',
        tokens_encrypted: stray.seal('{}'),
        access_expires_at: 0,
        created_at: 0,
        last_seen_at: 0,
        expires_at: 1,
        refresh_lease_until: null,
      })
      .execute();
    const env = { ENCRYPTION_KEY: generated, ENCRYPTION_KEYS_PREVIOUS: b64(OLD) };
    const stopped = await store(['keys', 'rotate-encryption', '--new-key', generated], env);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/^sessions zzz-stray: no configured key opens this value \(is its key in ENCRYPTION_KEYS_PREVIOUS\?\)/);

    await db.kysely.deleteFrom('sessions').where('id', '=', 'zzz-stray').execute();
    const resumed = await store(['keys', 'rotate-encryption', '--new-key', generated], env);
    expect(resumed.code).toBe(0);
    // The failed batch was rolled back whole; the tables before it stay done.
    expect(resumed.stdout).toContain(
      '  license_keys: 0 re-sealed\n  delivered_keys: 0 re-sealed\n  sessions: 1 re-sealed\n  login_transactions: 1 re-sealed\n',
    );
    expect((await sealedValues()).every((s) => newBox.open(s.v) !== undefined)).toBe(true);
    expect((await store(['keys', 'rotate-encryption', '--new-key', b64(OLD)], env)).code).toBe(0);
  });

  it('exits 1 when an instance still sealed with the old key while it ran; run again, it finishes', async () => {
    await paidOrder();
    const next = randomBytes(32);
    const env = { ENCRYPTION_KEY: b64(next), ENCRYPTION_KEYS_PREVIOUS: b64(OLD) };
    // An instance still on the old key logs a buyer in after each of the command's batches.
    const busy: Database = {
      ...db,
      transaction: (fn) => db.transaction(fn).then(async (result) => (await authRows(createSecretBox(OLD)), result)),
    };
    const r = await runStore(['keys', 'rotate-encryption', '--new-key', b64(next)], { db: busy, env });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  sessions: ');
    const left = Number(/^(\d+) /.exec(r.stderr)?.[1]);
    expect(left).toBeGreaterThan(0);
    expect(r.stderr).toBe(
      `${left} values were sealed under another key while this ran: an instance still seals with it. Once every instance runs with ENCRYPTION_KEY=${b64(next)}, run this again with --new-key ${b64(next)}; keep the old key in ENCRYPTION_KEYS_PREVIOUS until then.\n`,
    );
    const again = await store(['keys', 'rotate-encryption', '--new-key', b64(next)], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Every value is sealed under ENCRYPTION_KEY now');
    expect((await store(['keys', 'rotate-encryption', '--new-key', b64(OLD)], env)).code).toBe(0);
  });

  it('never overwrites a value re-sealed by the store after the command read it', async () => {
    const box = createSecretBox(OLD);
    await authRows(box);
    const [row] = await db.kysely
      .selectFrom('sessions')
      .select(['id', 'tokens_encrypted'])
      .orderBy('created_at', 'desc')
      .limit(1)
      .execute();
    const sessions = SEALED_COLUMNS.find((c) => c.table === 'sessions')!;
    const stale = { id: row!.id, was: 'v1.read-before-a-refresh', sealed: box.seal('{"accessToken":"stale"}'), hash: null };
    await createRotationRepo(db).updateSealed(sessions, [stale], db.kysely);
    const after = await db.kysely.selectFrom('sessions').select('tokens_encrypted').where('id', '=', row!.id).executeTakeFirstOrThrow();
    expect(after.tokens_encrypted).toBe(row!.tokens_encrypted);
  });

  it('refuses a new key that is not 32 bytes', async () => {
    const r = await store(['keys', 'rotate-encryption', '--new-key', 'c2hvcnQ=']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--new-key must be 32 bytes, base64 encoded');
  });
});

describe('signing key rotation', () => {
  it('prints a new signing key; with the old one in LICENSE_SIGNING_KEYS_PREVIOUS earlier keys still verify', async () => {
    const r = await runStore(['keys', 'rotate-signing']);
    expect(r.code).toBe(0);
    const seed = /\n {2}LICENSE_SIGNING_KEY=(\S+)\n/.exec(r.stdout)![1]!;
    expect(r.stdout).toContain(`  LICENSE_SIGNING_KEYS_PREVIOUS=${config.licenseSigningKey}\n`);
    expect(r.stdout).toContain('-----BEGIN PUBLIC KEY-----');

    const oldSigner = createKeySigner(loadSigningKey(config.licenseSigningKey));
    const earlier = oldSigner.issue('SKU-1', Date.now());
    const rotated = testConfig({ LICENSE_SIGNING_KEY: seed, LICENSE_SIGNING_KEYS_PREVIOUS: r.stdout.match(/PREVIOUS=(\S+)/)![1]! });
    const signer = createKeySigner(loadSigningKey(rotated.licenseSigningKey), rotated.previousLicenseSigningKeys.map(loadSigningKey));
    expect(signer.verify(earlier)?.s).toBe('SKU-1');
    expect(signer.verify(signer.issue('SKU-2', Date.now()))?.k).not.toBe(oldSigner.keyId);
    // Without the previous key the earlier key no longer verifies.
    expect(createKeySigner(loadSigningKey(seed)).verify(earlier)).toBeNull();
    expect(() => testConfig({ LICENSE_SIGNING_KEYS_PREVIOUS: 'not-a-key' })).toThrow(ConfigError);
  });
});
