import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLicensesService } from '../../src/licenses/licenses.service.js';
import { AppError } from '../../src/platform/errors.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { licenseFixtures, type LicenseFixtures } from './license-fixtures.js';

/** The error code a promise rejects with. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return `${err.status} ${err.code}`;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe.each(testDialects)('licenses service on %s', (dialect) => {
  let db: TestDatabase;
  let fx: LicenseFixtures;

  beforeAll(async () => {
    db = await createTestDatabase(dialect, { poolSize: 10 });
    fx = licenseFixtures(db);
  });
  afterAll(() => db.drop());

  it('validates a fresh key as inactive with its product, limit and usage', async () => {
    for (const type of ['key', 'key_lim'] as const) {
      const { key, product } = await fx.paidOrder({ type, activationLimit: 2 });
      expect(await fx.licenses.validate(key)).toEqual({
        valid: true,
        status: 'inactive',
        license: { sku: product.sku, name: type === 'key' ? 'Signed app' : 'Pool app', activation_limit: 2, activation_usage: 0 },
        instance: null,
      });
      expect((await fx.licenses.validate(`  ${key}\n`)).valid).toBe(true);
    }
  });

  it('activates up to the limit, refuses beyond it, and frees a slot on deactivation', async () => {
    const { key } = await fx.paidOrder({ type: 'key_lim', activationLimit: 2 });
    const first = await fx.licenses.activate(key, 'laptop');
    expect(first).toMatchObject({
      created: true,
      valid: true,
      status: 'active',
      license: { activation_limit: 2, activation_usage: 1 },
      instance: { name: 'laptop' },
    });
    expect(first.instance!.id).toMatch(/^inst_[0-9a-f]{24}$/);
    const second = await fx.licenses.activate(key, 'desktop');
    expect(second.license.activation_usage).toBe(2);
    expect(await codeOf(fx.licenses.activate(key, 'tablet'))).toBe('409 activation_limit_reached');

    const seen = await fx.licenses.validate(key, first.instance!.id);
    expect(seen).toMatchObject({
      valid: true,
      status: 'active',
      license: { activation_usage: 2 },
      instance: first.instance,
    });

    expect(await fx.licenses.deactivate(key, first.instance!.id)).toMatchObject({
      valid: true,
      status: 'active',
      license: { activation_usage: 1 },
      instance: null,
    });
    expect(await codeOf(fx.licenses.validate(key, first.instance!.id))).toBe('404 instance_not_found');
    expect(await codeOf(fx.licenses.deactivate(key, first.instance!.id))).toBe('404 instance_not_found');
    const again = await fx.licenses.activate(key, 'tablet');
    expect(again).toMatchObject({ created: true, license: { activation_usage: 2 } });
    expect(again.instance!.id).not.toBe(first.instance!.id);

    await fx.licenses.deactivate(key, second.instance!.id);
    await fx.licenses.deactivate(key, again.instance!.id);
    expect(await fx.licenses.validate(key)).toMatchObject({ status: 'inactive', license: { activation_usage: 0 } });
  });

  it('answers an instance name already active on the key with that instance, using no slot', async () => {
    const { key } = await fx.paidOrder({ activationLimit: 1 });
    const first = await fx.licenses.activate(key, 'build-server');
    const repeat = await fx.licenses.activate(key, ' build-server ');
    expect(repeat).toMatchObject({ created: false, license: { activation_usage: 1 }, instance: first.instance });
    expect(await codeOf(fx.licenses.activate(key, 'Build-Server'))).toBe('409 activation_limit_reached');
  });

  it('has no limit when the product sets none', async () => {
    const { key } = await fx.paidOrder({ activationLimit: null });
    for (let i = 0; i < 12; i++) await fx.licenses.activate(key, `machine ${i}`);
    expect(await fx.licenses.validate(key)).toMatchObject({ license: { activation_limit: null, activation_usage: 12 } });
  });

  it('answers revoked after a refund: validate says so, activate refuses, deactivate still frees a slot', async () => {
    const { key, keys, orderId, item } = await fx.paidOrder({ type: 'key_lim', quantity: 2, activationLimit: 3 });
    const on = await fx.licenses.activate(keys[1]!, 'old pc');
    await fx.refund(orderId, item.id, 1);
    expect(await fx.licenses.validate(keys[1]!, on.instance!.id)).toMatchObject({
      valid: false,
      status: 'revoked',
      instance: { id: on.instance!.id },
    });
    expect(await codeOf(fx.licenses.activate(keys[1]!, 'new pc'))).toBe('410 license_revoked');
    expect(await codeOf(fx.licenses.activate(keys[1]!, 'old pc'))).toBe('410 license_revoked');
    expect(await fx.licenses.deactivate(keys[1]!, on.instance!.id)).toMatchObject({ status: 'revoked', license: { activation_usage: 0 } });
    // The unit not refunded stays valid.
    expect(await fx.licenses.validate(key)).toMatchObject({ valid: true, status: 'inactive' });
  });

  it('answers unknown and malformed keys license_not_found, and another key’s instance instance_not_found', async () => {
    const a = await fx.paidOrder();
    const b = await fx.paidOrder();
    const onB = await fx.licenses.activate(b.key, 'pc');
    for (const bad of ['NO-SUCH-KEY', `${a.key}x`, 'LK1.e30.AAAA', '💥', ' ', 'x'.repeat(1024)]) {
      expect(await codeOf(fx.licenses.validate(bad))).toBe('404 license_not_found');
      expect(await codeOf(fx.licenses.validate(bad, onB.instance!.id))).toBe('404 license_not_found');
      expect(await codeOf(fx.licenses.activate(bad, 'pc'))).toBe('404 license_not_found');
      expect(await codeOf(fx.licenses.deactivate(bad, onB.instance!.id))).toBe('404 license_not_found');
    }
    expect(await codeOf(fx.licenses.validate(a.key, onB.instance!.id))).toBe('404 instance_not_found');
    expect(await codeOf(fx.licenses.deactivate(a.key, onB.instance!.id))).toBe('404 instance_not_found');
    expect(await codeOf(fx.licenses.validate(a.key, 'not-an-id'))).toBe('404 instance_not_found');
    expect(await fx.licenses.validate(b.key, onB.instance!.id)).toMatchObject({ status: 'active' });
    for (const name of ['', '  ', 'a\nb', 'x'.repeat(201)])
      expect(await codeOf(fx.licenses.activate(a.key, name))).toBe('400 invalid_input');
    expect(await fx.licenses.validate(a.key)).toMatchObject({ license: { activation_usage: 0 } });
  });

  it('runs the same queries for an unknown key as for a known key with a wrong instance', async () => {
    let queries: string[] = [];
    const counting = db.kysely.withPlugin({
      transformQuery: (args) => (queries.push(args.node.kind), args.node),
      transformResult: async (args) => args.result,
    });
    const counted = createLicensesService({
      db: { ...db, kysely: counting, transaction: (fn) => counting.transaction().execute(fn) },
      secrets: fx.secrets,
      orders: fx.orders,
      fulfilment: fx.fulfilment,
    });
    const { key } = await fx.paidOrder();
    const trace = async (fn: () => Promise<unknown>) => {
      queries = [];
      await fn().catch(() => undefined);
      return queries;
    };
    const wrongInstance = await trace(() => counted.validate(key, 'inst_000000000000000000000000'));
    expect(wrongInstance).toEqual(['SelectQueryNode', 'SelectQueryNode']);
    expect(await trace(() => counted.validate('NO-SUCH-KEY', 'inst_000000000000000000000000'))).toEqual(wrongInstance);
    expect(await trace(() => counted.validate('NO-SUCH-KEY'))).toEqual(wrongInstance);
    const wrongDeactivation = await trace(() => counted.deactivate(key, 'inst_000000000000000000000000'));
    expect(wrongDeactivation).toEqual(['SelectQueryNode', 'UpdateQueryNode']);
    expect(await trace(() => counted.deactivate('NO-SUCH-KEY', 'inst_000000000000000000000000'))).toEqual(wrongDeactivation);
  });

  it('lets exactly the limit of many concurrent activations succeed', async () => {
    const { key } = await fx.paidOrder({ activationLimit: 3 });
    const results = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => fx.licenses.activate(key, `racer ${i}`)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(3);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as AppError).code).toBe('activation_limit_reached');
    expect(await fx.licenses.validate(key)).toMatchObject({ license: { activation_usage: 3 } });
    expect(
      await db.kysely.selectFrom('license_activations').select('instance_id').where('instance_name', 'like', 'racer %').execute(),
    ).toHaveLength(3);
  });

  it('gives the last slot to exactly one of many racers, and one instance to racers using the same name', async () => {
    const { key } = await fx.paidOrder({ type: 'key_lim', activationLimit: 4 });
    for (const name of ['a', 'b', 'c']) await fx.licenses.activate(key, name);
    const last = await Promise.allSettled(Array.from({ length: 15 }, (_, i) => fx.licenses.activate(key, `last ${i}`)));
    expect(last.filter((r) => r.status === 'fulfilled')).toHaveLength(1);

    const other = await fx.paidOrder({ activationLimit: 2 });
    const same = await Promise.all(Array.from({ length: 10 }, () => fx.licenses.activate(other.key, 'same machine')));
    expect(new Set(same.map((s) => s.instance!.id)).size).toBe(1);
    expect(same.filter((s) => s.created)).toHaveLength(1);
    expect(await fx.licenses.validate(other.key)).toMatchObject({ license: { activation_usage: 1 } });
  });

  it('lists a key’s activations for its order page and for the owner, who can revoke one', async () => {
    const { key, orderId, item } = await fx.paidOrder({ type: 'key_lim', quantity: 2, activationLimit: 5 });
    const laptop = await fx.licenses.activate(key, 'laptop');
    const desk = await fx.licenses.activate(key, 'desk');
    const [delivered] = (await fx.fulfilment.findDeliveries([item.id])).keys;
    const page = await fx.licenses.activationsOf([delivered!.id]);
    expect(page.get(delivered!.id)).toEqual({
      limit: 5,
      instances: [
        expect.objectContaining({ id: laptop.instance!.id, name: 'laptop' }),
        expect.objectContaining({ id: desk.instance!.id, name: 'desk' }),
      ],
    });

    const revokedAt = Date.now();
    expect(await fx.licenses.revokeActivation(laptop.instance!.id)).toEqual({ id: laptop.instance!.id, name: 'laptop' });
    expect(await codeOf(fx.licenses.revokeActivation(laptop.instance!.id))).toBe('404 instance_not_found');
    const listed = await fx.licenses.listForOwner(orderId);
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({ orderId, unit: 0, status: 'active', activationLimit: 5, keyHash: fx.secrets.hash(key) });
    expect(listed[0]!.instances.map((i) => i.name)).toEqual(['laptop', 'desk']);
    expect(listed[0]!.instances[0]!.deactivatedAt).toBeGreaterThanOrEqual(revokedAt);
    expect(listed[0]!.instances[1]!.deactivatedAt).toBeNull();
    expect(listed[1]).toMatchObject({ unit: 1, status: 'inactive', instances: [] });
    expect(await fx.licenses.listForOwner(fx.secrets.hash(key).slice(0, 12).toUpperCase())).toEqual([listed[0]]);
    for (const bad of ['ord_x', 'abc', "' or 1=1 --", '%']) expect(await codeOf(fx.licenses.listForOwner(bad))).toBe('400 invalid_input');
  });
});
