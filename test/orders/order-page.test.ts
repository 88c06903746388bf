import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFulfilmentService } from '../../src/fulfilment/fulfilment.service.js';
import { createKeySigner, loadSigningKey } from '../../src/fulfilment/signed-key.js';
import { createOrdersService } from '../../src/orders/orders.service.js';
import { testConfig } from '../support/env.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { CROSS_SITE, loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';

describe.each(testDialects)('order page: keys on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let fx: CatalogFixtures;
  let orders: ReturnType<typeof createOrdersService>;
  let fulfilment: ReturnType<typeof createFulfilmentService>;
  const config = testConfig();
  const signer = createKeySigner(loadSigningKey(config.licenseSigningKey));

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    fx = catalogFixtures(t.db);
    orders = createOrdersService({ db: t.db });
    fulfilment = createFulfilmentService({
      db: t.db,
      keyPool: fx.keyPool,
      signer,
      secrets: createSecretBox(config.encryptionKey),
      defaults: config.downloadDefaults,
    });
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  /** A paid, fulfilled order of a pool key product (2 units) and a signed key product (1 unit), as checkout and the webhook leave it. */
  async function paidOrder(buyer: LoggedIn) {
    const pool = await makeKeyLimProduct(fx, 2);
    const signed = await makeProduct(fx.catalog);
    const id = `ord_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
    const now = Date.now();
    const items = await t.db.transaction(async (tx) => {
      const inserted = await orders.createOrder(
        tx,
        {
          id,
          user_sub: buyer.user.sub,
          email: buyer.user.email,
          currency: 'EUR',
          subtotal: 5700,
          tax: 0,
          total: 5700,
          reserved_until: now + 60_000,
          created_at: now,
          updated_at: now,
        },
        [
          { product_id: pool.id, sku: pool.sku, name: 'Pool product', type: 'key_lim', unit_price: 1900, quantity: 2 },
          { product_id: signed.id, sku: signed.sku, name: 'Signed product', type: 'key', unit_price: 1900, quantity: 1 },
        ],
      );
      await fx.keyPool.reserveKeys(tx, { productId: pool.id, orderId: id, quantity: 2, until: now + 60_000 });
      await orders.applyEvent(tx, id, 'payment_settled', 'test');
      await fulfilment.deliverOrder(tx, id, inserted);
      return inserted;
    });
    return { id, pool, signed, poolItem: items[0]!, signedItem: items[1]! };
  }

  async function reveal(buyer: LoggedIn, orderId: string, itemId: number, unit: number) {
    return buyer.browser.request(`/orders/${orderId}/items/${itemId}/key`, { form: { unit: String(unit) } });
  }

  /** The keys an order page shows, by field id (key-<item>-<unit>), as the buyer can select them. */
  const shownKeys = (body: string) =>
    new Map(
      [...body.matchAll(/<textarea id="(key-\d+-\d+)" class="key-field"[^>]*readonly[^>]*>([^<]+)<\/textarea>/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );

  it('shows a button per key and reveals a key only when asked, logging each reveal', async () => {
    const buyer = await loginAs(t.app, 'new');
    const { id, pool, signed, poolItem, signedItem } = await paidOrder(buyer);
    const page = await buyer.browser.request(`/orders/${id}`);
    expect(page.body).toContain('Your license keys and downloads');
    expect(page.body.match(/Get license key/g)).toHaveLength(3);
    for (const k of pool.keys) expect(page.body).not.toContain(k);

    // Post-redirect-get: the reveal answers 303 to the order page at the key, so Reload sends nothing again.
    const posted = await reveal(buyer, id, poolItem.id, 1);
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(`http://localhost:3000/orders/${id}#key-${poolItem.id}-1`);
    expect(posted.body).not.toMatch(/[A-Z0-9]{5}-/);
    const shown = await buyer.browser.request(`/orders/${id}`);
    const revealed = shownKeys(shown.body).get(`key-${poolItem.id}-1`)!;
    expect(pool.keys).toContain(revealed);
    expect(shown.body.match(/Get license key/g)).toHaveLength(2);
    expect(shown.body).toContain(`data-copy="key-${poolItem.id}-1"`);

    // A second reveal leaves the first on the page: both keys are shown, each once.
    expect((await reveal(buyer, id, signedItem.id, 0)).status).toBe(303);
    const both = shownKeys((await buyer.browser.request(`/orders/${id}`)).body);
    expect([...both.keys()]).toEqual([`key-${poolItem.id}-1`, `key-${signedItem.id}-0`]);
    expect(both.get(`key-${poolItem.id}-1`)).toBe(revealed);
    expect(signer.verify(both.get(`key-${signedItem.id}-0`)!)?.s).toBe(signed.sku);
    expect(both.get(`key-${signedItem.id}-0`)!.length).toBeGreaterThan(100);

    const log = await t.db.kysely.selectFrom('key_reveals').selectAll().where('user_sub', '=', buyer.user.sub).execute();
    expect(log).toHaveLength(2);
    expect(log[0]!.ip).toBe(buyer.browser.remoteAddress);
  });

  it('reveals nothing to anyone else, and nothing for a unit that does not exist', async () => {
    const buyer = await loginAs(t.app, 'new');
    const { id, poolItem } = await paidOrder(buyer);
    const other = await loginAs(t.app, 'new');
    const res = await other.browser.request(`/orders/${id}/items/${poolItem.id}/key`, { form: { unit: '0' } });
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('license-key');
    for (const unit of ['5', '-1', 'x'])
      expect((await reveal(buyer, id, poolItem.id, unit as unknown as number)).status).toBeGreaterThanOrEqual(400);
    const crossSite = await buyer.browser.request(`/orders/${id}/items/${poolItem.id}/key`, { form: { unit: '0' }, headers: CROSS_SITE });
    expect(crossSite.status).toBe(403);
    expect(
      await t.db.kysely.selectFrom('key_reveals').selectAll().where('user_sub', 'in', [buyer.user.sub, other.user.sub]).execute(),
    ).toEqual([]);
  });

  it('rate limits key reveals per user', async () => {
    const buyer = await loginAs(t.app, 'new');
    const { id, signedItem } = await paidOrder(buyer);
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++)
      statuses.push((await buyer.browser.request(`/orders/${id}/items/${signedItem.id}/key`, { form: { unit: '0' } })).status);
    expect(statuses.slice(0, 30).every((s) => s === 303)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('says a refunded key is no longer valid and never shows it again', async () => {
    const buyer = await loginAs(t.app, 'new');
    const { id, poolItem } = await paidOrder(buyer);
    await t.db.transaction(async (tx) => {
      await fulfilment.revokeUnits(tx, poolItem.id, 1);
      await orders.incrementRefunded(tx, poolItem.id, 1);
      await orders.applyEvent(tx, id, 'refund_partial');
    });
    const page = await buyer.browser.request(`/orders/${id}`);
    expect(page.body).toContain('Refunded: this key is no longer valid.');
    expect(page.body).toContain('Part of this order was refunded');
    expect(shownKeys(page.body).has(`key-${poolItem.id}-1`)).toBe(false);
    const res = await reveal(buyer, id, poolItem.id, 1);
    expect(res.status).toBe(410);
    expect(res.body).toContain('This license key was refunded');
  });

  it('heads the page with the short order number, never the random id, and keeps the id in links only', async () => {
    const buyer = await loginAs(t.app, 'new');
    const { id } = await paidOrder(buyer);
    const { order_number: number } = (await orders.findOrder(id))!;
    const page = await buyer.browser.request(`/orders/${id}`);
    expect(page.body).toContain(`<h1>Order #${number}</h1>`);
    expect(page.body).toContain(`<title>Order #${number}`);
    expect(page.body).not.toMatch(new RegExp(`>[^<]*${id}[^<]*<`));
    const list = await buyer.browser.request('/orders');
    expect(list.body).toContain(`<a href="/orders/${id}">#${number}</a>`);
  });

  it('shows what a partial refund gave back, per item and in total, and the total after it', async () => {
    const buyer = await loginAs(t.app, 'new');
    const { id, poolItem } = await paidOrder(buyer);
    await t.db.transaction(async (tx) => {
      await fulfilment.revokeUnits(tx, poolItem.id, 1);
      await orders.incrementRefunded(tx, poolItem.id, 1);
      await orders.applyEvent(tx, id, 'refund_partial');
    });
    const page = await buyer.browser.request(`/orders/${id}`);
    expect(page.body).toContain('(1 of 2 refunded: <span class="amount">−€19.00</span>)');
    expect(page.body).toMatch(/Refunded<\/th>\s*<td[^>]*>−€19\.00<\/td>/);
    expect(page.body).toMatch(/<tr class="total">\s*<th[^>]*>Total after refunds<\/th>\s*<td[^>]*>€38\.00<\/td>/);
    expect(page.body).toMatch(/Total<\/th>\s*<td[^>]*>€57\.00<\/td>/);
  });

  it('shows a full refund as the whole total given back', async () => {
    const buyer = await loginAs(t.app, 'new');
    const { id, poolItem, signedItem } = await paidOrder(buyer);
    await t.db.transaction(async (tx) => {
      for (const [item, units] of [
        [poolItem, 2],
        [signedItem, 1],
      ] as const) {
        await fulfilment.revokeUnits(tx, item.id, units);
        await orders.incrementRefunded(tx, item.id, units);
      }
      await orders.applyEvent(tx, id, 'refund_full');
    });
    const page = await buyer.browser.request(`/orders/${id}`);
    expect(page.body).toContain('This order was refunded');
    expect(page.body).toMatch(/Refunded<\/th>\s*<td[^>]*>−€57\.00<\/td>/);
    expect(page.body).toMatch(/<tr class="total">\s*<th[^>]*>Total after refunds<\/th>\s*<td[^>]*>€0\.00<\/td>/);
    expect(page.body).not.toContain('key-field');
  });
});
