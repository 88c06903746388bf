import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedServices, DEMO_CATALOG_PATH, loadDemoCatalogFile } from '../../src/catalog/catalog.seed.js';
import { demoProductFile } from '../../src/fulfilment/product-files.demo.js';
import { createPaymentGateway } from '../../src/payments/payments.gateway.js';
import { testConfig } from '../support/env.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import {
  driveSession,
  forwardWebhooksTo,
  gatewayEnv,
  startTestGateway,
  startWebhookReceiver,
  type DevGateway,
} from '../support/gateway.js';

/** Buying a demo file product end to end (dev IdP, dev gateway, signed webhooks), downloading it, and a refund taking it back. */
describe.each(testDialects)('download of a bought demo product on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let t: TestApp;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    dir = mkdtempSync(join(tmpdir(), 'store-flow-'));
    env = { ...idp.env, ...gatewayEnv(gateway), STORAGE_DIR: dir };
    t = await createTestApp(dialect, env);
    receiver = await startWebhookReceiver(forwardWebhooksTo(t.app));
    gateway.setWebhookUrl(receiver.url);
    await loadDemoCatalogFile(createSeedServices(t.db, testConfig(env)), DEMO_CATALOG_PATH);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    await gateway.close();
    await idp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const statusOf = async (orderId: string) =>
    (await t.db.kysely.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow()).status;
  async function waitForStatus(orderId: string, status: string) {
    for (let i = 0; i < 200 && (await statusOf(orderId)) !== status; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await statusOf(orderId)).toBe(status);
  }

  async function buy(buyer: LoggedIn, sku: string) {
    expect((await buyer.browser.request('/cart', { form: { action: 'add', sku, quantity: '1' } })).status).toBe(303);
    const page = await buyer.browser.request('/checkout');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]!;
    const posted = await buyer.browser.request('/checkout', { form: { idempotencyKey: key } });
    const sessionId = new URL(posted.location!).pathname.split('/').pop()!;
    const order = await t.db.kysely.selectFrom('orders').select('id').where('payment_ref', '=', sessionId).executeTakeFirstOrThrow();
    await driveSession(gateway, sessionId, 'pay');
    await waitForStatus(order.id, 'fulfilled');
    const [item] = await t.db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', order.id).execute();
    return { orderId: order.id, item: item! };
  }

  it('every demo file product has its sample archive; a buyer downloads it, and a refund ends the downloads', async () => {
    const fileProducts = await t.db.kysely
      .selectFrom('products')
      .select(['id', 'sku', 'name', 'summary'])
      .where('type', '=', 'file')
      .execute();
    expect(fileProducts.length).toBeGreaterThan(10);
    const files = await t.db.kysely
      .selectFrom('product_files')
      .selectAll()
      .where(
        'product_id',
        'in',
        fileProducts.map((p) => p.id),
      )
      .execute();
    expect(files.map((f) => f.product_id).sort()).toEqual(fileProducts.map((p) => p.id).sort());

    const buyer = await loginAs(t.app, 'new');
    const product = fileProducts.find((p) => p.sku === 'COBALT-MONO')!;
    const expected = demoProductFile(product).buffer!;
    const { orderId, item } = await buy(buyer, product.sku);
    const file = files.find((f) => f.product_id === product.id)!;
    expect(file).toMatchObject({
      filename: 'Cobalt Mono.zip',
      content_type: 'application/zip',
      size: expected.length,
      sha256: createHash('sha256').update(expected).digest('hex'),
    });

    const orderPage = await buyer.browser.request(`/orders/${orderId}`);
    expect(orderPage.status).toBe(200);
    // The order page offers the file with what is left; its form is what the buyer submits.
    const url = `/orders/${orderId}/items/${item.id}/download`;
    expect(orderPage.body).toContain(`action="${url}"`);
    expect(orderPage.body).toContain('Cobalt Mono.zip');
    expect(orderPage.body).toMatch(/(\d+) of \1 downloads left/);
    const link = await buyer.browser.request(url, { form: { unit: '0', file: String(file.id) } });
    expect(link.status).toBe(303);
    const res = await t.app.inject({ method: 'GET', url: new URL(link.location!).pathname });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="Cobalt Mono.zip"; filename*=UTF-8''Cobalt%20Mono.zip`);
    expect(res.rawPayload.equals(expected)).toBe(true);
    expect(res.rawPayload.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');

    // The owner refunds through the gateway; its signed charge.refunded webhook revokes the grant.
    const order = await t.db.kysely.selectFrom('orders').select('payment_intent').where('id', '=', orderId).executeTakeFirstOrThrow();
    await createPaymentGateway(testConfig(env)).refund({ paymentIntentId: order.payment_intent!, idempotencyKey: `refund-${orderId}` });
    await waitForStatus(orderId, 'refunded');
    const after = await t.app.inject({ method: 'GET', url: new URL(link.location!).pathname });
    expect(after.statusCode).toBe(410);
    expect(after.body).toContain('This purchase was refunded');
    expect(after.body).toContain(`href="/orders/${orderId}"`);
    const page = await buyer.browser.request(`/orders/${orderId}`);
    expect(page.body).toContain('Refunded: these downloads are no longer available.');
    expect(page.body).not.toContain(`action="${url}"`);
    const again = await buyer.browser.request(url, { form: { unit: '0', file: String(file.id) } });
    expect(again.status).toBe(410);
  });
});
