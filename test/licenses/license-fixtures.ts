import { randomUUID } from 'node:crypto';
import { createFulfilmentService } from '../../src/fulfilment/fulfilment.service.js';
import { createKeyPoolService } from '../../src/fulfilment/key-pool.service.js';
import { createKeySigner, loadSigningKey } from '../../src/fulfilment/signed-key.js';
import type { LicenseAnswer } from '../../src/licenses/license-status.js';
import { createLicensesService } from '../../src/licenses/licenses.service.js';
import { createOrdersService } from '../../src/orders/orders.service.js';
import { testConfig } from '../support/env.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import type { Database } from '../../src/platform/db/db.js';
import { catalogFixtures, makeKeyLimProduct, makeProduct } from '../support/factories.js';

/** A license API answer as its client reads it: `res.json<LicenseJson>()`. */
export type LicenseJson = LicenseAnswer & { activated?: true; deactivated?: true };

/**
 * Paid orders with delivered keys, made through the services as checkout and the webhook leave
 * them, with the secrets of `testConfig(env)` so an app from `createTestApp` with the same `env`
 * finds the same keys (`env` sets other encryption keys: an instance in the middle of a rotation).
 */
export function licenseFixtures(db: Database, clock: () => number = Date.now, env: Record<string, string> = {}) {
  const config = testConfig(env);
  const secrets = createSecretBox(config.encryptionKey, config.previousEncryptionKeys);
  const signer = createKeySigner(loadSigningKey(config.licenseSigningKey));
  const catalog = catalogFixtures(db, clock);
  // Pools imported under this configuration's key; the default one shares the app's stock cache.
  const fx = Object.keys(env).length === 0 ? catalog : { ...catalog, keyPool: createKeyPoolService({ db, secrets, clock }) };
  const orders = createOrdersService({ db, clock });
  const fulfilment = createFulfilmentService({ db, keyPool: fx.keyPool, signer, secrets, clock, defaults: config.downloadDefaults });
  const licenses = createLicensesService({ db, secrets, orders, fulfilment, clock });

  /** A `key_lim` product whose pool holds `keys` keys, imported under this configuration's key. */
  const pool = (keys: number) => makeKeyLimProduct(fx, keys, { name: 'Pool app' });

  /**
   * A fulfilled order of one product (`key`: signed keys; `key_lim`: pool keys, from a new pool
   * unless `from` names one) with `quantity` units; returns the keys in clear, as the buyer reveals them.
   */
  async function paidOrder({
    type = 'key',
    quantity = 1,
    activationLimit = null,
    userSub = `user-${randomUUID()}`,
    from,
  }: {
    type?: 'key' | 'key_lim';
    quantity?: number;
    activationLimit?: number | null;
    userSub?: string;
    from?: { id: number; sku: string };
  } = {}) {
    const product =
      type === 'key'
        ? await makeProduct(fx.catalog, { activationLimit, name: 'Signed app' })
        : (from ?? (await makeKeyLimProduct(fx, quantity, { activationLimit, name: 'Pool app' })));
    const id = `ord_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
    const now = clock();
    const [item] = await db.transaction(async (tx) => {
      const items = await orders.createOrder(
        tx,
        {
          id,
          user_sub: userSub,
          email: 'buyer@example.com',
          currency: 'EUR',
          subtotal: 1900 * quantity,
          tax: 0,
          total: 1900 * quantity,
          reserved_until: now + 60_000,
          created_at: now,
          updated_at: now,
        },
        [{ product_id: product.id, sku: product.sku, name: type === 'key' ? 'Signed app' : 'Pool app', type, unit_price: 1900, quantity }],
      );
      if (type === 'key_lim') await fx.keyPool.reserveKeys(tx, { productId: product.id, orderId: id, quantity, until: now + 60_000 });
      await orders.applyEvent(tx, id, 'payment_settled', 'test');
      await fulfilment.deliverOrder(tx, id, items);
      return items;
    });
    const keys: string[] = [];
    for (let unit = 0; unit < quantity; unit++) keys.push(await fulfilment.revealKey(item!.id, unit, { sub: userSub, ip: '127.0.0.1' }));
    return { orderId: id, item: item!, product, keys, key: keys[0]!, userSub };
  }

  /** Refunds `units` units of an item as the refund webhook does (highest units first). */
  async function refund(orderId: string, itemId: number, units: number, all = false) {
    await db.transaction(async (tx) => {
      await fulfilment.revokeUnits(tx, itemId, units);
      await orders.incrementRefunded(tx, itemId, units);
      await orders.applyEvent(tx, orderId, all ? 'refund_full' : 'refund_partial');
    });
  }

  return { config, secrets, signer, orders, fulfilment, licenses, pool, paidOrder, refund };
}

export type LicenseFixtures = ReturnType<typeof licenseFixtures>;
