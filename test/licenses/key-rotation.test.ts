import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import { runStore } from '../cli/cli-harness.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { testConfig } from '../support/env.js';
import { licenseFixtures, type LicenseJson } from './license-fixtures.js';

const OLD = testConfig().encryptionKey.toString('base64');
const NEW = randomBytes(32).toString('base64');
// The README's zero-downtime rotation, one configuration per step.
const onOld = { ENCRYPTION_KEY: OLD };
const step1 = { ENCRYPTION_KEY: OLD, ENCRYPTION_KEYS_PREVIOUS: NEW };
const step2 = { ENCRYPTION_KEY: NEW, ENCRYPTION_KEYS_PREVIOUS: OLD };
const step4 = { ENCRYPTION_KEY: NEW };
// The loop sends thousands of validations of a few keys: no limit may answer 429 instead.
const unlimited = { LICENSE_API_RATE_LIMIT: '100000', LICENSE_API_KEY_RATE_LIMIT: '100000' };

interface Instance {
  name: string;
  app: Awaited<ReturnType<typeof buildApp>>;
}
interface Expected {
  label: string;
  key: string;
  status: 'inactive' | 'revoked';
}

describe.each(testDialects)('rotating the encryption key without downtime on %s', (dialect) => {
  let db: TestDatabase;
  let ip = 0;
  const instances: Instance[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(dialect, { poolSize: 10 });
  });
  afterAll(async () => {
    for (const i of instances) await i.app.close();
    await db.drop();
  });

  /** A store instance on the shared database, as a process started with `env` would be. */
  async function start(name: string, env: Record<string, string>): Promise<Instance> {
    const app = await buildApp({ config: testConfig({ ...unlimited, ...env }), db });
    await app.ready();
    const instance = { name, app };
    instances.push(instance);
    return instance;
  }

  const validate = (instance: Instance, key: string, instanceId?: string) =>
    instance.app.inject({
      method: 'POST',
      url: '/api/licenses/validate',
      remoteAddress: `10.20.${Math.floor(++ip / 250) % 250}.${(ip % 250) + 1}`,
      payload: instanceId ? { license_key: key, instance_id: instanceId } : { license_key: key },
    });

  it('an instance on the old key alone misses keys written under the new one: the new key is added as previous first', async () => {
    const fxNew = licenseFixtures(db, Date.now, step2);
    const oldOnly = await start('old only', onOld);
    const { key } = await fxNew.paidOrder({ type: 'key' });
    const res = await validate(oldOnly, key);
    expect(res.statusCode).toBe(404);
    const step1Instance = await start('step 1', step1);
    expect((await validate(step1Instance, key)).json<LicenseJson>()).toMatchObject({ valid: true, status: 'inactive' });
  });

  it('every valid key stays valid and every revoked key revoked on every instance, through each step of the README', async () => {
    const fxOld = licenseFixtures(db, Date.now, onOld);
    // Spare pool keys: the rotate command re-seals them in several batches while the loop runs.
    await fxOld.pool(4100);
    const expected: Expected[] = [];
    const add = (label: string, key: string, status: Expected['status'] = 'inactive') => expected.push({ label, key, status });
    const poolKey = await fxOld.paidOrder({ type: 'key_lim' });
    const signedKey = await fxOld.paidOrder({ type: 'key' });
    const refundedPool = await fxOld.paidOrder({ type: 'key_lim' });
    const refundedSigned = await fxOld.paidOrder({ type: 'key' });
    await fxOld.refund(refundedPool.orderId, refundedPool.item.id, 1, true);
    await fxOld.refund(refundedSigned.orderId, refundedSigned.item.id, 1, true);
    add('old pool key', poolKey.key);
    add('old signed key', signedKey.key);
    add('old refunded pool key', refundedPool.key, 'revoked');
    add('old refunded signed key', refundedSigned.key, 'revoked');
    const oldPool = await fxOld.pool(5);

    // The loop: every running instance validates every key, round after round, until the end.
    const running: Instance[] = [];
    const failures: string[] = [];
    const counts = new Map<string, number>();
    let phase = 'on the old key';
    let rounds = 0;
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        for (const instance of [...running]) {
          for (const e of [...expected]) {
            const res = await validate(instance, e.key);
            counts.set(phase, (counts.get(phase) ?? 0) + 1);
            const body = res.json<LicenseJson>();
            if (res.statusCode !== 200 || body.status !== e.status || body.valid !== (e.status === 'inactive'))
              failures.push(`${phase}, ${instance.name}, ${e.label}: ${res.statusCode} ${res.body}`);
          }
        }
        rounds++;
        await sleep(1);
      }
    })();
    /** Resolves once `n` more whole rounds have run (a removed instance is then no longer in use). */
    const roundsPass = async (n = 3) => {
      const until = rounds + n;
      while (rounds < until) await sleep(2);
    };
    const replace = async (old: Instance, next: Instance) => {
      running.splice(running.indexOf(old), 1, next);
      await roundsPass();
      await old.app.close();
      instances.splice(instances.indexOf(old), 1);
    };

    try {
      const a0 = await start('A (old key)', onOld);
      running.push(a0);
      await roundsPass();

      phase = 'step 1: the new key added as previous';
      const a1 = await start('A (step 1)', step1);
      await replace(a0, a1);

      phase = 'step 2: B restarted on the new key beside A';
      const b = await start('B (step 2)', step2);
      running.push(b);
      await roundsPass();
      // Both write meanwhile: B seals with the new key (its pool key keeps the old pool row's hash), A with the old.
      const fxA = licenseFixtures(db, Date.now, step1);
      const fxB = licenseFixtures(db, Date.now, step2);
      add('signed key delivered by B', (await fxB.paidOrder({ type: 'key' })).key);
      add('old pool key delivered by B', (await fxB.paidOrder({ type: 'key_lim', from: oldPool })).key);
      add('pool key imported and delivered by B', (await fxB.paidOrder({ type: 'key_lim' })).key);
      add('signed key delivered by A', (await fxA.paidOrder({ type: 'key' })).key);
      add('pool key imported and delivered by A', (await fxA.paidOrder({ type: 'key_lim', from: oldPool })).key);
      const refundedByB = await fxB.paidOrder({ type: 'key' });
      await fxB.refund(refundedByB.orderId, refundedByB.item.id, 1, true);
      add('signed key delivered and refunded by B', refundedByB.key, 'revoked');
      // An activation on one instance is seen on the other.
      const activated = await fxA.paidOrder({ type: 'key_lim', from: oldPool });
      const on = await a1.app.inject({
        method: 'POST',
        url: '/api/licenses/activate',
        payload: { license_key: activated.key, instance_name: 'studio' },
      });
      expect(on.statusCode).toBe(201);
      const instanceId = on.json<LicenseJson>().instance!.id;
      expect((await validate(b, activated.key, instanceId)).json<LicenseJson>()).toMatchObject({
        status: 'active',
        instance: { id: instanceId },
      });
      await roundsPass();

      phase = 'step 2: A restarted on the new key';
      const a2 = await start('A (step 2)', step2);
      await replace(a1, a2);

      phase = 'step 3: the rotate command running';
      const rotated = await runStore(['keys', 'rotate-encryption', '--new-key', NEW], { db, env: step2 });
      phase = 'step 3: rotated';
      expect(rotated.stderr).toBe('');
      expect(rotated.code).toBe(0);
      // Seven delivered keys were under the old key; B's delivery of an old pool key had the new seal but the old hash.
      expect(rotated.stdout).toContain('  delivered_keys: 7 re-sealed, 1 lookup hashes corrected\n');
      expect(rotated.stdout).toContain('Every value is sealed under ENCRYPTION_KEY now: ENCRYPTION_KEYS_PREVIOUS can be removed');
      await roundsPass();

      phase = 'step 4: the old key dropped';
      await replace(a2, await start('A (step 4)', step4));
      await replace(b, await start('B (step 4)', step4));
      await roundsPass();
    } finally {
      // Also when an assertion above failed: no request may reach an instance closed afterwards.
      stop = true;
      await loop;
    }

    expect(failures).toEqual([]);
    for (const step of [
      'on the old key',
      'step 1: the new key added as previous',
      'step 2: B restarted on the new key beside A',
      'step 2: A restarted on the new key',
      'step 3: rotated',
      'step 4: the old key dropped',
    ])
      expect(counts.get(step), step).toBeGreaterThan(0);
    // On PostgreSQL the instances answer between (and beside) the command's batches: validations, not
    // whole rounds, as a round on a loaded machine can outlast the command. SQLite's driver is
    // synchronous: in one process the command's batches run back to back (a SQLite store is one
    // instance anyway, and its rotation can take the short stop of the simple procedure).
    if (dialect === 'postgres') expect(counts.get('step 3: the rotate command running') ?? 0).toBeGreaterThan(0);
    // Every lookup hash is now the new key's: nothing depends on the old key any more.
    const box = createSecretBox(Buffer.from(NEW, 'base64'));
    const rows = await db.kysely.selectFrom('delivered_keys').select(['key_encrypted', 'key_hash']).execute();
    for (const r of rows) expect(r.key_hash).toBe(box.hash(box.open(r.key_encrypted)));
  });
});
